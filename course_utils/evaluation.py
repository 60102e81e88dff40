"""Evaluation helpers shared by the lessons: metrics the lectures use and labelled plots.

Everything a student reads (titles, axis labels) is in Spanish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ccc",
    "chance_accuracy",
    "classification_summary",
    "plot_comparison",
    "plot_confusion",
    "plot_history",
    "plot_roc",
    "xgboost_device",
]


def ccc(y_true: Sequence[float] | np.ndarray, y_pred: Sequence[float] | np.ndarray) -> float:
    """Lin's concordance correlation coefficient.

    ``2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))**2)`` with population (biased)
    moments. It is 1 only when predictions lie on the 45-degree line; Pearson's r is 1 for
    any increasing linear relation.
    """
    x = np.asarray(y_true, dtype=float).ravel()
    y = np.asarray(y_pred, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"y_true y y_pred deben tener el mismo tamaño ({x.size} != {y.size}).")
    if x.size < 2:
        raise ValueError("El CCC necesita al menos dos valores.")
    mx, my = x.mean(), y.mean()
    cov = np.mean((x - mx) * (y - my))
    denom = x.var() + y.var() + (mx - my) ** 2
    if denom == 0:
        return 1.0 if np.allclose(x, y) else 0.0
    return float(2 * cov / denom)


def chance_accuracy(y: Sequence[Any] | np.ndarray) -> float:
    """Accuracy of always predicting the most frequent class (the bar a model must beat)."""
    _, counts = np.unique(np.asarray(y), return_counts=True)
    if counts.size == 0:
        raise ValueError("No hay etiquetas.")
    return float(counts.max() / counts.sum())


def classification_summary(y_true, y_pred, *, name: str = "modelo") -> dict[str, float | str]:
    """Accuracy and macro F1 of one model, as a row for a results table."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "modelo": name,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "f1_macro": float(f1_score(y_true, y_pred, average="macro")),
    }


def xgboost_device() -> str:
    """``"cuda"`` when TensorFlow sees a GPU (XGBoost can use it too), else ``"cpu"``."""
    try:
        import tensorflow as tf

        return "cuda" if tf.config.list_physical_devices("GPU") else "cpu"
    except ImportError:  # pragma: no cover
        return "cpu"


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_confusion(y_true, y_pred, labels: Sequence[Any] | None = None, *, title: str,
                   normalize: str | None = None, ax=None):
    """Confusion matrix with Spanish axis labels; returns the axes."""
    from sklearn.metrics import ConfusionMatrixDisplay

    ax = _axes(ax)
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=labels, normalize=normalize, ax=ax, colorbar=False,
        values_format=".2f" if normalize else "d", cmap="Blues",
    )
    ax.set_title(title)
    ax.set_xlabel("Clase predicha")
    ax.set_ylabel("Clase verdadera")
    ax.grid(False)
    return ax


def plot_history(history: Any, *, title: str, metrics: Sequence[str] = ("loss", "accuracy")):
    """Training and validation curves of a Keras ``History`` (or its ``.history`` dict),
    one panel per metric; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    shown = [m for m in metrics if m in logs]
    if not shown:
        raise ValueError(f"El historial no tiene ninguna de las métricas {list(metrics)}: "
                         f"tiene {sorted(logs)}.")
    names = {"loss": "pérdida", "accuracy": "exactitud (accuracy)"}
    fig, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], shown):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], marker="o", label="entrenamiento")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], marker="s", label="validación")
        ax.set_xlabel("Época")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(names.get(metric, metric))
        ax.set_title(names.get(metric, metric).capitalize())
        ax.legend()
    fig.suptitle(title)
    return fig


def plot_comparison(table: pd.DataFrame, metric: str, *, by: str = "modelo", title: str,
                    chance: float | None = None, ax=None):
    """Horizontal bar chart of ``metric`` per model, best on top, with an optional chance line."""
    ax = _axes(ax)
    ordered = table.sort_values(metric)
    ax.barh(ordered[by].astype(str), ordered[metric], color="tab:blue")
    for y, value in enumerate(ordered[metric]):
        ax.text(value, y, f" {value:.3f}", va="center")
    if chance is not None:
        ax.axvline(chance, color="tab:red", linestyle="--", label=f"azar ({chance:.2f})")
        ax.legend(loc="lower right")
    ax.set_xlabel(metric)
    ax.set_ylabel(by)
    ax.set_title(title)
    ax.set_xlim(0, max(1.0, float(ordered[metric].max()) * 1.12))
    return ax


def plot_roc(curves: Mapping[str, tuple[Any, Any]], *, title: str, ax=None) -> dict[str, float]:
    """ROC curves of several binary scorers on one plot; returns each one's AUC.

    ``curves`` maps a model name to ``(y_true, score_of_positive_class)``.
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    ax = _axes(ax)
    aucs = {}
    for name, (y_true, scores) in curves.items():
        fpr, tpr, _ = roc_curve(y_true, scores)
        aucs[name] = float(roc_auc_score(y_true, scores))
        ax.plot(fpr, tpr, label=f"{name} (AUC = {aucs[name]:.3f})")
    ax.plot([0, 1], [0, 1], color="gray", linestyle=":", label="azar")
    ax.set_xlabel("Tasa de falsos positivos")
    ax.set_ylabel("Tasa de verdaderos positivos")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return aucs
