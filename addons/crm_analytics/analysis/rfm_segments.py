"""RFM segment map: the usual named segments from the recency and frequency
scores (1-5, 5 best), as the widely used RFM grid draws them (R on one
axis, F on the other; M describes the segment but does not place it)."""

import pandas as pd

# (segment, recency scores, frequency scores): the 25 cells of the grid,
# each in exactly one segment
SEGMENT_GRID = (
    ("champions", (5,), (4, 5)),
    ("loyal", (3, 4), (4, 5)),
    ("potential_loyalists", (4, 5), (2, 3)),
    ("new_customers", (5,), (1,)),
    ("promising", (4,), (1,)),
    ("need_attention", (3,), (3,)),
    ("about_to_sleep", (3,), (1, 2)),
    ("cannot_lose", (1, 2), (5,)),
    ("at_risk", (1, 2), (3, 4)),
    ("hibernating", (1, 2), (1, 2)),
)
SEGMENTS = tuple(name for name, _r, _f in SEGMENT_GRID)
_CELL_SEGMENT = {(r, f): name for name, rs, fs in SEGMENT_GRID for r in rs for f in fs}


def assign_segments(recency, frequency):
    """The segment of each (recency score, frequency score) pair: a Series
    aligned on ``recency``; pairs outside 1-5 (no orders yet) get NaN."""
    cells = pd.Series(list(zip(recency, frequency, strict=True)), index=recency.index)
    return cells.map(_CELL_SEGMENT)


def rfm_segment_map(profiles):
    """Customers, value and mean scores per segment.

    ``profiles``: one row per customer with ``recency_score``,
    ``frequency_score``, ``monetary_score`` and ``value``. Returns one row
    per segment in ``SEGMENTS`` order (empty segments included, with 0):
    ``customers``, ``share`` (of the scored customers), ``value``,
    ``value_share``, ``avg_recency``, ``avg_frequency``, ``avg_monetary``.
    """
    frame = profiles.assign(
        segment=assign_segments(profiles["recency_score"], profiles["frequency_score"])
    ).dropna(subset=["segment"])
    grouped = frame.groupby("segment").agg(
        customers=("segment", "size"),
        value=("value", "sum"),
        avg_recency=("recency_score", "mean"),
        avg_frequency=("frequency_score", "mean"),
        avg_monetary=("monetary_score", "mean"),
    )
    result = grouped.reindex(list(SEGMENTS))
    # an empty frame groups into object columns: cast before filling
    result["customers"] = result["customers"].astype(float).fillna(0).astype(int)
    result["value"] = result["value"].astype(float).fillna(0.0)
    total_customers = result["customers"].sum()
    total_value = result["value"].sum()
    result["share"] = result["customers"] / total_customers if total_customers else 0.0
    result["value_share"] = result["value"] / total_value if total_value else 0.0
    result.index.name = "segment"
    return result[
        [
            "customers",
            "share",
            "value",
            "value_share",
            "avg_recency",
            "avg_frequency",
            "avg_monetary",
        ]
    ]
