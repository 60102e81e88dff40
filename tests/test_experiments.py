"""course_utils.experiments: configurations, learning-rate schedules, runs and summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils import experiments as ex


def test_variant_changes_one_field_and_rejects_unknown_fields():
    base = ex.RunConfig("base")
    no_norm = ex.variant(base, "sin_norm", norm=None)
    assert no_norm.norm is None and no_norm.name == "sin_norm"
    assert (no_norm.batch_size, no_norm.learning_rate, no_norm.activation) == (128, 1e-3, "relu")
    with pytest.raises(ValueError, match="campos"):
        ex.variant(base, "x", dropout=0.5)
    with pytest.raises(ValueError, match="schedule"):
        ex.RunConfig("x", schedule="step")
    with pytest.raises(ValueError, match="batch_size"):
        ex.RunConfig("x", batch_size=0)


def test_linear_scaling_and_steps():
    assert ex.scaled_learning_rate(1e-3, 128, 512) == pytest.approx(4e-3)
    assert ex.scaled_learning_rate(1e-3, 128, 32) == pytest.approx(2.5e-4)
    assert [ex.steps_per_epoch(6400, b) for b in (32, 128, 512)] == [200, 50, 13]


def test_constant_and_cosine_learning_rate_curves():
    pytest.importorskip("keras")
    constant = ex.learning_rate_curve(ex.RunConfig("c", learning_rate=0.01), 10, 3)
    assert constant.shape == (30,) and np.all(constant == 0.01)
    cosine = ex.learning_rate_curve(ex.RunConfig("k", learning_rate=0.01, schedule="cosine",
                                                 warmup_epochs=1), 10, 5)
    assert cosine[0] == 0.0
    assert cosine[10] == pytest.approx(0.01)  # end of warm-up: the peak
    assert np.all(np.diff(cosine[:11]) > 0) and np.all(np.diff(cosine[10:]) < 0)
    assert cosine[-1] == pytest.approx(0.01 * 0.5 * (1 + np.cos(np.pi * 39 / 40)), rel=1e-4)
    # warm-up is capped at half the budget
    short = ex.learning_rate_curve(ex.RunConfig("s", schedule="cosine", warmup_epochs=5), 2, 2)
    assert short[2] == pytest.approx(1e-3)


def _runs():
    rows = []
    for config, accs in {"base": [0.80, 0.82, 0.81], "mejor": [0.90, 0.91, 0.89],
                         "igual": [0.79, 0.83, 0.81], "peor": [0.60, 0.62, 0.61]}.items():
        for seed, acc in enumerate(accs):
            rows.append({"config": config, "seed": seed, "test_accuracy": acc, "seconds": 1.0,
                         "history": {"val_accuracy": [acc - 0.1, acc]}})
    return pd.DataFrame(rows)


def test_summarize_mean_std_and_verdicts():
    table = ex.summarize(_runs())
    assert list(table.index) == ["base", "mejor", "igual", "peor"]
    assert table.loc["base", "media"] == pytest.approx(0.81)
    assert table.loc["base", "desv"] == pytest.approx(0.01)
    assert table.loc["base", "media ± desv"] == "0.810 ± 0.010"
    assert table.loc["base", "frente a la base"] == "línea base"
    assert "mejor" in table.loc["mejor", "frente a la base"]
    assert "dentro del ruido" in table.loc["igual", "frente a la base"]
    assert "peor" in table.loc["peor", "frente a la base"]
    single = ex.summarize(_runs().groupby("config").head(1))
    assert "una semilla" in single.loc["mejor", "frente a la base"]
    with pytest.raises(ValueError, match="línea base"):
        ex.summarize(_runs(), baseline="otra")
    with pytest.raises(ValueError, match="columna"):
        ex.summarize(_runs(), metric="f1")


def test_plot_curves_draws_one_line_per_configuration():
    import matplotlib

    matplotlib.use("Agg")
    ax = ex.plot_curves(_runs(), ["base", "peor"], title="t")
    assert [line.get_label() for line in ax.get_lines()] == ["base", "peor"]
    assert ax.get_xlabel() == "Época"
    with pytest.raises(ValueError, match="corridas"):
        ex.plot_curves(_runs(), ["nada"], title="t")


def test_run_experiments_trains_every_configuration_and_seed():
    tf = pytest.importorskip("tensorflow")
    from course_utils import keyword_models as km

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(2), 16).astype("int32")
    x = rng.normal(-60, 5, (32, 8, 8, 1)).astype("float32")
    x[y == 1, :4] += 40  # class 1: louder low bands
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()

    def build(config):
        return km.build_spectrogram_cnn(2, input_shape=(8, 8, 1), widths=(4,), norm=config.norm,
                                        activation=config.activation, dropout=0.0)

    base = ex.RunConfig("base", batch_size=8, learning_rate=1e-2)
    configs = [base, ex.variant(base, "coseno", schedule="cosine")]
    runs = ex.run_experiments(configs, build, data, data, data, epochs=2, seeds=[0, 1],
                              progress=False)
    assert list(runs["config"]) == ["base", "base", "coseno", "coseno"]
    assert list(runs["seed"]) == [0, 1, 0, 1]
    assert (runs["steps"] == 8).all()
    assert all(len(h["val_accuracy"]) == 2 for h in runs["history"])
    assert all(len(s) == 1 and s[0] > 0 for s in runs["epoch_seconds"])  # epochs after the 1st
    assert runs["test_accuracy"].between(0, 1).all()
    again = ex.run_experiments(configs[:1], build, data, data, data, epochs=2, seeds=[0],
                               progress=False)
    assert again.loc[0, "test_accuracy"] == pytest.approx(runs.loc[0, "test_accuracy"])
    with pytest.raises(ValueError, match="únicos"):
        ex.run_experiments([base, base], build, data, data, epochs=1)
