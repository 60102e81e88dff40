"""Checkers for lesson 05 (clasificación de género)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from course_utils.exercises import (
    Code,
    Wrong,
    as_integer,
    as_number,
    as_numbers,
    best_validation,
    exercise,
    near,
)

LECTURE_CNN_CONFUSION = ((334, 52), (35, 351))


@exercise(
    "05.forma_bloque2",
    hint="convolución 3×3 sin relleno: resta 2 a filas y columnas; luego el pooling 3×3 "
         "con pasos (1, 3): ⌊(N − 3) / paso⌋ + 1.",
    worked_step="la convolución lleva 18×99 a 16×97 (64 filtros); en las filas el pooling da "
                "⌊(16 − 3) / 1⌋ + 1 = 14. Falta hacer lo mismo con las columnas (paso 3).",
    solution=(14, 32, 64),
    explanation="Conv2D(64, 3×3) sin relleno: 18×99 → 16×97×64. MaxPooling 3×3 con pasos (1, 3): "
                "⌊(16 − 3)/1⌋ + 1 = 14 filas y ⌊(97 − 3)/3⌋ + 1 = 32 columnas, con 64 canales.",
)
def block2_shape(answer: Any) -> str | None:
    """18x99x32 -> Conv2D 64 (3, 3) -> 16x97x64 -> MaxPool (3, 3) strides (1, 3) -> 14x32x64."""
    values = as_numbers(answer, 3, what="la forma (filas, columnas, canales)")
    if any(v != int(v) for v in values):
        raise Wrong("cada número de la forma debe ser un entero: (filas, columnas, canales).")
    shape = tuple(int(v) for v in values)
    if shape == (14, 32, 64):
        return None
    if shape == (16, 97, 64):
        return "esa es la salida de la convolución; falta aplicar el max pooling 3×3 con pasos (1, 3)."
    if shape[:2] == (14, 32):
        return "filas y columnas bien; los canales son los filtros de la convolución de este bloque."
    if shape[:2] == (7, 32):
        return "el paso del pooling en las filas es 1, no 2: ⌊(16 − 3) / 1⌋ + 1 = 14."
    if shape[2] == 32:
        return "la convolución del segundo bloque tiene 64 filtros: la salida tiene 64 canales."
    return "no es correcto: aplica (N − F + 2P) / S + 1 a la convolución y luego al pooling, eje por eje."


@exercise(
    "05.parametros_densa",
    hint="entradas aplanadas × neuronas + un sesgo por neurona.",
    worked_step="al aplanar 4 × 9 × 128 quedan 4.608 entradas; cada una se conecta con las 128 "
                "neuronas. Suma después un sesgo por neurona.",
    solution=589_952,
    explanation="4 × 9 × 128 = 4.608 entradas; 4.608 × 128 pesos + 128 sesgos = 589.952.",
)
def dense_params(answer: Any) -> str | None:
    """4 x 9 x 128 = 4,608 inputs; 4,608 x 128 + 128 = 589,952."""
    value = as_integer(answer, "el número de parámetros")
    inputs = 4 * 9 * 128
    if value == inputs * 128 + 128:
        return None
    if value == inputs * 128:
        return "te faltan los sesgos: uno por cada una de las 128 neuronas."
    if value == 819_328:
        return "ese es el valor con 5 × 10 × 128 entradas; recalcula con 4 × 9 × 128 = 4.608."
    if value == inputs:
        return "ese es el número de entradas; cada una se conecta con las 128 neuronas."
    return "no es correcto: cuenta las entradas (4 × 9 × 128), multiplícalas por 128 y suma los sesgos."


@exercise(
    "05.perdida",
    hint="con dos salidas softmax la pérdida es categórica; «sparse» si las etiquetas son enteros.",
    worked_step="la familia es la entropía cruzada categórica (categorical_crossentropy); busca en "
                "la sección 5 la variante para etiquetas enteras.",
    solution="sparse_categorical_crossentropy",
    explanation="Dos salidas softmax piden una entropía cruzada categórica; con etiquetas enteras "
                "0/1 (no one-hot) es la variante sparse_categorical_crossentropy.",
)
def loss_name(answer: Any) -> str | None:
    """Two softmax outputs and integer labels: sparse_categorical_crossentropy."""
    if not isinstance(answer, str):
        raise Wrong('escribe el nombre como texto, por ejemplo "mean_squared_error".')
    name = answer.strip().strip("'\"").lower().replace(" ", "_").removesuffix("()")
    name = name.removeprefix("keras.losses.")
    if name in ("sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"):
        return None
    if name in ("categorical_crossentropy", "categoricalcrossentropy"):
        return ("la familia es correcta, pero esa versión espera etiquetas one-hot ([1, 0], [0, 1]); "
                "con enteros 0/1 usa la variante «sparse».")
    if name in ("binary_crossentropy", "binarycrossentropy"):
        return ("ese es el error de la clase: la entropía cruzada binaria corresponde a una sola "
                "salida sigmoide, no a dos salidas softmax.")
    return "no es una pérdida para clasificación con dos salidas softmax y etiquetas enteras."


@exercise(
    "05.accuracy_clase",
    hint="aciertos (la diagonal) divididos por el total de clips.",
    worked_step="la diagonal suma 334 + 351 = 685 aciertos; divide por la suma de las cuatro "
                "celdas y redondea a tres decimales.",
    solution=0.887,
    explanation="(334 + 351) / (334 + 52 + 35 + 351) = 685 / 772 = 0,887: algo menos que el 0,90 "
                "que anunció la clase.",
)
def lecture_accuracy(answer: Any) -> str | None:
    """(334 + 351) / 772 = 0.8873, not the 0.90 the lecture reported; three decimals asked."""
    value = as_number(answer, "0.75")
    (tn, fp), (fn, tp) = LECTURE_CNN_CONFUSION
    total = tn + fp + fn + tp
    expected = (tn + tp) / total
    if near(value, expected, 3):
        print(f"   ({tn} + {tp}) / {total} = {expected:.4f}: la clase anunció 0,90, "
              "algo más de lo que dice su propia matriz.")
        return None
    if near(value, 100 * expected, 1):
        return "exprésalo como fracción entre 0 y 1, no como porcentaje."
    if math.isclose(value, 0.90):
        return "ese es el valor anunciado en la clase; calcúlalo tú desde la matriz."
    if near(value, expected, 2) or abs(value - expected) < 0.01:
        return "el valor va bien, pero escríbelo con tres decimales (redondeando)."
    if near(value, (fp + fn) / total, 2):
        return "ese es el error (fuera de la diagonal); la accuracy es la diagonal sobre el total."
    return "no es correcto: suma la diagonal (334 + 351) y divide por la suma de las cuatro celdas."


def _media_sin_relleno(m):
    # un frame de relleno tiene todos sus coeficientes en cero; uno real, al menos uno distinto
    reales = np.any(m != 0, axis=0)
    return m[:, reales].mean(axis=1)


@exercise(
    "05.media_sin_relleno",
    hint="un frame es relleno si todos sus coeficientes son cero: mira cada columna completa.",
    worked_step="una máscara de frames reales es np.any(m != 0, axis=0) (un booleano por "
                "frame); úsala para quedarte con esas columnas antes de promediar.",
    solution=_media_sin_relleno,
    explanation="Los frames reales son las columnas con algún coeficiente distinto de cero; se "
                "promedia cada fila sobre esas columnas. Un cero dentro de un frame real es un "
                "dato, así que no basta con contar los valores distintos de cero.",
)
def mean_without_padding(answer: Any) -> str | None:
    """A function (n_mfcc, frames) -> (n_mfcc,) mean over the non-padding frames.

    The test matrix has a genuine zero inside a real frame: dividing by ``count_nonzero``
    treats it as padding, and is rejected.
    """
    if not callable(answer):
        raise Wrong("entrega una función `media_sin_relleno(m)`, no un valor.")
    rng = np.random.default_rng(5)
    m = np.zeros((6, 20))
    m[:, :8] = rng.normal(size=(6, 8))
    m[2, 3] = 0.0  # a genuine zero in a real frame (frame 3 has other coefficients)
    m[4, 6] = 0.0
    expected = m[:, :8].mean(axis=1)
    try:
        out = answer(m.copy())
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con una matriz de 6×20 ({type(exc).__name__}: {exc}).") from exc
    if out is None:
        return "tu función no devuelve nada: agrega un return."
    out = np.asarray(out, dtype=float).ravel()
    if out.shape != (6,):
        if out.shape == (20,) or out.shape == (8,):
            return "promediaste sobre los coeficientes (eje 0); la media va a lo largo del tiempo (eje 1)."
        return f"la salida debe tener un valor por coeficiente (6); tiene forma {out.shape}."
    if np.allclose(out, m.mean(axis=1)):
        return "eso incluye los ceros del relleno: la media queda multiplicada por 8/20."
    with np.errstate(divide="ignore", invalid="ignore"):
        by_nonzero = m.sum(axis=1) / np.count_nonzero(m, axis=1)
    if np.allclose(out, by_nonzero):
        return ("dividiste por la cantidad de valores distintos de cero: un cero dentro de un frame "
                "real es un dato, no relleno. Cuenta los frames que tienen algún coeficiente distinto "
                "de cero.")
    if not np.allclose(out, expected):
        return "los valores no coinciden con la media de los frames reales."
    full = rng.normal(size=(3, 5))
    try:
        same = np.asarray(answer(full.copy()), dtype=float).ravel()
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con una matriz sin relleno ({exc}).") from exc
    if not np.allclose(same, full.mean(axis=1)):
        return "sin relleno, el resultado debe ser la media de todos los frames."
    return None


def _best_val_loss(value: Any, which: str) -> float:
    return best_validation(value, which, "val_loss",
                           "entrena con validation_data=(x_val_seq, y_val) (la función fit lo hace)")


@exercise(
    "05.supera_base",
    hint="prueba un cambio a la vez sobre build_lstm o el entrenamiento (unidades, capas, "
         "mask_padding, tasa de aprendizaje, épocas) y compara la mejor pérdida de validación.",
    worked_step="por ejemplo: mi_modelo = compile_model(build_lstm(x_train_seq.shape[1:], "
                "units=32, n_layers=1), learning_rate=LEARNING_RATE) y luego "
                "mi_history = fit(mi_modelo, x_train_seq, y_train, (x_val_seq, y_val), ...).",
    solution=Code(
        "keras.utils.set_random_seed(env.seed)\n"
        "mi_modelo = compile_model(build_lstm(x_train_seq.shape[1:], units=32, n_layers=1, dropout=0.0),\n"
        "                          learning_rate=LEARNING_RATE)\n"
        "mi_history = fit(mi_modelo, x_train_seq, y_train, (x_val_seq, y_val), epochs=EPOCHS,\n"
        "                 batch_size=BATCH_SIZE, patience=PATIENCE, class_weight=class_weight,\n"
        "                 desc='LSTM de una capa')\n"
        "{'base': lstm_history, 'mia': mi_history}"
    ),
    explanation="Una sola capa LSTM de 32 unidades sin dropout aprende más rápido que la pila de "
                "cuatro con pocas épocas y baja la pérdida de validación. Se compara en "
                "validación, nunca en la prueba.",
)
def beat_baseline(answer: Any) -> str | None:
    """{"base": History or best val loss of the lesson's LSTM, "mia": the student's}; lower wins."""
    if not isinstance(answer, Mapping) or set(answer) != {"base", "mia"}:
        raise Wrong('entrega un diccionario {"base": lstm_history, "mia": mi_history}.')
    base = _best_val_loss(answer["base"], "base")
    mine = _best_val_loss(answer["mia"], "mia")
    figures = f"tu variante: {mine:.4f}; la LSTM de la lección: {base:.4f} (más baja es mejor)"
    if mine < base:
        print(f"   Mejor pérdida de validación — {figures}.")
        return None
    if math.isclose(mine, base, rel_tol=1e-9):
        return f"empate exacto ({figures}): ¿entregaste dos veces el mismo entrenamiento?"
    return f"todavía no la supera: {figures}. Prueba otro cambio."
