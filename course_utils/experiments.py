"""Controlled training experiments: one baseline, one change at a time, several seeds.

Lesson 12 turns the lecture's training tips (normalization, cosine annealing with warm-up,
batch size, activations, residual connections) into measurements:

- :class:`RunConfig` describes one configuration; :func:`variant` changes one field of the
  baseline; :func:`scaled_learning_rate` is the linear scaling rule for batch sizes.
- :func:`learning_rate` builds a constant rate or a cosine schedule with linear warm-up for a
  fixed budget of epochs; :func:`learning_rate_curve` gives its value at every step.
- :func:`run_experiments` trains every configuration with every seed on the same data and
  budget; :func:`summarize` gives mean ± standard deviation per configuration and a
  Spanish verdict against the baseline; :func:`plot_curves` draws mean curves with a band.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import keras
    import tensorflow as tf

__all__ = [
    "RunConfig",
    "variant",
    "scaled_learning_rate",
    "steps_per_epoch",
    "learning_rate",
    "learning_rate_curve",
    "run_experiments",
    "summarize",
    "plot_curves",
]

Schedule = Literal["constant", "cosine"]


@dataclass(frozen=True)
class RunConfig:
    """One training configuration. ``learning_rate`` is the peak rate at ``batch_size``."""

    name: str
    batch_size: int = 128
    learning_rate: float = 1e-3
    schedule: Schedule = "constant"
    warmup_epochs: float = 1.0
    norm: str | None = "batch"
    residual: bool = False
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size debe ser positivo; recibí {self.batch_size}.")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate debe ser positivo; recibí {self.learning_rate}.")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError(f"schedule debe ser 'constant' o 'cosine'; recibí {self.schedule!r}.")
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs no puede ser negativo; recibí {self.warmup_epochs}.")


def variant(base: RunConfig, name: str, **changes: Any) -> RunConfig:
    """A copy of ``base`` named ``name`` with only ``changes`` different."""
    unknown = set(changes) - {f.name for f in dataclasses.fields(RunConfig)}
    if unknown:
        raise ValueError(f"RunConfig no tiene los campos {sorted(unknown)}.")
    return dataclasses.replace(base, name=name, **changes)


def scaled_learning_rate(base_rate: float, base_batch: int, batch_size: int) -> float:
    """Linear scaling rule (Goyal et al., 2017): the rate grows like the batch size.

    With ``k`` times larger batches there are ``k`` times fewer steps per epoch, each
    averaging ``k`` times more examples; multiplying the rate by ``k`` keeps the distance
    travelled per epoch roughly the same.
    """
    if base_batch < 1 or batch_size < 1:
        raise ValueError("Los tamaños de lote deben ser enteros positivos.")
    return float(base_rate) * batch_size / base_batch


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    """Optimizer steps in one pass over ``n_examples`` (the last, smaller batch counts)."""
    return math.ceil(n_examples / batch_size)


def learning_rate(config: RunConfig, epoch_steps: int, epochs: int
                  ) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """The optimizer's rate: a number, or cosine annealing after a linear warm-up.

    The cosine goes from ``config.learning_rate`` to 0 exactly at the end of the budget
    (``epoch_steps * epochs`` steps); the warm-up climbs linearly from 0 during
    ``config.warmup_epochs`` epochs (at most half the budget).
    """
    if config.schedule == "constant":
        return float(config.learning_rate)
    import keras

    total = max(1, epoch_steps * epochs)
    warmup = min(round(config.warmup_epochs * epoch_steps), total // 2)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate,
        decay_steps=max(1, total - warmup), alpha=0.0,
        warmup_target=config.learning_rate if warmup else None, warmup_steps=warmup)


def learning_rate_curve(config: RunConfig, epoch_steps: int, epochs: int) -> np.ndarray:
    """The rate at every optimizer step of the budget (for plots)."""
    rate = learning_rate(config, epoch_steps, epochs)
    steps = np.arange(epoch_steps * epochs)
    if isinstance(rate, float):
        return np.full(len(steps), rate)
    return np.array([float(rate(int(s))) for s in steps])


def _epoch_timer():
    """A Keras callback that keeps the wall-clock seconds of every epoch in ``.seconds``."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _one_run(config: RunConfig, build_model: Callable[[RunConfig], keras.Model],
             train: tf.data.Dataset, val: tf.data.Dataset, test: tf.data.Dataset | None, *,
             epochs: int, seed: int, strategy: Any = None) -> dict[str, Any]:
    import contextlib

    import keras

    from course_utils.env import seed_everything
    from course_utils.keyword_data import batches

    seed_everything(seed)
    n_train = int(train.cardinality())
    if n_train <= 0:
        raise ValueError("El conjunto de entrenamiento debe tener un tamaño conocido (sin filter/repeat).")
    steps = steps_per_epoch(n_train, config.batch_size)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = build_model(config)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate(config, steps, epochs)),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = _epoch_timer()
    start = time.perf_counter()
    history = model.fit(batches(train, config.batch_size, shuffle=True, seed=seed),
                        validation_data=batches(val, 256), epochs=epochs, shuffle=False,
                        callbacks=[timer], verbose=0)
    seconds = time.perf_counter() - start
    row: dict[str, Any] = {
        "config": config.name, "seed": seed, "epochs": epochs, "steps": steps * epochs,
        "seconds": seconds, "epoch_seconds": timer.seconds[1:] or timer.seconds,
        "params": model.count_params(),
        "train_accuracy": history.history["accuracy"][-1],
        "val_accuracy": history.history["val_accuracy"][-1],
        "best_val_accuracy": max(history.history["val_accuracy"]),
        "history": {k: list(map(float, v)) for k, v in history.history.items()},
    }
    if test is not None:
        row["test_accuracy"] = float(model.evaluate(batches(test, 256), verbose=0,
                                                    return_dict=True)["accuracy"])
    keras.backend.clear_session(free_memory=False)
    return row


