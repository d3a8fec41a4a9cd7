"""Churn probability on synthetic monthly snapshots whose lapse rule is known
(pure pandas and statsmodels, no database)."""

import numpy as np
import pandas as pd
import pytest

from ..analysis.churn_probability import (
    backtest,
    fit_churn_model,
    label_lapses,
    roc_auc,
    score_churn,
)


def synthetic(seed=11, customers=600, months=15):
    """Customers whose chance of going quiet grows with their complaints;
    a quiet customer lapses at the second month end after (recency past
    60 days);
    ``overdue``, ``frequency``, ``value_trend`` and the grade are noise."""
    rng = np.random.default_rng(seed)
    ends = pd.period_range("2024-01", periods=months, freq="M")
    rows = []
    for partner in range(customers):
        complaints = int(rng.poisson(0.8))
        grade = rng.choice(["vip", "major", "ordinary", "small"])
        recency = int(rng.integers(0, 25))
        quit_chance = 1 / (1 + np.exp(-(-4.0 + 1.5 * complaints)))
        quiet = False
        for end in ends:
            quiet = quiet or rng.uniform() < quit_chance
            recency = recency + 30 if quiet else int(rng.integers(0, 25))
            rows.append(
                {
                    "partner_id": partner,
                    "date": end.to_timestamp(how="end").date(),
                    "stage": "lapsed" if recency > 60 else "maturity",
                    "recency": recency,
                    "frequency": int(rng.integers(1, 12)),
                    "value_trend": float(rng.normal()),
                    "complaints": complaints,
                    "overdue": float(rng.uniform(0, 60)),
                    "grade": grade,
                }
            )
    return pd.DataFrame(rows)


def test_labels_lapses_in_the_next_three_month_ends():
    snapshots = pd.DataFrame(
        {
            "partner_id": [1] * 5 + [2] * 5,
            "date": [
                pd.Timestamp(day).date()
                for day in ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"]
                + ["2025-05-31"]
            ]
            * 2,
            "stage": ["maturity", "at_risk", "at_risk", "at_risk", "lapsed"]
            + ["growth"] * 5,
        }
    )
    rows = label_lapses(snapshots)
    # months with three later month ends: January and February only
    labels = {
        (partner, str(month)): label
        for partner, month, label in rows[
            ["partner_id", "month", "lapsed_next"]
        ].itertuples(index=False)
    }
    assert labels == {
        (1, "2025-01"): 0,  # lapsed in May: four month ends later
        (1, "2025-02"): 1,
        (2, "2025-01"): 0,
        (2, "2025-02"): 0,
    }


def test_fit_finds_the_driver_and_scores_with_reasons():
    rows = label_lapses(synthetic())
    model = fit_churn_model(rows)
    coefficients = model["coefficients"]
    # complaints and recency drive the lapses; the noise stays small
    assert coefficients["complaints"] > 0.5
    assert coefficients["recency"] > 0.5
    for noise in ("overdue", "frequency", "value_trend"):
        assert abs(coefficients[noise]) < coefficients["complaints"] / 3
    assert 0 < model["lapse_rate"] < 0.5
    customers = pd.DataFrame(
        {
            "recency": [200, 5],
            "frequency": [3, 3],
            "value_trend": [0.0, 0.0],
            "complaints": [4, 0],
            "overdue": [10.0, 10.0],
            "grade": ["small", "small"],
        }
    )
    scored = score_churn(model, customers)
    assert scored["probability"][0] > 0.8
    assert scored["probability"][1] < 0.2
    assert set(scored["reasons"][0][:2]) == {"recency", "complaints"}
    assert scored["reasons"][1] == []


def test_backtest_beats_chance_and_reports_recency():
    result = backtest(synthetic(), "2024-10-31")
    assert result["scored"] > 300
    assert result["rows"] > 1000
    assert result["auc"] > 0.8
    assert 0.5 < result["recency_auc"] <= 1
    # the complaints tell who goes quiet before the recency does
    assert result["auc"] > result["recency_auc"]


def test_roc_auc_exact():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert np.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_outcome_without_both_values():
    rows = label_lapses(synthetic(customers=20, months=5))
    rows["lapsed_next"] = 0
    with pytest.raises(ValueError):
        fit_churn_model(rows)
