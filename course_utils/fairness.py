"""Figures and the model card of the subgroup evaluation (lessons 05 and 11).

Lesson 11 writes what it teaches as code in the lesson: error rates per group, calibration
(reliability table, ECE, temperature scaling) and threshold balancing. This module holds the
shared plumbing around it:

- :func:`plot_group_errors`: horizontal bars of the error rate per group (e.g. per speaker),
  coloured by a second column (e.g. the class) with one legend patch per colour.
- :func:`plot_confusion_by_group`: one row-normalised confusion matrix per group.
- :func:`plot_reliability`: reliability diagram from reliability tables.
- :func:`plot_threshold_sweep`: a metric per group against the decision threshold.
- :func:`markdown_table` and :func:`model_card`: a Markdown model card from text, key-value
  pairs and tables.

The positive class is 1 (``mujer`` in the gender lessons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "plot_group_errors",
    "plot_confusion_by_group",
    "plot_reliability",
    "plot_threshold_sweep",
    "markdown_table",
    "model_card",
]


def plot_group_errors(report: pd.DataFrame, by: str, *, title: str, label: str | None = None,
                      overall: float | None = None, hue: pd.Series | None = None, ax=None):
    """Horizontal bars of the error rate per group.

    ``report`` has one row per group with columns ``by``, ``error`` (0-1) and ``clips``;
    ``label`` names the groups on the axis (default ``by``); ``overall`` draws the overall
    error as a dashed line; ``hue`` (indexed like ``report``) colours the bars, with one legend
    patch per value.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    missing = [c for c in (by, "error", "clips") if c not in report.columns]
    if missing:
        raise KeyError(f"La tabla no tiene las columnas {missing}; tiene {list(report.columns)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, max(2.5, 0.3 * len(report) + 1)))
    ordered = report.iloc[::-1]
    colors: list[str] | str = "tab:blue"
    handles = []
    if hue is not None:
        palette = {v: f"C{i}" for i, v in enumerate(sorted(pd.unique(hue.astype(str))))}
        colors = [palette[str(v)] for v in hue.loc[ordered.index]]
        handles = [Patch(color=color, label=value) for value, color in palette.items()]
    ax.barh(ordered[by].astype(str), 100 * ordered["error"], color=colors)
    for y, (err, n) in enumerate(zip(ordered["error"], ordered["clips"])):
        ax.text(100 * err, y, f" {100 * err:.0f} % (n={n})", va="center", fontsize=8)
    if overall is not None:
        handles.append(ax.axvline(100 * overall, color="tab:red", linestyle="--",
                                  label=f"global ({100 * overall:.1f} %)"))
    ax.set_xlabel("Tasa de error (%)")
    ax.set_ylabel(label or by)
    ax.set_title(title)
    ax.set_xlim(0, max(10.0, 100 * float(ordered["error"].max()) * 1.3))
    if handles:
        ax.legend(handles=handles, loc="lower right")
    return ax


def plot_confusion_by_group(frame: pd.DataFrame, by: str, *, labels: Sequence[str],
                            label: str | None = None, y_true: str = "label", prob: str = "prob",
                            threshold: float = 0.5, groups: Sequence | None = None,
                            title: str = ""):
    """One row-normalised confusion matrix per group (``groups`` picks and orders them);
    ``label`` names the grouping in each panel's title (default ``by``)."""
    import matplotlib.pyplot as plt

    from .evaluation import plot_confusion

    missing = [c for c in (by, y_true, prob) if c not in frame.columns]
    if missing:
        raise KeyError(f"La tabla no tiene las columnas {missing}; tiene {list(frame.columns)}.")
    groups = list(groups) if groups is not None else sorted(frame[by].dropna().unique(), key=str)
    fig, axes = plt.subplots(1, len(groups), figsize=(3.4 * len(groups), 3.2), squeeze=False)
    for ax, group in zip(axes[0], groups):
        part = frame[frame[by] == group]
        y = [labels[int(v)] for v in part[y_true]]
        pred = [labels[int(v)] for v in (part[prob] >= threshold)]
        plot_confusion(y, pred, labels=list(labels), normalize="true", ax=ax,
                       title=f"{label or by}: {group} (n={len(part)})")
    if title:
        fig.suptitle(title)
    return fig


def plot_reliability(tables: Mapping[str, pd.DataFrame], *, title: str, ax=None):
    """Reliability diagram: one curve per name -> reliability table (columns ``prob. media``
    and ``frecuencia observada``, one row per non-empty probability bin)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], color="gray", linestyle=":", label="calibración perfecta")
    for name, table in tables.items():
        ax.plot(table["prob. media"], table["frecuencia observada"], marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Probabilidad predicha de la clase positiva")
    ax.set_ylabel("Frecuencia observada de la clase positiva")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return ax


_METRIC_NAMES = {"error": "Tasa de error", "tasa FN": "Tasa de falsos negativos",
                 "tasa FP": "Tasa de falsos positivos", "accuracy": "Exactitud"}


def plot_threshold_sweep(sweep: pd.DataFrame, by: str, *, metric: str = "error", title: str,
                         label: str | None = None, mark: float | None = 0.5, ax=None):
    """``metric`` (a column of ``sweep``, as a fraction) against the column ``umbral``, one
    line per group of ``by``; ``label`` names the grouping in the legend (default ``by``)."""
    import matplotlib.pyplot as plt

    if metric not in sweep.columns:
        raise KeyError(f"La tabla no tiene la métrica {metric!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    # groups in order of first appearance (a categorical column keeps its category order)
    for value, part in sweep.groupby(by, sort=False, observed=True):
        ax.plot(part["umbral"], 100 * part[metric], marker=".", label=f"{label or by}: {value}")
    if mark is not None:
        ax.axvline(mark, color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel("Umbral de decisión sobre la probabilidad de la clase positiva")
    ax.set_ylabel(f"{_METRIC_NAMES.get(metric, metric)} (%)")
    ax.set_ylim(0, max(10.0, 110 * float(np.nanmax(sweep[metric].to_numpy(dtype=float)))))
    ax.set_title(title)
    ax.legend()
    return ax


# ----------------------------------------------------------------------------- model card
def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if np.isfinite(value) else "—"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame, *, index: bool = False) -> str:
    """A DataFrame as a Markdown table (floats with 3 decimals)."""
    if index:
        table = table.reset_index()
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def model_card(title: str, sections: Mapping[str, str | Mapping | pd.DataFrame]) -> str:
    """A Markdown model card: ``# title`` then one ``## section`` per entry; a string is a
    paragraph, a mapping a bullet list (``- **key**: value``), a DataFrame a table."""
    parts = [f"# {title}"]
    for heading, content in sections.items():
        parts.append(f"## {heading}")
        if isinstance(content, pd.DataFrame):
            parts.append(markdown_table(content))
        elif isinstance(content, Mapping):
            parts.append("\n".join(f"- **{k}**: {_cell(v)}" for k, v in content.items()))
        else:
            parts.append(str(content).strip())
    return "\n\n".join(parts) + "\n"
