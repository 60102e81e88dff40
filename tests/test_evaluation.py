"""course_utils.evaluation: CCC against its formula and a hand-computed case; plots are labelled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from course_utils import evaluation as ev


def test_ccc_hand_computed_case():
    # x = [1, 2, 3], y = [2, 3, 4]: means 2 and 3, var 2/3 each, cov 2/3
    # ccc = 2*(2/3) / (2/3 + 2/3 + 1) = (4/3) / (7/3) = 4/7
    assert ev.ccc([1, 2, 3], [2, 3, 4]) == pytest.approx(4 / 7)


def test_ccc_matches_formula_and_differs_from_pearson():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = 2 * x + 1  # perfectly correlated but off the 45-degree line
    cov = np.mean((x - x.mean()) * (y - y.mean()))
    expected = 2 * cov / (x.var() + y.var() + (x.mean() - y.mean()) ** 2)
    assert ev.ccc(x, y) == pytest.approx(expected)
    assert np.corrcoef(x, y)[0, 1] == pytest.approx(1.0)
    assert ev.ccc(x, y) < 0.8
    assert ev.ccc(x, x) == pytest.approx(1.0)
    centered = x - x.mean()
    assert ev.ccc(centered, -centered) == pytest.approx(-1.0)


def test_ccc_rejects_bad_input():
    with pytest.raises(ValueError, match="mismo tamaño"):
        ev.ccc([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="dos valores"):
        ev.ccc([1], [1])


def test_chance_accuracy_is_majority_rate():
    assert ev.chance_accuracy(["a", "a", "a", "b"]) == 0.75
    assert ev.chance_accuracy(np.arange(10)) == pytest.approx(0.1)


def test_classification_summary():
    row = ev.classification_summary([0, 1, 1, 0], [0, 1, 0, 0], name="m")
    assert row["modelo"] == "m" and row["accuracy"] == 0.75
    assert 0 < row["f1_macro"] < 1


def test_plots_are_labelled():
    ax = ev.plot_confusion([0, 1, 1], [0, 1, 0], labels=[0, 1], title="Matriz")
    assert ax.get_title() == "Matriz" and ax.get_xlabel() == "Clase predicha"
    fig = ev.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]},
                          title="Curvas")
    assert len(fig.axes) == 2 and fig.axes[0].get_xlabel() == "Época"
    ticks = fig.axes[0].get_xticks()
    assert all(float(t).is_integer() for t in ticks)  # whole epochs only
    with pytest.raises(ValueError, match="métricas"):
        ev.plot_history({"mae": [1.0]}, title="x")
    table = pd.DataFrame({"modelo": ["a", "b"], "accuracy": [0.9, 0.6]})
    ax = ev.plot_comparison(table, "accuracy", title="Comparación", chance=0.1)
    assert ax.get_title() == "Comparación" and [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    aucs = ev.plot_roc({"perfecto": ([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]),
                        "al revés": ([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])}, title="ROC")
    assert aucs == {"perfecto": 1.0, "al revés": 0.0}


def test_xgboost_device_is_cpu_without_gpu():
    assert ev.xgboost_device() == "cpu"
