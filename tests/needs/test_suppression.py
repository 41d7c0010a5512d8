"""Small-cell suppression attacked by a reader who knows every sum and every label's bounds at once: for
each hidden entry, linear programming finds the least and greatest value consistent with everything
shown. A hidden entry is safe only if that range is wider than a single number."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from tsunagari.needs.suppression import bounds, lines_of, suppress


def _attack(table) -> dict[tuple, tuple[float, float]]:
    """The range a reader can pin down for every hidden entry."""
    hidden = sorted(table.hidden, key=str)
    index = {key: i for i, key in enumerate(hidden)}
    equations, targets = [], []
    for line in lines_of(table.rows, table.cols):
        row = np.zeros(len(hidden))
        target = 0.0
        for part in line.parts:
            if part in index:
                row[index[part]] += 1
            else:
                target -= table.values[part]
        if line.total in index:
            row[index[line.total]] -= 1
        else:
            target += table.values[line.total]
        if row.any():
            equations.append(row)
            targets.append(target)
    limits = [
        tuple(None if math.isinf(b) else b for b in bounds(table.values[key], table.k)) for key in hidden
    ]
    ranges = {}
    for key, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=equations, b_eq=targets, bounds=limits, method="highs")
        high = linprog(-objective, A_eq=equations, b_eq=targets, bounds=limits, method="highs")
        assert low.status == 0, "the shown figures must be consistent"
        ranges[key] = (low.fun, math.inf if high.status == 3 else -high.fun)
    return ranges


def _assert_nothing_recoverable(table):
    for key, (low, high) in _attack(table).items():
        assert high - low >= 1 - 1e-9, f"{key} is recoverable: it must be {low}"
    for key, value in table.values.items():  # and nothing small is shown
        if 0 < value < table.k:
            assert key in table.hidden, key


def test_a_single_small_cell_is_protected_in_its_row_and_column():
    table = suppress({("A", "x"): 3, ("A", "y"): 40, ("B", "x"): 25, ("B", "y"): 30}, "AB", "xy", k=10)
    assert table.cell("A", "x") is None
    assert table.below_k(("cell", "A", "x"))
    hidden_in_row_a = [c for c in "xy" if table.cell("A", c) is None] + (
        [] if table.row_total("A") else ["total"]
    )
    assert len(hidden_in_row_a) >= 2
    _assert_nothing_recoverable(table)


def test_two_small_cells_that_add_up_to_their_extreme_are_not_left_alone():
    # 9 + 9 = 18 in a row whose other cells are shown: both "under 10" cells would have to be 9.
    cells = {("A", "x"): 9, ("A", "y"): 9, ("A", "z"): 50, ("B", "x"): 30, ("B", "y"): 30, ("B", "z"): 30}
    table = suppress(cells, "AB", "xyz", k=10)
    _assert_nothing_recoverable(table)


def test_a_small_total_is_hidden_with_its_cells():
    table = suppress({("A", "x"): 2, ("A", "y"): 3, ("B", "x"): 50, ("B", "y"): 60}, "AB", "xy", k=10)
    assert table.row_total("A") is None and table.cell("A", "x") is None and table.cell("A", "y") is None
    _assert_nothing_recoverable(table)


def test_large_figures_stay_visible():
    cells = {(r, c): 100 + i for i, (r, c) in enumerate((r, c) for r in "ABC" for c in "xyz")}
    table = suppress(cells, "ABC", "xyz", k=10)
    assert not table.hidden and table.grand_total() == sum(cells.values())


@pytest.mark.parametrize("seed", range(60))
def test_random_sparse_tables_with_many_small_cells_resist_the_attack(seed):
    rng = random.Random(seed)
    rows, cols = [f"d{i}" for i in range(rng.randint(2, 7))], [f"c{i}" for i in range(rng.randint(2, 8))]
    cells = {}
    for r in rows:
        for c in cols:
            roll = rng.random()
            cells[(r, c)] = 0 if roll < 0.35 else rng.randint(1, 9) if roll < 0.75 else rng.randint(10, 60)
    table = suppress(cells, rows, cols, k=10)
    _assert_nothing_recoverable(table)


def test_suppression_respects_a_different_k():
    table = suppress({("A", "x"): 4, ("A", "y"): 40, ("B", "x"): 40, ("B", "y"): 40}, "AB", "xy", k=3)
    assert not table.hidden
