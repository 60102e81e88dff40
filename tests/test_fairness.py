"""course_utils.fairness: per-group rates, calibration, threshold sweeps and the model card."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from course_utils import fairness as fx


@pytest.fixture
def predictions():
    # group a: 4 positives (1 missed), 2 negatives (0 false alarms)
    # group b: 1 positive (caught), 3 negatives (2 false alarms)
    return pd.DataFrame({
        "g": ["a"] * 6 + ["b"] * 4,
        "label": [1, 1, 1, 1, 0, 0, 1, 0, 0, 0],
        "prob": [0.9, 0.8, 0.7, 0.2, 0.1, 0.3, 0.6, 0.7, 0.55, 0.1],
    })


def test_group_report(predictions):
    report = fx.group_report(predictions, "g").set_index("g")
    assert report.loc["a", "clips"] == 6 and report.loc["a", "positivos"] == 4
    assert report.loc["a", "error"] == pytest.approx(1 / 6)
    assert report.loc["a", "tasa FN"] == pytest.approx(1 / 4)
    assert report.loc["a", "tasa FP"] == 0.0
    assert report.loc["b", "error"] == pytest.approx(2 / 4)
    assert report.loc["b", "tasa FP"] == pytest.approx(2 / 3)
    assert report.loc["b", "prob. media"] == pytest.approx(np.mean([0.6, 0.7, 0.55, 0.1]))
    assert list(report.index) == ["b", "a"]  # worst group first
    assert list(fx.group_report(predictions, "g", min_count=5)["g"]) == ["a"]
    with pytest.raises(ValueError, match="al menos"):
        fx.group_report(predictions, "g", min_count=50)
    with pytest.raises(KeyError, match="columnas"):
        fx.group_report(predictions, "edad")


def test_group_report_nan_when_a_group_has_one_class():
    frame = pd.DataFrame({"g": ["x", "x"], "label": [0, 0], "prob": [0.2, 0.9]})
    row = fx.group_report(frame, "g").iloc[0]
    assert np.isnan(row["tasa FN"]) and row["tasa FP"] == 0.5


def test_reliability_and_ece():
    # bin [0.2, 0.3): 10 clips at 0.25, 3 positives (observed 0.3); bin [0.8, 0.9): 10 at 0.85, 7 positives
    prob = np.r_[np.full(10, 0.25), np.full(10, 0.85)]
    y = np.r_[np.ones(3), np.zeros(7), np.ones(7), np.zeros(3)]
    table = fx.reliability_table(y, prob, n_bins=10)
    assert table["clips"].tolist() == [10, 10]
    np.testing.assert_allclose(table["frecuencia observada"], [0.3, 0.7])
    assert fx.expected_calibration_error(y, prob) == pytest.approx((0.05 * 10 + 0.15 * 10) / 20)
    rng = np.random.default_rng(0)
    p = rng.uniform(size=20000)
    calibrated = (rng.uniform(size=p.size) < p).astype(int)
    assert fx.expected_calibration_error(calibrated, p) < 0.02
    overconfident = np.where(p > 0.5, 1.0, 0.0)
    assert fx.expected_calibration_error(calibrated, overconfident) > 0.2
    with pytest.raises(ValueError, match="entre 0 y 1"):
        fx.reliability_table([1], [1.5])


def test_temperature_scaling_fixes_overconfidence_without_changing_decisions():
    rng = np.random.default_rng(1)
    true_p = rng.uniform(0.02, 0.98, size=5000)
    y = (rng.uniform(size=true_p.size) < true_p).astype(int)
    logit = np.log(true_p / (1 - true_p))
    overconfident = 1 / (1 + np.exp(-3 * logit))  # logits 3x too large
    t = fx.fit_temperature(y, overconfident)
    assert t == pytest.approx(3.0, rel=0.15)
    fixed = fx.apply_temperature(overconfident, t)
    np.testing.assert_array_equal(fixed >= 0.5, overconfident >= 0.5)
    assert fx.expected_calibration_error(y, fixed) < fx.expected_calibration_error(y, overconfident) / 2
    np.testing.assert_allclose(fx.apply_temperature([0.2, 0.5, 0.9], 1.0), [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="positiva"):
        fx.apply_temperature([0.5], 0)


def test_balanced_threshold_equalises_the_two_error_rates():
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(500), np.zeros(500)].astype(int)
    prob = np.r_[rng.uniform(0.3, 1.0, 500), rng.uniform(0.0, 0.5, 500)]  # positives score higher
    t = fx.balanced_threshold(y, prob)
    fnr, fpr = np.mean(prob[y == 1] < t), np.mean(prob[y == 0] >= t)
    assert abs(fnr - fpr) < 0.03
    assert 0.35 < t < 0.45  # the overlap [0.3, 0.5] is split where both tails match
    assert fx.balanced_threshold([1, 1, 0, 0], [0.9, 0.8, 0.1, 0.2]) == 0.5  # separable: a tie
    with pytest.raises(ValueError, match="dos clases"):
        fx.balanced_threshold([1, 1], [0.2, 0.9])


def test_threshold_sweep_moves_errors_between_kinds(predictions):
    sweep = fx.threshold_sweep(predictions, "g", np.linspace(0, 1, 11))
    assert len(sweep) == 11 * 2
    for _, part in sweep.groupby("g"):
        assert np.all(np.diff(part["tasa FN"]) >= 0)   # higher threshold: more positives missed
        assert np.all(np.diff(part["tasa FP"]) <= 0)   # ... and fewer false alarms
    at_half = sweep[np.isclose(sweep["umbral"], 0.5)].set_index("g")
    report = fx.group_report(predictions, "g").set_index("g")
    assert at_half.loc["b", "error"] == pytest.approx(report.loc["b", "error"])


def test_plots_are_labelled(predictions):
    report = fx.group_report(predictions, "g")
    ax = fx.plot_group_errors(report, "g", title="Errores", overall=0.3)
    assert ax.get_title() == "Errores" and "%" in ax.get_xlabel()
    eces = fx.plot_reliability({"m": (predictions["label"], predictions["prob"])}, title="Fiabilidad")
    assert set(eces) == {"m"}
    ax = fx.plot_threshold_sweep(fx.threshold_sweep(predictions, "g", [0.3, 0.5]), "g",
                                 metric="tasa FN", title="Umbral")
    assert ax.get_xlabel().startswith("Umbral") and len(ax.get_lines()) == 3  # 2 groups + marker
    fig = fx.plot_confusion_by_group(predictions, "g", labels=["hombre", "mujer"], title="Por grupo")
    assert len(fig.axes) == 2 and "n=6" in fig.axes[0].get_title()


def test_model_card():
    card = fx.model_card("Tarjeta", {
        "Uso previsto": "Docencia.",
        "Datos": {"conjunto": "gemelo", "clips": 12},
        "Métricas": pd.DataFrame({"modelo": ["cnn"], "accuracy": [0.91234]}),
    })
    assert card.startswith("# Tarjeta\n")
    assert "## Uso previsto\n\nDocencia." in card
    assert "- **clips**: 12" in card
    assert "| modelo | accuracy |\n|---|---|\n| cnn | 0.912 |" in card
    assert fx.markdown_table(pd.DataFrame({"a|b": ["x|y"]})).splitlines()[2] == "| x\\|y |"
