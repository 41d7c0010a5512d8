"""Small-cell suppression for the district × kind-of-trouble table (what members see).

Primary suppression: every cell or total with 0 < value < k is hidden (shown as 「10未満」 for k = 10).

Complementary suppression: the table is additive — each row's cells sum to the row total, each column's
to the column total, and both sets of totals to the grand total (which anyone can add up). A hidden
entry must not be recoverable from any of those sums. Each sum is a *line*; a line is safe when it has
no hidden entry, or when its hidden entries are not pinned by what is shown:

* one hidden entry in a line is always recoverable (total minus the rest), so a second one is hidden;
* several hidden entries are still recoverable when the known remainder sits at the very end of what
  they could add up to — e.g. two 「10未満」 cells whose remainder is 18 must both be 9. The reader knows a
  「10未満」 entry lies in 0…k-1 and a 「秘匿」 (hidden, but k or more) entry in k…∞; if the remainder equals
  the lowest or highest possible sum, one more entry is hidden.

Lines are revisited until none changes; each step hides the smallest non-zero entry available (zeros
only when nothing else is left), so as little as possible is lost.

Lines can also give entries away together (two rows and two columns that pin each other through the
bounds). So the result is audited as a whole: `recoverable()` finds every hidden entry that all the
shown figures and bounds together fix to one value — with one linear programme for a point in the
relative interior of what the reader considers possible (Freund, Roundy & Todd 1985) and one null-space
computation — and more is hidden around any such entry until none is left.
tests/needs/test_suppression.py attacks the result with a reader solving two linear programmes per entry.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize

GRAND = ("grand",)


def row_key(row: Hashable) -> tuple:
    return ("row", row)


def col_key(col: Hashable) -> tuple:
    return ("col", col)


def cell_key(row: Hashable, col: Hashable) -> tuple:
    return ("cell", row, col)


@dataclass(frozen=True)
class Line:
    """``sum(parts) == total`` — the equation a reader could use."""

    parts: tuple[tuple, ...]
    total: tuple


@dataclass(frozen=True)
class SuppressedTable:
    k: int
    rows: Sequence[Hashable]
    cols: Sequence[Hashable]
    values: Mapping[tuple, int]  # every entry's true value (never shown for hidden entries)
    hidden: frozenset[tuple]

    def shown(self, key: tuple) -> int | None:
        return None if key in self.hidden else self.values[key]

    def cell(self, row: Hashable, col: Hashable) -> int | None:
        return self.shown(cell_key(row, col))

    def row_total(self, row: Hashable) -> int | None:
        return self.shown(row_key(row))

    def col_total(self, col: Hashable) -> int | None:
        return self.shown(col_key(col))

    def grand_total(self) -> int | None:
        return self.shown(GRAND)

    def below_k(self, key: tuple) -> bool:
        """Hidden and under k (「10未満」), as opposed to hidden to protect another entry (「秘匿」)."""
        return key in self.hidden and self.values[key] < self.k


def lines_of(rows: Sequence[Hashable], cols: Sequence[Hashable]) -> list[Line]:
    lines = [Line(tuple(cell_key(r, c) for c in cols), row_key(r)) for r in rows]
    lines += [Line(tuple(cell_key(r, c) for r in rows), col_key(c)) for c in cols]
    lines.append(Line(tuple(row_key(r) for r in rows), GRAND))
    lines.append(Line(tuple(col_key(c) for c in cols), GRAND))
    return lines


def suppress(
    cells: Mapping[tuple[Any, Any], int], rows: Sequence[Hashable], cols: Sequence[Hashable], k: int,
    *, published: Iterable[tuple] = (), withheld: Iterable[tuple] = (),
) -> SuppressedTable:  # fmt: skip
    """Hide what must be hidden in the table of ``cells[(row, col)]`` (missing cells are 0).

    Tables that share a figure must agree on it: ``published`` entries are shown in another table (they
    stay shown here, and protection comes from other entries), ``withheld`` ones are hidden there (so
    they are hidden here too). aggregates.py passes the city table's grand total this way to the month
    and household-type tables, which add up to the same number."""
    values: dict[tuple, int] = {}
    for r in rows:
        for c in cols:
            values[cell_key(r, c)] = int(cells.get((r, c), 0))
    for r in rows:
        values[row_key(r)] = sum(values[cell_key(r, c)] for c in cols)
    for c in cols:
        values[col_key(c)] = sum(values[cell_key(r, c)] for r in rows)
    values[GRAND] = sum(values[row_key(r)] for r in rows)

    hidden = {key for key, value in values.items() if 0 < value < k} | set(withheld)
    fixed = frozenset(published) - hidden
    lines = lines_of(rows, cols)
    lines_through: dict[tuple, list[int]] = {}
    for index, line in enumerate(lines):
        for entry in (*line.parts, line.total):
            lines_through.setdefault(entry, []).append(index)
    start = [i for i, line in enumerate(lines) if any(e in hidden for e in (*line.parts, line.total))]
    _protect_lines(lines, lines_through, start, values, hidden, k, fixed)
    while pinned := recoverable(lines, values, hidden, k):
        # Hide one more entry beside each recoverable one, then let the lines settle again.
        touched = []
        for key in sorted(pinned, key=str):
            for index in lines_through[key]:
                extra = _next_to_hide((*lines[index].parts, lines[index].total), values, hidden, fixed)
                if extra is not None:
                    hidden.add(extra)
                    touched.extend(lines_through[extra])
                    break
        if not touched:  # everything around them is hidden already: nothing more can be done
            break
        _protect_lines(lines, lines_through, touched, values, hidden, k, fixed)
    return SuppressedTable(k=k, rows=list(rows), cols=list(cols), values=values, hidden=frozenset(hidden))


def _protect_lines(
    lines: Sequence[Line],
    lines_through: Mapping[tuple, list[int]],
    start: Sequence[int],
    values: Mapping[tuple, int],
    hidden: set[tuple],
    k: int,
    fixed: frozenset[tuple],
) -> None:
    """Hide entries until no line on its own gives a hidden entry away (a work list: a line is looked at
    again only when one of its entries has just been hidden)."""
    pending = deque(dict.fromkeys(start))
    queued = set(pending)
    while pending:
        index = pending.popleft()
        queued.discard(index)
        line = lines[index]
        if not _exposed(line, values, hidden, k):
            continue
        extra = _next_to_hide((*line.parts, line.total), values, hidden, fixed)
        if extra is None:  # everything in the line that may be hidden is hidden already
            continue
        hidden.add(extra)
        for other in (index, *lines_through[extra]):
            if other not in queued:
                pending.append(other)
                queued.add(other)


def recoverable(lines: Sequence[Line], values: Mapping[tuple, int], hidden: set[tuple], k: int) -> set[tuple]:
    """Hidden entries that the shown figures, the sums and the labels' bounds fix to a single value."""
    unknown = sorted(hidden, key=str)
    if not unknown:
        return set()
    column = {key: i for i, key in enumerate(unknown)}
    n = len(unknown)
    equations, targets = [], []
    for line in lines:
        row = np.zeros(n)
        target = 0.0
        for part in line.parts:
            if part in column:
                row[column[part]] += 1
            else:
                target -= values[part]
        if line.total in column:
            row[column[line.total]] -= 1
        else:
            target += values[line.total]
        if row.any():
            equations.append(row)
            targets.append(target)
    if not equations:
        return set()
    a, b = np.array(equations), np.array(targets)
    limits = [bounds(values[key], k) for key in unknown]
    fixed_low, fixed_high = _implicitly_tight_bounds(a, b, limits)
    # What the reader can be sure of: the sums, and every bound no possible table moves away from.
    hull = [a]
    for i in range(n):
        if fixed_low[i] or fixed_high[i]:
            unit = np.zeros((1, n))
            unit[0, i] = 1
            hull.append(unit)
    null_space = scipy.linalg.null_space(np.vstack(hull))
    if null_space.size == 0:
        return set(unknown)
    free = np.abs(null_space).max(axis=1) > 1e-9
    return {key for key, i in column.items() if not free[i]}


