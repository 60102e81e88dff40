"""Evaluation by subgroup for binary classifiers (lessons 05 and 11).

- :func:`group_report`: clips, accuracy and both error rates per group (speaker, age, accent...).
- :func:`plot_group_errors`, :func:`plot_confusion_by_group`.
- Calibration: :func:`reliability_table`, :func:`expected_calibration_error`,
  :func:`plot_reliability` (reliability diagram).
- :func:`fit_temperature` / :func:`apply_temperature`: temperature scaling, the one-parameter
  recalibration fitted on validation.
- Thresholds: :func:`threshold_sweep` (error rates per group for each decision threshold),
  :func:`plot_threshold_sweep` and :func:`balanced_threshold` (false-negative rate = false-positive
  rate).
- :func:`model_card`: a Markdown model card from text, key-value pairs and tables.

A prediction table has one row per clip with the true label (0/1), the probability of the
positive class and the group columns. The positive class is 1 (``mujer`` in the gender lessons):
"falsos negativos" are positives predicted 0, "falsos positivos" negatives predicted 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "group_report",
    "plot_group_errors",
    "plot_confusion_by_group",
    "reliability_table",
    "expected_calibration_error",
    "plot_reliability",
    "fit_temperature",
    "apply_temperature",
    "threshold_sweep",
    "balanced_threshold",
    "plot_threshold_sweep",
    "markdown_table",
    "model_card",
]


def _check_columns(frame: pd.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"La tabla de predicciones no tiene las columnas {missing}; tiene {list(frame.columns)}.")


def _rates(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    pos, neg = y == 1, y == 0
    return {
        "accuracy": float(np.mean(pred == y)) if len(y) else np.nan,
        "error": float(np.mean(pred != y)) if len(y) else np.nan,
        "tasa FN": float(np.mean(pred[pos] == 0)) if pos.any() else np.nan,
        "tasa FP": float(np.mean(pred[neg] == 1)) if neg.any() else np.nan,
    }


def group_report(frame: pd.DataFrame, by: str, *, y_true: str = "label", prob: str = "prob",
                 threshold: float = 0.5, min_count: int = 1) -> pd.DataFrame:
    """One row per value of ``by``: clips, positives, accuracy, error, false-negative rate
    (positives missed), false-positive rate and mean predicted probability; sorted by error.

    Groups with fewer than ``min_count`` clips are left out (their rates are mostly noise).
    """
    _check_columns(frame, by, y_true, prob)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"El umbral debe estar entre 0 y 1; recibí {threshold}.")
    rows = []
    for value, part in frame.groupby(by, sort=True, observed=True):
        if len(part) < min_count:
            continue
        y = part[y_true].to_numpy().astype(int)
        pred = (part[prob].to_numpy() >= threshold).astype(int)
        rows.append({by: value, "clips": len(part), "positivos": int(y.sum()), **_rates(y, pred),
                     "prob. media": float(part[prob].mean())})
    if not rows:
        raise ValueError(f"Ningún grupo de {by!r} tiene al menos {min_count} clips.")
    return pd.DataFrame(rows).sort_values(["error", "clips"], ascending=[False, False]).reset_index(drop=True)


def plot_group_errors(report: pd.DataFrame, by: str, *, title: str, overall: float | None = None,
                      hue: pd.Series | None = None, ax=None):
    """Horizontal bars of the error rate per group (from :func:`group_report`), with the
    overall error as a dashed line; ``hue`` (indexed like ``report``) colours the bars."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, max(2.5, 0.3 * len(report) + 1)))
    ordered = report.iloc[::-1]
    colors = None
    if hue is not None:
        palette = {v: f"C{i}" for i, v in enumerate(sorted(pd.unique(hue.astype(str))))}
        colors = [palette[str(v)] for v in hue.loc[ordered.index]]
        for value, color in palette.items():
            ax.barh([], [], color=color, label=value)
    ax.barh(ordered[by].astype(str), 100 * ordered["error"], color=colors or "tab:blue")
    for y, (err, n) in enumerate(zip(ordered["error"], ordered["clips"])):
        ax.text(100 * err, y, f" {100 * err:.0f} % (n={n})", va="center", fontsize=8)
    if overall is not None:
        ax.axvline(100 * overall, color="tab:red", linestyle="--", label=f"global ({100 * overall:.1f} %)")
    ax.set_xlabel("Tasa de error (%)")
    ax.set_ylabel(by)
    ax.set_title(title)
    ax.set_xlim(0, max(10.0, 100 * float(ordered["error"].max()) * 1.3))
    if overall is not None or hue is not None:
        ax.legend(loc="lower right")
    return ax


