"""Churn probability: the chance that a customer lapses (客户流失, 中断期)
in the next 90 days, from a logistic regression fitted on past month ends.

Each training row is a customer at a month end, active then (with orders,
not lapsed); its outcome is 1 when a later month end within the horizon
(3 month ends: 90 days) shows the customer lapsed. Features: recency (days
since the last order), frequency (orders of the last 12 months), value trend
(change of the value of the trend period), complaints (12 months), days
overdue, and the grade (indicators against ``small``). Numeric features are
standardised with the training means and deviations, so that a customer's
contribution of a factor, coefficient x standardised value, says which
factors push the probability up most: the main reasons given with it.

Pure pandas / statsmodels: the model is a plain dict (JSON), fitted and used
without a database (tests: test_analysis_churn_probability.py).
"""

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

NUMERIC_FEATURES = ("recency", "frequency", "value_trend", "complaints", "overdue")
GRADES = ("vip", "major", "ordinary")  # indicators; small is the reference
HORIZON_MONTHS = 3
# a factor is a reason when it adds at least this much to the log-odds
REASON_MIN_CONTRIBUTION = 0.1
# L1 penalty of each coefficient (log-likelihood units), when the plain fit
# diverges; a coefficient beyond MAX_COEFFICIENT (per standard deviation)
# means it did
PENALTY = 1.0
MAX_COEFFICIENT = 8.0
# a fit learns from at most this many customer months (a seeded sample)
MAX_TRAINING_ROWS = 400_000


def label_lapses(snapshots, horizon=HORIZON_MONTHS):
    """Training rows from monthly snapshots.

    ``snapshots``: one row per customer and month end with ``partner_id``,
    ``date`` (month end), ``stage`` and the features' columns. Returns the
    rows of active customers (stage neither lapsed nor prospect) whose next
    ``horizon`` month ends are all in ``snapshots``' months, with ``month``
    (a monthly Period) and ``lapsed_next``: 1 when one of those month ends
    shows them lapsed.
    """
    # no copy of the snapshots: only the active rows are copied (below),
    # and the months' ordinals come from the periods' integers
    month = pd.to_datetime(snapshots["date"]).dt.to_period("M")
    ordinal = pd.Series(month.array.asi8, index=snapshots.index)
    if snapshots.empty or ordinal.max() - ordinal.min() < horizon:
        return snapshots.iloc[0:0].assign(
            month=month.iloc[0:0], lapsed_next=pd.Series(dtype=int)
        )
    # a customer month as one integer: partner x months + ordinal offset
    span = int(ordinal.max() - ordinal.min()) + horizon + 1
    key = snapshots["partner_id"].to_numpy(dtype="int64") * span + (
        ordinal.to_numpy() - ordinal.min()
    )
    is_lapsed = (snapshots["stage"] == "lapsed").to_numpy()
    lapsed_keys = np.unique(key[is_lapsed])
    keep = (
        ~snapshots["stage"].isin(("lapsed", "prospect")).to_numpy()
        & (ordinal <= ordinal.max() - horizon).to_numpy()
    )
    active = snapshots[keep].assign(month=month[keep])
    outcome = np.zeros(len(active), dtype=bool)
    for step in range(1, horizon + 1):
        outcome |= np.isin(key[keep] + step, lapsed_keys)
    active["lapsed_next"] = outcome.astype(int)
    return active


def _design(frame, means, stds):
    columns = {}
    for name in NUMERIC_FEATURES:
        values = frame[name].astype(float).fillna(means[name])
        columns[name] = (values - means[name]) / (stds[name] or 1.0)
    for grade in GRADES:
        columns[f"grade={grade}"] = (frame["grade"] == grade).astype(float)
    return pd.DataFrame(columns, index=frame.index)


