"""Cohort retention by first-purchase month."""

import pandas as pd


def cohort_retention(orders, as_of=None):
    """Share of each cohort that buys again N months after its first month.

    ``orders``: one row per order with ``partner_id`` and ``date`` (any
    date-like). A customer's cohort is the month of its first order; month 0
    is that month (always 1.0). ``as_of`` (a date, default the last order's)
    ends the observation: months after it are NaN, not 0, since they have
    not happened yet.

    Returns ``(sizes, retention)``: the customers per cohort (a Series
    indexed by cohort month) and the retention matrix (cohort months x
    months since the first purchase, 0 to the longest observed offset).
    """
    dates = pd.to_datetime(orders["date"])
    # months as integers (year * 12 + month): offsets are plain subtractions
    frame = pd.DataFrame(
        {
            "partner_id": orders["partner_id"].to_numpy(),
            "month": (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(),
        }
    )
    if as_of is None:
        last = frame["month"].max() if len(frame) else 0
    else:
        as_of = pd.Timestamp(as_of)
        last = as_of.year * 12 + as_of.month - 1
        # orders after the observation's end are not known yet
        frame = frame[frame["month"] <= last].copy()
    if frame.empty:
        empty = pd.PeriodIndex([], freq="M", name="cohort")
        return pd.Series([], index=empty, dtype=int, name="customers"), pd.DataFrame(
            index=empty
        )
    frame["cohort"] = frame.groupby("partner_id")["month"].transform("min")
    frame["offset"] = frame["month"] - frame["cohort"]
    active = frame.drop_duplicates(["partner_id", "offset"])
    counts = active.pivot_table(
        index="cohort",
        columns="offset",
        values="partner_id",
        aggfunc="count",
        fill_value=0,
    )
    sizes = counts[0].rename("customers")
    width = last - sizes.index.min() + 1
    retention = counts.reindex(columns=range(width), fill_value=0).div(sizes, axis=0)
    for cohort in retention.index:
        retention.loc[cohort, retention.columns > last - cohort] = float("nan")
    cohorts = pd.PeriodIndex(
        [pd.Period(year=m // 12, month=m % 12 + 1, freq="M") for m in sizes.index],
        name="cohort",
    )
    sizes.index = cohorts
    retention.index = cohorts
    retention.columns.name = "month"
    return sizes, retention