def plot_confusion_by_group(frame: pd.DataFrame, by: str, *, labels: Sequence[str],
                            y_true: str = "label", prob: str = "prob", threshold: float = 0.5,
                            groups: Sequence | None = None, title: str = ""):
    """One row-normalised confusion matrix per group (``groups`` picks and orders them)."""
    import matplotlib.pyplot as plt

    from .evaluation import plot_confusion

    _check_columns(frame, by, y_true, prob)
    groups = list(groups) if groups is not None else sorted(frame[by].dropna().unique(), key=str)
    fig, axes = plt.subplots(1, len(groups), figsize=(3.4 * len(groups), 3.2), squeeze=False)
    for ax, group in zip(axes[0], groups):
        part = frame[frame[by] == group]
        y = [labels[int(v)] for v in part[y_true]]
        pred = [labels[int(v)] for v in (part[prob] >= threshold)]
        plot_confusion(y, pred, labels=list(labels), normalize="true", ax=ax,
                       title=f"{by} = {group} (n={len(part)})")
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------- calibration
def _binned(y_true, prob, n_bins: int):
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(prob, dtype=float).ravel()
    if y.shape != p.shape or y.size == 0:
        raise ValueError("y_true y prob deben ser listas no vacías del mismo largo.")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("Las probabilidades deben estar entre 0 y 1.")
    if n_bins < 1:
        raise ValueError(f"`n_bins` debe ser al menos 1; recibí {n_bins}.")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_bins - 1)
    return y, p, edges, bins


def reliability_table(y_true, prob, n_bins: int = 10) -> pd.DataFrame:
    """Equal-width probability bins: clips, mean predicted probability and observed frequency
    of the positive class (empty bins are left out)."""
    y, p, edges, bins = _binned(y_true, prob, n_bins)
    rows = []
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            rows.append({"desde": edges[b], "hasta": edges[b + 1], "clips": int(inside.sum()),
                         "prob. media": float(p[inside].mean()),
                         "frecuencia observada": float(y[inside].mean())})
    return pd.DataFrame(rows)


def expected_calibration_error(y_true, prob, n_bins: int = 10) -> float:
    """ECE: mean over bins of |observed frequency - mean probability|, weighted by clips."""
    table = reliability_table(y_true, prob, n_bins)
    gap = (table["frecuencia observada"] - table["prob. media"]).abs()
    return float((gap * table["clips"]).sum() / table["clips"].sum())


