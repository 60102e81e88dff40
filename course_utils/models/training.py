"""Código de la lección 12_consejos_de_entrenamiento.ipynb (celdas con la etiqueta export:training).

Generado por `make notebooks` a partir de notebooks/12_consejos_de_entrenamiento.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

from keras import layers


def norm_layer(kind, name):
    """La normalización de un bloque: 'batch' (por lotes) o 'layer' (de capa, Ba et al.)."""
    if kind == "batch":
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    if kind == "layer":
        # un solo grupo: media y varianza de cada ejemplo sobre alto, ancho y canales
        return layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    raise ValueError(f"norm debe ser 'batch', 'layer' o None; recibí {kind!r}.")


def variant_block(x, filters, *, name, convs=2, norm="batch", residual=False, activation="relu"):
    """``convs`` veces Conv2D 3x3 -> normalización (si hay) -> activación; con ``residual``,
    la entrada del bloque se suma antes de la última activación (por una convolución 1x1
    cuando cambia el número de canales)."""
    shortcut = x
    for c in range(1, convs + 1):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=norm is None,
                          name=f"{name}_conv{c}")(x)
        if norm is not None:
            x = norm_layer(norm, f"{name}_norm{c}")(x)
        if c < convs or not residual:
            x = layers.Activation(activation, name=f"{name}_act{c}")(x)
    if residual:
        if shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, name=f"{name}_proj")(shortcut)
        x = layers.Add(name=f"{name}_add")([x, shortcut])
        x = layers.Activation(activation, name=f"{name}_act{convs}")(x)
    return x


import dataclasses


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """Una configuración de entrenamiento; ``learning_rate`` es la tasa máxima con ``batch_size``."""

    name: str
    batch_size: int = 128
    learning_rate: float = 1e-3
    schedule: str = "constant"  # "constant" o "cosine" (con calentamiento lineal)
    warmup_epochs: float = 1.0
    norm: str | None = "batch"  # "batch", "layer" o None
    residual: bool = False
    activation: str = "relu"

    def __post_init__(self):
        if self.batch_size < 1 or not self.learning_rate > 0:
            raise ValueError("batch_size y learning_rate deben ser positivos.")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError(f"schedule debe ser 'constant' o 'cosine'; recibí {self.schedule!r}.")


def variant(base, name, **changes):
    """Una copia de ``base`` llamada ``name`` en la que solo cambia ``changes``."""
    unknown = set(changes) - {f.name for f in dataclasses.fields(RunConfig)}
    if unknown:
        raise ValueError(f"RunConfig no tiene los campos {sorted(unknown)}.")
    return dataclasses.replace(base, name=name, **changes)


import math


def steps_per_epoch(n_examples, batch_size):
    """Pasos del optimizador en una época (el último lote, más chico, también cuenta)."""
    return math.ceil(n_examples / batch_size)


def linear_scaled_rate(base_rate, base_batch, batch_size):
    """Regla lineal (Goyal et al., 2017, para SGD con calentamiento): la tasa crece como el lote."""
    return base_rate * batch_size / base_batch


def sqrt_scaled_rate(base_rate, base_batch, batch_size):
    """Regla de la raíz cuadrada, la heurística habitual para Adam."""
    return base_rate * math.sqrt(batch_size / base_batch)


import keras


def learning_rate(config, epoch_steps, epochs):
    """La tasa del optimizador: un número, o calentamiento lineal y decaimiento coseno a 0 justo
    al final del presupuesto (``epoch_steps * epochs`` pasos; calentamiento de a lo sumo la mitad)."""
    if config.schedule == "constant":
        return float(config.learning_rate)
    total = max(1, epoch_steps * epochs)
    warmup = min(round(config.warmup_epochs * epoch_steps), total // 2)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup else config.learning_rate,
        decay_steps=max(1, total - warmup), alpha=0.0,
        warmup_target=config.learning_rate if warmup else None, warmup_steps=warmup)


import contextlib
import time

import pandas as pd
from keras.callbacks import Callback

from course_utils.data.keywords import batches
from course_utils.env import seed_everything


class EpochTimer(Callback):
    """Guarda en ``seconds`` los segundos de cada época."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train_once(config, build_model, data, *, epochs, seed, strategy=None):
    """Entrena ``config`` con ``seed`` durante ``epochs`` épocas; una fila de resultados."""
    seed_everything(seed)
    n_train = int(data["train"].cardinality())
    steps = steps_per_epoch(n_train, config.batch_size)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = build_model(config)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate(config, steps, epochs)),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    history = model.fit(batches(data["train"], config.batch_size, shuffle=True, seed=seed),
                        validation_data=batches(data["val"], 256), epochs=epochs,
                        shuffle=False, callbacks=[timer], verbose=0)
    test = model.evaluate(batches(data["test"], 256), verbose=0, return_dict=True)
    keras.backend.clear_session(free_memory=False)
    return {
        "configuración": config.name, "semilla": seed, "pasos": steps * epochs,
        "segundos": sum(timer.seconds), "parámetros": model.count_params(),
        "entrenamiento": history.history["accuracy"][-1],
        "validación": history.history["val_accuracy"][-1],
        "prueba": float(test["accuracy"]),
        # la primera época también construye el grafo: el tiempo por época la deja fuera
        "segundos por época": timer.seconds[1:] or timer.seconds,
        "historial": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    }


