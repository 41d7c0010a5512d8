"""Charts drawn in the browser by the vendored Chart.js (static/js/charts.js), CSP-safe: the figures
travel as JSON through ``json_script``, never as inline script. Every chart is paired on its page with
a table of the same figures, which is what screen readers, print and no-JavaScript users get."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Series:
    label: str
    data: Sequence[float | int | None]


@dataclass(frozen=True)
class Chart:
    """What `_chart.html` needs: an element id, a title (the canvas's accessible name) and the spec."""

    id: str
    title: str
    kind: str  # "line" or "bar"
    labels: Sequence[str]
    series: Sequence[Series]
    y_min: float | None = None
    y_max: float | None = None
    y_title: str = ""
    stacked: bool = False
    notes: Sequence[str] = field(default_factory=tuple)  # shown under the chart (sources, caveats)

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    def spec(self) -> dict:
        """The JSON handed to charts.js."""
        return {
            "kind": self.kind,
            "labels": list(self.labels),
            "series": [asdict(s) | {"data": list(s.data)} for s in self.series],
            "y": {"min": self.y_min, "max": self.y_max, "title": self.y_title},
            "stacked": self.stacked,
        }
