// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (tsunagari/charts.py). No inline script or style: the strict CSP holds. Colours come from the
// design tokens, so charts follow the site's palette; motion is off when the user asks for less.
(function () {
  "use strict";
  if (!window.Chart) return;

  var PALETTE = ["--color-primitive-blue-900", "--color-primitive-orange-800", "--color-primitive-green-800",
    "--color-primitive-magenta-800", "--color-primitive-cyan-900", "--color-primitive-yellow-900",
    "--color-neutral-solid-gray-700", "--color-primitive-red-900"];
  var FALLBACK = ["#0031d8", "#c74700", "#197a4b", "#c2006b", "#006f83", "#8d6400", "#4d4d4d", "#ce0000"];

  function colour(index) {
    var styles = getComputedStyle(document.documentElement);
    var value = styles.getPropertyValue(PALETTE[index % PALETTE.length]).trim();
    return value || FALLBACK[index % FALLBACK.length];
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var datasets = spec.series.map(function (series, i) {
      return {
        label: series.label,
        data: series.data,
        borderColor: colour(i),
        backgroundColor: colour(i),
        borderWidth: 2,
        pointRadius: spec.kind === "line" ? 4 : 0,
        spanGaps: true
      };
    });
    new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: reduceMotion ? false : { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: {
          x: { stacked: spec.stacked },
          y: {
            stacked: spec.stacked,
            min: spec.y.min === null ? undefined : spec.y.min,
            max: spec.y.max === null ? undefined : spec.y.max,
            title: { display: !!spec.y.title, text: spec.y.title },
            ticks: { precision: 0 }
          }
        }
      }
    });
    canvas.dataset.drawn = "true";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
