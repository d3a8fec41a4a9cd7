"""Churn drivers on synthetic customers whose true driver is known (pure
pandas and statsmodels, no database)."""

import numpy as np
import pandas as pd
import pytest

from ..analysis.churn_drivers import churn_drivers


def synthetic(seed=7, size=4000):
    """Customers who lapse because of complaints (and a little recency);
    ``overdue`` and ``noise`` have no effect on the outcome."""
    rng = np.random.default_rng(seed)
    complaints = rng.poisson(1.0, size)
    recency = rng.uniform(0, 365, size)
    overdue = rng.uniform(0, 90, size)
    noise = rng.normal(0, 1, size)
    grade = rng.choice(["vip", "major", "ordinary"], size)
    log_odds = -2.0 + 1.2 * complaints + 0.002 * recency
    lapsed = rng.uniform(0, 1, size) < 1 / (1 + np.exp(-log_odds))
    return pd.DataFrame(
        {
            "lapsed": lapsed.astype(int),
            "complaints": complaints,
            "recency": recency,
            "overdue": overdue,
            "noise": noise,
            "grade": grade,
        }
    )


def test_the_true_driver_ranks_first():
    result = churn_drivers(
        synthetic(),
        "lapsed",
        ["complaints", "recency", "overdue", "noise", "grade"],
        categorical=["grade"],
    )
    assert list(result["factor"][:2]) == ["complaints", "recency"]
    complaints = result.set_index("factor").loc["complaints"]
    # true effect: 1.2 per complaint, the standard deviation of a Poisson(1) is 1
    assert complaints["coefficient"] == pytest.approx(1.2, abs=0.15)
    assert complaints["odds_ratio"] > 2.5 and complaints["p_value"] < 1e-6
    assert complaints["ci_low"] < complaints["odds_ratio"] < complaints["ci_high"]
    unrelated = result.set_index("factor").loc[["overdue", "noise"]]
    assert (unrelated["p_value"] > 0.01).all()
    assert set(result["factor"]) >= {"grade=vip", "grade=ordinary"} - {"grade=major"}


def test_constant_factor_is_dropped_and_bad_outcome_refused():
    frame = synthetic(size=500).assign(constant=1.0)
    result = churn_drivers(frame, "lapsed", ["complaints", "constant"])
    assert result.attrs["dropped"] == ["constant"]
    assert list(result["factor"]) == ["complaints"]
    with pytest.raises(ValueError, match="both lapsed and retained"):
        churn_drivers(frame.assign(lapsed=0), "lapsed", ["complaints"])
    with pytest.raises(ValueError, match="none of the factors"):
        churn_drivers(frame, "lapsed", ["constant"])