def _implicitly_tight_bounds(
    a: np.ndarray, b: np.ndarray, limits: Sequence[tuple[float, float]]
) -> tuple[list[bool], list[bool]]:
    """Which bounds hold with equality in every solution of a·x = b within the limits.

    One linear programme in homogeneous form: maximise the slacks z (each capped at 1) of the bounds,
    over y = λ·x with λ ≥ 1. A bound whose slack stays 0 at the optimum can never be slack."""
    m, n = a.shape
    finite = [
        (i, side, bound)
        for i, lim in enumerate(limits)
        for side, bound in (("low", lim[0]), ("high", lim[1]))
        if not math.isinf(bound)
    ]
    count = n + 1 + len(finite)  # y, λ, z
    a_eq = np.hstack([a, -b.reshape(-1, 1), np.zeros((m, len(finite)))])
    a_ub = np.zeros((len(finite), count))
    for j, (i, side, bound) in enumerate(finite):
        sign = -1 if side == "low" else 1  # low: z - y + l·λ <= 0 ; high: z + y - u·λ <= 0
        a_ub[j, i] = sign
        a_ub[j, n] = -sign * bound
        a_ub[j, n + 1 + j] = 1
    objective = np.zeros(count)
    objective[n + 1 :] = -1
    var_bounds = [(None, None)] * n + [(1, None)] + [(0, 1)] * len(finite)
    result = scipy.optimize.linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.zeros(len(finite)),
        A_eq=a_eq,
        b_eq=np.zeros(m),
        bounds=var_bounds,
        method="highs",
    )
    tight_low, tight_high = [False] * n, [False] * n
    if result.status != 0:  # cannot happen for figures that add up; be safe and call everything tight
        return [True] * n, [True] * n
    for j, (i, side, _bound) in enumerate(finite):
        if result.x[n + 1 + j] < 1e-7:
            (tight_low if side == "low" else tight_high)[i] = True
    return tight_low, tight_high


