"""Lesson 12's experiment code (course_utils.models.training, generated from its export cells):
block variants, configurations, learning-rate schedules, the run loop and the summary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("keras")

from course_utils.models import training as tr  # noqa: E402


def test_variant_changes_one_field_and_rejects_unknown_fields():
    base = tr.RunConfig("base")
    no_norm = tr.variant(base, "sin_norm", norm=None)
    assert no_norm.norm is None and no_norm.name == "sin_norm"
    assert (no_norm.batch_size, no_norm.learning_rate, no_norm.activation) == (128, 1e-3, "relu")
    with pytest.raises(ValueError, match="campos"):
        tr.variant(base, "x", dropout=0.5)
    with pytest.raises(ValueError, match="schedule"):
        tr.RunConfig("x", schedule="step")
    with pytest.raises(ValueError, match="positivos"):
        tr.RunConfig("x", batch_size=0)


def test_scaling_rules_and_steps():
    assert tr.linear_scaled_rate(1e-3, 128, 512) == pytest.approx(4e-3)
    assert tr.sqrt_scaled_rate(1e-3, 128, 512) == pytest.approx(2e-3)
    assert tr.sqrt_scaled_rate(1e-3, 128, 32) == pytest.approx(5e-4)
    assert [tr.steps_per_epoch(6400, b) for b in (32, 128, 512)] == [200, 50, 13]


def _curve(config, steps, epochs):
    rate = tr.learning_rate(config, steps, epochs)
    return np.array([rate if isinstance(rate, float) else float(rate(s))
                     for s in range(steps * epochs)])


def test_constant_and_cosine_learning_rates():
    constant = _curve(tr.RunConfig("c", learning_rate=0.01), 10, 3)
    assert constant.shape == (30,) and np.all(constant == 0.01)
    cosine = _curve(tr.RunConfig("k", learning_rate=0.01, schedule="cosine", warmup_epochs=1), 10, 5)
    assert cosine[0] == 0.0
    assert cosine[10] == pytest.approx(0.01)  # end of warm-up: the peak
    assert np.all(np.diff(cosine[:11]) > 0) and np.all(np.diff(cosine[10:]) < 0)
    assert cosine[-1] == pytest.approx(0.01 * 0.5 * (1 + np.cos(np.pi * 39 / 40)), rel=1e-4)
    short = _curve(tr.RunConfig("s", schedule="cosine", warmup_epochs=5), 2, 2)
    assert short[2] == pytest.approx(1e-3)  # warm-up capped at half the budget


def test_layer_norm_normalizes_each_example_over_all_features():
    layer = tr.norm_layer("layer", "n")
    x = np.random.default_rng(0).normal(3, 2, (2, 5, 7, 4)).astype("float32")
    y = layer(x).numpy()
    flat = y.reshape(2, -1)
    np.testing.assert_allclose(flat.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(flat.std(axis=1), 1, atol=1e-3)
    assert layer.count_params() == 2 * 4  # γ and β per channel
    with pytest.raises(ValueError, match="norm"):
        tr.norm_layer("group", "n")


def test_variant_block_parameters():
    import keras

    def params(**options):
        inputs = keras.Input((8, 8, 1))
        return keras.Model(inputs, tr.variant_block(inputs, 4, name="b", **options)).count_params()

    base = params()  # 9*1*4 + 9*4*4 weights, BatchNorm 4 numbers x 4 channels x 2
    assert base == 36 + 144 + 32
    assert params(norm=None) == base - 3 * 8
    assert params(norm="layer") == base - 2 * 8
    assert params(residual=True) == base + (1 * 4 + 4)


def _runs():
    rows = []
    for config, accs in {"base": [0.80, 0.82, 0.81], "mejor": [0.90, 0.91, 0.89],
                         "igual": [0.79, 0.83, 0.81], "peor": [0.60, 0.62, 0.61],
                         "algo": [0.84, 0.85, 0.83]}.items():
        for seed, acc in enumerate(accs):
            rows.append({"configuración": config, "semilla": seed, "validación": acc,
                         "segundos": 1.0})
    return pd.DataFrame(rows)


def test_summarize_welch_test_with_bonferroni():
    from scipy import stats

    runs = _runs()
    table = tr.summarize(runs)
    assert list(table.index) == ["base", "mejor", "igual", "peor", "algo"]
    assert table.loc["base", "media"] == pytest.approx(0.81)
    assert table.loc["base", "desv"] == pytest.approx(0.01)
    assert table.loc["base", "media ± desv"] == "0.810 ± 0.010"
    assert table.loc["base", "frente a la base"] == "línea base"
    assert "mejor que la base" in table.loc["mejor", "frente a la base"]
    assert "dentro del ruido" in table.loc["igual", "frente a la base"]
    assert "peor que la base" in table.loc["peor", "frente a la base"]
    p = stats.ttest_ind([0.84, 0.85, 0.83], [0.80, 0.82, 0.81], equal_var=False).pvalue
    assert 0.05 / 4 < p < 0.05  # significant alone, not after 4 comparisons
    assert table.loc["algo", "p (Welch)"] == pytest.approx(p)
    assert "indicio" in table.loc["algo", "frente a la base"]
    assert "4 comparaciones" in table.loc["algo", "frente a la base"]
    single = tr.summarize(runs.groupby("configuración").head(1))
    assert "una semilla" in single.loc["mejor", "frente a la base"]
    assert math.isnan(single.loc["mejor", "p (Welch)"])
    with pytest.raises(ValueError, match="línea base"):
        tr.summarize(runs, baseline="otra")


def test_run_experiments_trains_every_configuration_and_seed():
    tf = pytest.importorskip("tensorflow")
    from course_utils.models.keywords import build_spectrogram_cnn

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(2), 16).astype("int32")
    x = rng.normal(-60, 5, (32, 8, 8, 1)).astype("float32")
    x[y == 1, :4] += 40  # class 1: louder low bands
    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    data = {"train": ds, "val": ds, "test": ds}

    def build(config):
        def block(x, filters, *, name):
            return tr.variant_block(x, filters, name=name, convs=1, norm=config.norm,
                                    activation=config.activation)
        return build_spectrogram_cnn(2, input_shape=(8, 8, 1), widths=(4,), block=block,
                                     dropout=0.0)

    base = tr.RunConfig("base", batch_size=8, learning_rate=1e-2)
    configs = [base, tr.variant(base, "coseno", schedule="cosine")]
    runs = tr.run_experiments(configs, build, data, epochs=2, seeds=[0, 1])
    assert list(runs["configuración"]) == ["base", "base", "coseno", "coseno"]
    assert list(runs["semilla"]) == [0, 1, 0, 1]
    assert (runs["pasos"] == 8).all()
    assert all(len(h["val_accuracy"]) == 2 for h in runs["historial"])
    assert all(len(s) == 1 and s[0] > 0 for s in runs["segundos por época"])
    assert runs["prueba"].between(0, 1).all()
    again = tr.run_experiments(configs[:1], build, data, epochs=2, seeds=[0])
    assert again.loc[0, "prueba"] == pytest.approx(runs.loc[0, "prueba"])
    with pytest.raises(ValueError, match="únicos"):
        tr.run_experiments([base, base], build, data, epochs=1, seeds=[0])