def fit_churn_model(rows, outcome="lapsed_next"):
    """Fit the model on ``rows`` (label_lapses); returns a JSON-able dict:
    ``intercept``, ``coefficients`` (term -> log-odds), ``means``,
    ``stds``, ``rows``, ``lapse_rate``. A term without variation gets 0.
    Maximum likelihood (Newton), penalised (L1) when a factor separates the
    outcomes; beyond ``MAX_TRAINING_ROWS`` rows, a seeded sample of them.
    Raises ``ValueError`` when the outcome lacks lapsed or retained rows."""
    if len(rows) > MAX_TRAINING_ROWS:
        rows = rows.sample(MAX_TRAINING_ROWS, random_state=0)
    y = rows[outcome].astype(int)
    if y.nunique() < 2:
        raise ValueError("the outcome needs both lapsed and retained customers")
    means = {name: float(rows[name].astype(float).mean()) for name in NUMERIC_FEATURES}
    means = {name: (0.0 if np.isnan(value) else value) for name, value in means.items()}
    stds = {}
    for name in NUMERIC_FEATURES:
        std = float(rows[name].astype(float).fillna(means[name]).std(ddof=0))
        stds[name] = std if std > 0 else 0.0
    design = _design(rows, means, stds)
    varying = [term for term in design.columns if design[term].nunique() > 1]
    exog = sm.add_constant(design[varying], has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation and convergence: see below
        try:
            fitted = sm.Logit(y, exog).fit(method="newton", maxiter=50, disp=False)
        except np.linalg.LinAlgError:
            fitted = None  # singular: the penalised fit below
        if (
            fitted is None
            or not fitted.mle_retvals.get("converged")
            or not np.isfinite(fitted.params).all()
            or fitted.params.drop("const").abs().max() > MAX_COEFFICIENT
        ):
            # a factor separates the outcomes (few rows, a telling factor):
            # a light L1 penalty (not on the constant) keeps the fit finite
            alpha = np.full(exog.shape[1], PENALTY)
            alpha[0] = 0.0
            fitted = sm.Logit(y, exog).fit_regularized(
                method="l1", alpha=alpha, disp=False, trim_mode="off"
            )
    params = fitted.params
    return {
        "intercept": float(params["const"]),
        "coefficients": {
            term: float(params[term]) if term in varying else 0.0
            for term in design.columns
        },
        "means": means,
        "stds": stds,
        "rows": len(rows),
        "lapse_rate": float(y.mean()),
    }


def score_churn(model, frame, reasons=3):
    """Score ``frame`` (the features' columns and ``grade``) with ``model``:
    a DataFrame on ``frame``'s index with ``probability`` (0-1) and
    ``reasons``, the terms (feature names, or ``grade=...``) adding most to
    the log-odds, largest first, at most ``reasons`` of them."""
    design = _design(frame, model["means"], model["stds"])
    coefficients = pd.Series(model["coefficients"])[design.columns]
    contributions = design * coefficients
    logit = model["intercept"] + contributions.sum(axis=1)
    probability = 1.0 / (1.0 + np.exp(-logit))
    terms = contributions.columns.to_numpy()
    values = contributions.to_numpy()
    order = np.argsort(-values, axis=1)[:, :reasons]
    top = [
        [terms[j] for j in row if values[i, j] >= REASON_MIN_CONTRIBUTION]
        for i, row in enumerate(order)
    ]
    return pd.DataFrame(
        {"probability": probability.to_numpy(), "reasons": top}, index=frame.index
    )


def roc_auc(outcome, score):
    """Area under the ROC curve of ``score`` for the 0/1 ``outcome``: the
    chance that a lapsed customer scores above a retained one (ties count
    half), by the rank sum; NaN without both outcomes."""
    outcome = np.asarray(outcome).astype(int)
    ranks = pd.Series(np.asarray(score, dtype=float)).rank().to_numpy()
    positives = outcome.sum()
    negatives = len(outcome) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = ranks[outcome == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def backtest(snapshots, cutoff, horizon=HORIZON_MONTHS):
    """Fit on the month ends up to ``cutoff`` (a month end; outcomes known
    by then), score the active customers at ``cutoff``, and compare with
    what happened in the next ``horizon`` month ends: {"auc", "recency_auc"
    (the days since the last order alone), "rows" (training), "scored",
    "lapse_rate" (of the scored)}."""
    cutoff = pd.Period(pd.Timestamp(cutoff), "M")
    months = pd.to_datetime(snapshots["date"]).dt.to_period("M")
    model = fit_churn_model(label_lapses(snapshots[months <= cutoff], horizon))
    # the rows at cutoff are labelled by the horizon after it alone: label
    # those months only, not a copy of every month
    window = label_lapses(
        snapshots[(months >= cutoff) & (months <= cutoff + horizon)], horizon
    )
    scored = window[window["month"] == cutoff]
    result = score_churn(model, scored)
    return {
        "auc": roc_auc(scored["lapsed_next"], result["probability"]),
        "recency_auc": roc_auc(scored["lapsed_next"], scored["recency"].fillna(0)),
        "rows": model["rows"],
        "scored": len(scored),
        "lapse_rate": float(scored["lapsed_next"].mean()) if len(scored) else 0.0,
    }
