"""RFM segment map on fixed scores (pure pandas, no database)."""

import pandas as pd
import pytest

from ..analysis.rfm_segments import SEGMENTS, assign_segments, rfm_segment_map


def test_every_cell_of_the_grid_has_one_segment():
    recency = pd.Series([r for r in range(1, 6) for _f in range(1, 6)])
    frequency = pd.Series([f for _r in range(1, 6) for f in range(1, 6)])
    segments = assign_segments(recency, frequency)
    assert segments.notna().all()
    grid = dict(zip(zip(recency, frequency, strict=True), segments, strict=True))
    assert grid[5, 5] == grid[5, 4] == "champions"
    assert grid[4, 5] == grid[3, 4] == "loyal"
    assert grid[5, 1] == "new_customers"
    assert grid[4, 1] == "promising"
    assert grid[3, 3] == "need_attention"
    assert grid[3, 1] == "about_to_sleep"
    assert grid[2, 5] == grid[1, 5] == "cannot_lose"
    assert grid[1, 3] == "at_risk"
    assert grid[1, 1] == grid[2, 2] == "hibernating"
    assert grid[4, 2] == grid[5, 3] == "potential_loyalists"
    assert set(segments) == set(SEGMENTS)


def test_unscored_customers_have_no_segment():
    segments = assign_segments(pd.Series([0, 5]), pd.Series([0, 5]))
    assert pd.isna(segments[0]) and segments[1] == "champions"


def test_segment_map_counts_value_and_scores():
    profiles = pd.DataFrame(
        {
            "recency_score": [5, 5, 1, 1, 3, 0],
            "frequency_score": [5, 4, 5, 1, 3, 0],
            "monetary_score": [5, 3, 4, 1, 2, 0],
            "value": [1000.0, 600.0, 300.0, 50.0, 50.0, 999.0],
        }
    )
    result = rfm_segment_map(profiles)
    assert list(result.index) == list(SEGMENTS)
    champions = result.loc["champions"]
    assert champions["customers"] == 2
    assert champions["share"] == pytest.approx(2 / 5)
    assert champions["value"] == 1600.0
    assert champions["value_share"] == pytest.approx(1600 / 2000)
    assert champions["avg_monetary"] == 4.0
    assert result.loc["cannot_lose", "customers"] == 1
    assert result.loc["hibernating", "value"] == 50.0
    assert result.loc["need_attention", "avg_recency"] == 3.0
    assert result.loc["loyal", "customers"] == 0
    assert result.loc["loyal", "value_share"] == 0.0
    assert result["customers"].sum() == 5  # the unscored customer is left out


def test_segment_map_of_no_customer():
    empty = pd.DataFrame(
        columns=["recency_score", "frequency_score", "monetary_score", "value"]
    )
    result = rfm_segment_map(empty)
    assert result["customers"].sum() == 0
    assert (result["share"] == 0).all()
