"""Charts of the management report, drawn server-side by matplotlib into PNG
(base64, embedded in the QWeb page that wkhtmltopdf prints). Labels come in
translated; a CJK font found by matplotlib's font manager draws Chinese, and
the default font stands in when there is none (Chinese then shows as boxes,
the figures stay right)."""

import base64
import functools
import io

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

# preferred CJK families of fonts-noto-cjk and other common packages
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Noto Serif CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
)
COLORS = ("#714B67", "#017E84", "#E99D00", "#A2A2A2", "#D44C59", "#5B899E")


@functools.cache
def cjk_family():
    """Name of an installed font family that draws Chinese, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return next((name for name in sorted(installed) if "CJK" in name), None)


def _figure(width=6.4, height=3.2):
    figure = Figure(figsize=(width, height), dpi=110)
    return figure, figure.add_subplot()


def _png(figure):
    figure.tight_layout()
    output = io.BytesIO()
    figure.savefig(output, format="png")
    return base64.b64encode(output.getvalue()).decode()


def _fonts(draw):
    """Draw with the CJK family first, the default font for what it lacks."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        family = cjk_family()
        families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
        with rc_context({"font.family": families, "axes.unicode_minus": False}):
            return draw(*args, **kwargs)

    return wrapper


@_fonts
def pyramid_chart(labels, counts, title):
    """The customer pyramid: one centred bar per grade, the top grade on top,
    each as wide as its customer count."""
    figure, axes = _figure(height=2.6)
    widest = max(counts, default=0) or 1
    positions = list(range(len(labels)))[::-1]
    axes.barh(
        positions,
        counts,
        left=[-count / 2 for count in counts],
        color=COLORS[: len(labels)],
        height=0.9,
    )
    for position, label, count in zip(positions, labels, counts, strict=True):
        color = "white" if count > widest / 3 else "black"
        axes.text(
            0, position, f"{label}  {count}", ha="center", va="center", color=color
        )
    axes.set_xlim(-widest / 2 * 1.05, widest / 2 * 1.05)
    axes.set_axis_off()
    axes.set_title(title)
    return _png(figure)


@_fonts
def bar_chart(labels, values, title, ylabel=""):
    figure, axes = _figure()
    axes.bar(range(len(labels)), values, color=COLORS[1])
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    # from zero up, also when every value is zero (an empty period)
    axes.set_ylim(bottom=0, top=max(values, default=0) * 1.15 or 1)
    for index, value in enumerate(values):
        axes.annotate(f"{value:g}", (index, value), ha="center", va="bottom")
    return _png(figure)


@_fonts
def line_chart(labels, series, title, ylabel=""):
    """``series``: [(name, values)], one line each over the ``labels``; a
    value None (no figure that month) leaves a gap."""
    figure, axes = _figure()
    for color, (name, values) in zip(COLORS, series, strict=False):
        points = [float("nan") if value is None else value for value in values]
        axes.plot(range(len(labels)), points, marker="o", label=name, color=color)
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_ylim(bottom=0)
    if series:
        axes.legend()
    return _png(figure)