def bounds(value: int, k: int) -> tuple[float, float]:
    """What a reader knows of a hidden entry from its label."""
    return (0, k - 1) if value < k else (k, math.inf)


def _exposed(line: Line, values: Mapping[tuple, int], hidden: set[tuple], k: int) -> bool:
    """Can a hidden entry of this line be worked out from the line's own sum and the labels' bounds?"""
    unknown_parts = [p for p in line.parts if p in hidden]
    total_hidden = line.total in hidden
    unknowns = len(unknown_parts) + int(total_hidden)
    if unknowns <= 1:
        return unknowns == 1
    known = sum(values[p] for p in line.parts if p not in hidden)
    # sum(unknown parts) - (total if hidden) == known_total - known, with each unknown within its bounds.
    target = (0 if total_hidden else values[line.total]) - known
    low = sum(bounds(values[p], k)[0] for p in unknown_parts)
    high = sum(bounds(values[p], k)[1] for p in unknown_parts)
    if total_hidden:
        t_low, t_high = bounds(values[line.total], k)
        low, high = low - t_high, high - t_low
    return target in (low, high)


def _next_to_hide(
    entries: Sequence[tuple], values: Mapping[tuple, int], hidden: set[tuple], fixed: frozenset[tuple]
) -> tuple | None:
    candidates = [e for e in entries if e not in hidden and e not in fixed]
    if not candidates:
        return None
    # Smallest non-zero first (least information lost); cells before totals on a tie; zeros last.
    return min(candidates, key=lambda e: (values[e] == 0, values[e], e[0] != "cell", str(e)))
