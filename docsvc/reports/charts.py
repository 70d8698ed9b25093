"""Charts drawn by matplotlib as SVG with real text (selectable and searchable in the PDF).

The object API (Figure, not pyplot) keeps no global state, so requests on several threads can
draw at once.
"""

from __future__ import annotations

import io
import re

from docsvc.reports.model import Chart

PALETTE = ["#1d4e89", "#e07a1f", "#3a7d44", "#a4161a", "#6c4f9c", "#7a7a7a"]


def _label(text: str) -> str:
    # A "$" pair would switch matplotlib into mathtext.
    return text.replace("$", r"\$")


def svg(chart: Chart) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    horizontal = chart.kind in ("barh", "stacked_barh")
    height = max(2.6, 0.32 * len(chart.labels) + 1.2) if horizontal else 2.8
    fig = Figure(figsize=(7.0, height))
    ax = fig.add_subplot()
    labels = [_label(x) for x in chart.labels]
    positions = list(range(len(labels)))
    base = [0.0] * len(labels)
    for i, (name, values) in enumerate(chart.series.items()):
        colour = PALETTE[i % len(PALETTE)]
        name = _label(name)
        if chart.kind == "line":
            ax.plot(positions, values, marker="o", color=colour, label=name)
        elif horizontal:
            ax.barh(positions, values, left=base, color=colour, label=name)
        else:
            ax.bar(positions, values, bottom=base, color=colour, label=name)
        if chart.kind.startswith("stacked"):
            base = [b + (v or 0) for b, v in zip(base, values, strict=True)]
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(_label(chart.y_label))
    else:
        ax.set_xticks(positions, labels)
        ax.set_ylabel(_label(chart.y_label))
    if chart.percent:
        (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(PercentFormatter())
        (ax.set_xlim if horizontal else ax.set_ylim)(0, 100)
    ax.set_title(_label(chart.title), fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    if len(chart.series) > 1:
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    # Inline in the report's HTML: drop the XML prologue and DOCTYPE.
    return re.sub(r"^.*?(?=<svg)", "", out.getvalue(), flags=re.S)