def plot_reliability(curves: Mapping[str, tuple], *, title: str, n_bins: int = 10, ax=None
                     ) -> dict[str, float]:
    """Reliability diagram of several models (name -> (y_true, prob)); returns each ECE."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], color="gray", linestyle=":", label="calibración perfecta")
    eces = {}
    for name, (y, p) in curves.items():
        table = reliability_table(y, p, n_bins)
        eces[name] = expected_calibration_error(y, p, n_bins)
        ax.plot(table["prob. media"], table["frecuencia observada"], marker="o",
                label=f"{name} (ECE = {eces[name]:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Probabilidad predicha de la clase positiva")
    ax.set_ylabel("Frecuencia observada de la clase positiva")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return eces


_EPS = 1e-7


def _logit(prob) -> np.ndarray:
    p = np.clip(np.asarray(prob, dtype=float), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def apply_temperature(prob, temperature: float) -> np.ndarray:
    """Probabilities with their logit divided by ``temperature`` (>1 softens, <1 sharpens)."""
    if temperature <= 0:
        raise ValueError(f"La temperatura debe ser positiva; recibí {temperature}.")
    return 1.0 / (1.0 + np.exp(-_logit(prob) / temperature))


def fit_temperature(y_true, prob) -> float:
    """The temperature that minimises the log-loss of ``prob`` on (validation) labels ``y_true``.

    Dividing every logit by the same number keeps the ranking (AUC) and, at threshold 0.5, the
    decisions; it only makes the probabilities more or less confident.
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(y_true, dtype=float).ravel()
    z = _logit(prob).ravel()
    if y.shape != z.shape or y.size == 0:
        raise ValueError("y_true y prob deben ser listas no vacías del mismo largo.")

    def nll(log_t: float) -> float:
        p = np.clip(1.0 / (1.0 + np.exp(-z / np.exp(log_t))), _EPS, 1 - _EPS)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    result = minimize_scalar(nll, bounds=(np.log(0.02), np.log(50.0)), method="bounded")
    return float(np.exp(result.x))


# ----------------------------------------------------------------------------- thresholds
def threshold_sweep(frame: pd.DataFrame, by: str, thresholds: Sequence[float] | np.ndarray, *,
                    y_true: str = "label", prob: str = "prob") -> pd.DataFrame:
    """Error, false-negative and false-positive rates per group for every threshold (long
    format: columns ``umbral``, ``by``, ``clips``, accuracy, error, tasa FN, tasa FP)."""
    _check_columns(frame, by, y_true, prob)
    rows = []
    for t in np.asarray(thresholds, dtype=float):
        for value, part in frame.groupby(by, sort=True, observed=True):
            y = part[y_true].to_numpy().astype(int)
            pred = (part[prob].to_numpy() >= t).astype(int)
            rows.append({"umbral": float(t), by: value, "clips": len(part), **_rates(y, pred)})
    return pd.DataFrame(rows)


def balanced_threshold(y_true, prob, *, grid: Sequence[float] | np.ndarray | None = None) -> float:
    """The threshold (on a grid of 0.01) where the false-negative and false-positive rates are
    closest: both classes then bear about the same error rate. Among equally good thresholds
    (e.g. when the classes are perfectly separated) the one nearest 0.5 wins."""
    y = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(prob, dtype=float).ravel()
    if not ((y == 0).any() and (y == 1).any()):
        raise ValueError("Hacen falta ejemplos de las dos clases para equilibrar sus errores.")
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2) if grid is None else np.asarray(grid, dtype=float)
    gaps = np.array([abs(np.mean(p[y == 1] < t) - np.mean(p[y == 0] >= t)) for t in grid])
    tied = np.flatnonzero(np.isclose(gaps, gaps.min()))
    return float(grid[tied[np.argmin(np.abs(grid[tied] - 0.5))]])  # ties: the one nearest 0.5


def plot_threshold_sweep(sweep: pd.DataFrame, by: str, *, metric: str = "error", title: str,
                         mark: float | None = 0.5, ax=None):
    """``metric`` (error, tasa FN, tasa FP, accuracy) against the threshold, one line per group."""
    import matplotlib.pyplot as plt

    if metric not in sweep.columns:
        raise KeyError(f"La tabla no tiene la métrica {metric!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    for value, part in sweep.groupby(by, sort=True, observed=True):
        ax.plot(part["umbral"], 100 * part[metric], marker=".", label=f"{by} = {value}")
    if mark is not None:
        ax.axvline(mark, color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel("Umbral de decisión sobre la probabilidad de la clase positiva")
    ax.set_ylabel(f"{metric} (%)")
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