def run_experiments(configs, build_model, data, *, epochs, seeds, strategy=None):
    """Cada configuración con cada semilla, mismos datos y mismas épocas: una fila por corrida."""
    names = [c.name for c in configs]
    if len(set(names)) != len(names):
        raise ValueError(f"Los nombres de las configuraciones deben ser únicos: {names}.")
    rows = []
    for config in configs:
        for seed in seeds:
            row = train_once(config, build_model, data, epochs=epochs, seed=seed, strategy=strategy)
            print(f"{config.name:24s} semilla {seed}: validación {row['validación']:.3f} "
                  f"({row['segundos']:.1f} s)")
            rows.append(row)
    return pd.DataFrame(rows)


import numpy as np
from scipy import stats


def summarize(runs, *, metric="validación", baseline="base", alpha=0.05):
    """Media y desviación de ``metric`` por configuración y, frente a ``baseline``, la
    diferencia, el p de una prueba t de Welch y un veredicto con la corrección de Bonferroni."""
    order = list(dict.fromkeys(runs["configuración"]))
    if baseline not in order:
        raise ValueError(f"La línea base {baseline!r} no está entre las configuraciones {order}.")
    groups = {name: runs.loc[runs["configuración"] == name, metric].to_numpy(float)
              for name in order}
    comparisons = len(order) - 1
    table = runs.groupby("configuración", sort=False).agg(
        semillas=("semilla", "count"), media=(metric, "mean"), desv=(metric, "std"),
        segundos=("segundos", "mean")).loc[order]
    table["media ± desv"] = [f"{m:.3f} ± {s:.3f}" if np.isfinite(s) else f"{m:.3f}"
                             for m, s in zip(table["media"], table["desv"])]
    p_values, verdicts = [], []
    for name in order:
        diff = groups[name].mean() - groups[baseline].mean()
        p = np.nan
        if name == baseline:
            verdict = "línea base"
        elif min(len(groups[name]), len(groups[baseline])) < 2:
            verdict = f"{diff:+.3f} (una semilla: sin medida del ruido)"
        elif np.ptp(groups[name]) == 0 and np.ptp(groups[baseline]) == 0:
            verdict = f"{diff:+.3f} (sin variación entre semillas: no hay prueba posible)"
        else:
            p = float(stats.ttest_ind(groups[name], groups[baseline], equal_var=False).pvalue)
            better = "mejor" if diff > 0 else "peor"
            if p < alpha / comparisons:
                verdict = f"{diff:+.3f}, {better} que la base (p = {p:.3f})"
            elif p < alpha:
                verdict = (f"{diff:+.3f}, indicio de que es {better} (p = {p:.3f}; no llega al "
                           f"umbral {alpha / comparisons:.4f} de {comparisons} comparaciones)")
            else:
                verdict = f"{diff:+.3f}, dentro del ruido entre semillas (p = {p:.2f})"
        p_values.append(p)
        verdicts.append(verdict)
    table["p (Welch)"] = p_values
    table["frente a la base"] = verdicts
    return table
