"""Cohort retention matrix on fixed orders (pure pandas, no database)."""

import math

import pandas as pd

from ..analysis.cohort_retention import cohort_retention


def orders(*rows):
    return pd.DataFrame(rows, columns=["partner_id", "date"])


def test_retention_matrix():
    sizes, retention = cohort_retention(
        orders(
            # January cohort: 1 and 2 (1 buys twice in January: counted once)
            (1, "2026-01-03"),
            (1, "2026-01-20"),
            (2, "2026-01-15"),
            (1, "2026-02-10"),
            (2, "2026-03-01"),
            (1, "2026-03-31"),
            # February cohort: 3, 4, 5
            (3, "2026-02-01"),
            (4, "2026-02-28"),
            (5, "2026-02-14"),
            (3, "2026-03-05"),
        )
    )
    assert [str(p) for p in sizes.index] == ["2026-01", "2026-02"]
    assert list(sizes) == [2, 3]
    assert list(retention.columns) == [0, 1, 2]
    assert list(retention.loc["2026-01"]) == [1.0, 0.5, 1.0]
    feb = retention.loc["2026-02"]
    assert feb[0] == 1.0 and feb[1] == 1 / 3
    assert math.isnan(feb[2])  # April has not happened yet


def test_as_of_ignores_later_orders_and_marks_the_future():
    sizes, retention = cohort_retention(
        orders((1, "2026-01-03"), (1, "2026-02-10"), (2, "2026-03-01")),
        as_of="2026-02-28",
    )
    assert list(sizes) == [1]  # customer 2 first bought after the date
    assert list(retention.loc["2026-01"]) == [1.0, 1.0]
    sizes, retention = cohort_retention(orders((1, "2026-01-03")), as_of="2026-03-31")
    assert list(retention.loc["2026-01"]) == [1.0, 0.0, 0.0]


def test_no_order():
    sizes, retention = cohort_retention(orders())
    assert sizes.empty and retention.empty
