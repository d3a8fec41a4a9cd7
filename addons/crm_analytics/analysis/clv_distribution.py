"""Customer lifetime value distribution: quantiles per grade, concentration
and a histogram."""

import numpy as np
import pandas as pd

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def clv_distribution(profiles, bins=10):
    """Describe the lifetime values of ``profiles`` (columns ``clv`` and
    ``grade``).

    Returns ``(summary, histogram)``:

    - ``summary``: a row per grade plus ``"all"``: ``customers``, ``total``,
      ``mean``, the quantiles ``p10``..``p90`` (linear interpolation) and
      ``top20_share``, the share of the total held by the top 20% of
      customers by value (the Pareto check; with n customers, the
      ceil(n / 5) most valuable);
    - ``histogram``: ``bins`` equal-width bins over all values with their
      ``lower``, ``upper`` edges and ``customers``.
    """
    frame = profiles[["clv", "grade"]].dropna(subset=["clv"])
    rows = {}
    for grade, values in [("all", frame["clv"])] + [
        (grade, group["clv"]) for grade, group in frame.groupby("grade", sort=False)
    ]:
        rows[grade] = _describe(values.to_numpy(dtype=float))
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "grade"
    counts, edges = (
        np.histogram(frame["clv"].to_numpy(dtype=float), bins=bins)
        if len(frame)
        else (np.zeros(0, dtype=int), np.zeros(1))
    )
    histogram = pd.DataFrame(
        {"lower": edges[:-1], "upper": edges[1:], "customers": counts}
    )
    return summary, histogram


def _describe(values):
    if not len(values):
        return {
            "customers": 0,
            "total": 0.0,
            "mean": np.nan,
            **{_name(q): np.nan for q in QUANTILES},
            "top20_share": np.nan,
        }
    ordered = np.sort(values)[::-1]
    total = ordered.sum()
    top = ordered[: int(np.ceil(len(ordered) / 5))].sum()
    return {
        "customers": len(values),
        "total": total,
        "mean": values.mean(),
        **{_name(q): np.quantile(values, q) for q in QUANTILES},
        "top20_share": top / total if total else np.nan,
    }


def _name(quantile):
    return f"p{round(quantile * 100)}"