def run_experiments(configs: Sequence[RunConfig], build_model: Callable[[RunConfig], keras.Model],
                    train: tf.data.Dataset, val: tf.data.Dataset, test: tf.data.Dataset | None = None,
                    *, epochs: int, seeds: Sequence[int] = (0,), strategy: Any = None,
                    progress: bool = True) -> pd.DataFrame:
    """Train every configuration once per seed, same data and same number of epochs.

    ``train``, ``val`` and ``test`` are unbatched ``(x, label)`` datasets (ideally cached):
    each run batches them with its own batch size. Returns one row per run with the
    final accuracies, total time, the time of every epoch after the first
    (``epoch_seconds``; the first also builds the graph), parameters and the per-epoch
    ``history``. Models are built
    and compiled inside ``strategy.scope()`` when a ``tf.distribute`` strategy is given
    (``course_utils.setup().strategy``), so the same code uses every GPU available.
    """
    from tqdm.auto import tqdm

    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise ValueError(f"Los nombres de las configuraciones deben ser únicos: {names}.")
    if epochs < 1 or not seeds:
        raise ValueError("Hacen falta al menos 1 época y 1 semilla.")
    jobs = [(c, s) for c in configs for s in seeds]
    rows = []
    with tqdm(total=len(jobs), desc="Entrenando configuraciones", unit="corrida",
              disable=not progress) as bar:
        for config, seed in jobs:
            bar.set_postfix_str(f"{config.name} · semilla {seed}")
            rows.append(_one_run(config, build_model, train, val, test, epochs=epochs, seed=seed,
                                 strategy=strategy))
            bar.update()
    return pd.DataFrame(rows)


def summarize(runs: pd.DataFrame, *, metric: str = "test_accuracy",
              baseline: str | None = None) -> pd.DataFrame:
    """Mean and standard deviation of ``metric`` per configuration, plus a verdict.

    The verdict compares each configuration with ``baseline`` (default: the first one):
    a difference smaller than the seed-to-seed spread (the two standard deviations
    combined) is called indistinguishable; with a single seed there is no spread to
    compare with, and the table says so.
    """
    if metric not in runs:
        raise ValueError(f"No hay una columna {metric!r} en los resultados: {sorted(runs.columns)}.")
    order = list(dict.fromkeys(runs["config"]))
    grouped = runs.groupby("config", sort=False)
    table = pd.DataFrame({
        "semillas": grouped["seed"].count(),
        "media": grouped[metric].mean(),
        "desv": grouped[metric].std(ddof=1),
        "segundos": grouped["seconds"].mean(),
    }).loc[order]
    table["media ± desv"] = [f"{m:.3f} ± {s:.3f}" if np.isfinite(s) else f"{m:.3f}"
                             for m, s in zip(table["media"], table["desv"])]
    base = baseline or order[0]
    if base not in table.index:
        raise ValueError(f"La línea base {base!r} no está entre las configuraciones {order}.")
    verdicts = []
    for name, row in table.iterrows():
        diff = row["media"] - table.loc[base, "media"]
        spread = math.hypot(row["desv"], table.loc[base, "desv"])
        if name == base:
            verdicts.append("línea base")
        elif not np.isfinite(spread):
            verdicts.append(f"{diff:+.3f} (una semilla: sin medida del ruido)")
        elif abs(diff) <= spread:
            verdicts.append(f"{diff:+.3f}, dentro del ruido entre semillas (±{spread:.3f})")
        else:
            verdicts.append(f"{diff:+.3f}, {'mejor' if diff > 0 else 'peor'} que la base "
                            f"(ruido ±{spread:.3f})")
    table["frente a la base"] = verdicts
    table.index.name = "configuración"
    return table


def plot_curves(runs: pd.DataFrame, configs: Sequence[str], *, metric: str = "val_accuracy",
                title: str, ax=None):
    """Mean curve per configuration over its seeds, with a ± one-standard-deviation band."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    labels = {"val_accuracy": "exactitud de validación", "accuracy": "exactitud de entrenamiento",
              "loss": "pérdida de entrenamiento", "val_loss": "pérdida de validación"}
    for name in configs:
        curves = np.array([h[metric] for h in runs.loc[runs["config"] == name, "history"]])
        if curves.size == 0:
            raise ValueError(f"No hay corridas de la configuración {name!r}.")
        epochs = np.arange(1, curves.shape[1] + 1)
        mean = curves.mean(axis=0)
        (line,) = ax.plot(epochs, mean, marker="o", markersize=3, label=name)
        if len(curves) > 1:
            std = curves.std(axis=0, ddof=1)
            ax.fill_between(epochs, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Época")
    ax.set_ylabel(labels.get(metric, metric))
    ax.set_title(title)
    ax.legend()
    return ax
