// On a narrow screen (a phone, or 200 % zoom) the header's menus fold behind one "Menu" button, so the
// page itself starts on the first screen. Without this script every menu simply stays open.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");

  function setUp() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) return;
    var menus = toggle.getAttribute("aria-controls").split(" ")
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    function apply() {
      var open = !narrow.matches || toggle.getAttribute("aria-expanded") === "true";
      toggle.hidden = !narrow.matches;
      menus.forEach(function (menu) { menu.hidden = !open; });
    }
    toggle.addEventListener("click", function () {
      var expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", expanded ? "false" : "true");
      apply();
    });
    narrow.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
