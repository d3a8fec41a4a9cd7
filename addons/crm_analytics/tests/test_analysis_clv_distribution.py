"""Lifetime value distribution on fixed values (pure pandas, no database)."""

import math

import pandas as pd
import pytest

from ..analysis.clv_distribution import clv_distribution


def test_quantiles_concentration_and_histogram():
    profiles = pd.DataFrame(
        {
            "clv": [100.0, 200.0, 300.0, 400.0, 1000.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "grade": ["a", "a", "b", "b", "a", "c", "c", "c", "c", "c"],
        }
    )
    summary, histogram = clv_distribution(profiles, bins=4)
    everyone = summary.loc["all"]
    assert everyone["customers"] == 10
    assert everyone["total"] == 2000.0
    assert everyone["mean"] == 200.0
    assert everyone["p50"] == 50.0  # between the 5th (0) and 6th (100) values
    assert everyone["p90"] == pytest.approx(460.0)  # 400 + 0.1 * (1000 - 400)
    assert everyone["top20_share"] == pytest.approx(1400 / 2000)  # 1000 and 400
    grade_a = summary.loc["a"]
    assert grade_a["customers"] == 3 and grade_a["total"] == 1300.0
    assert grade_a["p50"] == 200.0
    assert grade_a["top20_share"] == pytest.approx(1000 / 1300)  # ceil(3 / 5) = 1
    assert summary.loc["c", "total"] == 0.0 and math.isnan(
        summary.loc["c", "top20_share"]
    )
    # [0, 250): five 0, 100, 200; [250, 500): 300, 400; the last bin holds 1000
    assert list(histogram["customers"]) == [7, 2, 0, 1]
    assert list(histogram["lower"]) == [0.0, 250.0, 500.0, 750.0]
    assert histogram["upper"].iloc[-1] == 1000.0


def test_no_customer():
    summary, histogram = clv_distribution(pd.DataFrame({"clv": [], "grade": []}))
    assert summary.loc["all", "customers"] == 0
    assert histogram.empty
