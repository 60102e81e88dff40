"""Checkers for lesson 05 (clasificación de género)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from course_utils.exercises import Wrong, exercise

LECTURE_CNN_CONFUSION = ((334, 52), (35, 351))


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@exercise("05.forma_bloque2",
          hint="convolución 3×3 sin relleno: resta 2 a filas y columnas; luego el pooling 3×3 "
               "con pasos (1, 3): ⌊(N − 3) / paso⌋ + 1.")
def block2_shape(answer: Any) -> str | None:
    """18x99x32 -> Conv2D 64 (3, 3) -> 16x97x64 -> MaxPool (3, 3) strides (1, 3) -> 14x32x64."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 3 or not all(map(_is_int, answer)):
        raise Wrong("escribe la forma como una tupla de tres enteros: (filas, columnas, canales).")
    shape = tuple(int(v) for v in answer)
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


@exercise("05.parametros_densa",
          hint="entradas aplanadas × neuronas + un sesgo por neurona.")
def dense_params(answer: Any) -> str | None:
    """4 x 9 x 128 = 4,608 inputs; 4,608 x 128 + 128 = 589,952."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong("escribe un número entero de parámetros.")
    inputs = 4 * 9 * 128
    if answer == inputs * 128 + 128:
        return None
    if answer == inputs * 128:
        return "te faltan los sesgos: uno por cada una de las 128 neuronas."
    if answer == 819_328:
        return "ese es el valor con 5 × 10 × 128 entradas; recalcula con 4 × 9 × 128 = 4.608."
    if answer == inputs:
        return "ese es el número de entradas; cada una se conecta con las 128 neuronas."
    return "no es correcto: cuenta las entradas (4 × 9 × 128), multiplícalas por 128 y suma los sesgos."


@exercise("05.perdida",
          hint="con dos salidas softmax la pérdida es categórica; «sparse» si las etiquetas son enteros.")
def loss_name(answer: Any) -> str | None:
    """Two softmax outputs and integer labels: sparse_categorical_crossentropy."""
    if not isinstance(answer, str):
        raise Wrong('escribe el nombre como texto, por ejemplo "mean_squared_error".')
    name = answer.strip().strip("'\"").lower().replace(" ", "_")
    if name in ("sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"):
        return None
    if name in ("categorical_crossentropy", "categoricalcrossentropy"):
        return ("la familia es correcta, pero esa versión espera etiquetas one-hot ([1, 0], [0, 1]); "
                "con enteros 0/1 usa la variante «sparse».")
    if name in ("binary_crossentropy", "binarycrossentropy"):
        return ("ese es el error de la clase: la entropía cruzada binaria corresponde a una sola "
                "salida sigmoide, no a dos salidas softmax.")
    return "no es una pérdida para clasificación con dos salidas softmax y etiquetas enteras."


@exercise("05.accuracy_clase", hint="aciertos (la diagonal) divididos por el total de clips.")
def lecture_accuracy(answer: Any) -> str | None:
    """(334 + 351) / 772 = 0.887, not the 0.90 the lecture reported."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong("escribe un número entre 0 y 1, por ejemplo 0.75.")
    (tn, fp), (fn, tp) = LECTURE_CNN_CONFUSION
    expected = (tn + tp) / (tn + fp + fn + tp)
    if abs(answer - expected) <= 0.0015:
        print(f"   ({tn} + {tp}) / {tn + fp + fn + tp} = {expected:.4f}: la clase anunció 0,90, "
              "algo más de lo que dice su propia matriz.")
        return None
    if abs(answer - 100 * expected) <= 0.15:
        return "exprésalo como fracción entre 0 y 1, no como porcentaje."
    if abs(answer - 0.90) < 1e-9:
        return "ese es el valor anunciado en la clase; calcúlalo tú desde la matriz."
    if abs(answer - (fp + fn) / (tn + fp + fn + tp)) <= 0.0015:
        return "ese es el error (fuera de la diagonal); la accuracy es la diagonal sobre el total."
    return "no es correcto: suma la diagonal (334 + 351) y divide por la suma de las cuatro celdas."


@exercise("05.media_sin_relleno",
          hint="una máscara de frames reales: np.any(m != 0, axis=0); luego m[:, mascara].mean(axis=1).")
def mean_without_padding(answer: Any) -> str | None:
    """A function (n_mfcc, frames) -> (n_mfcc,) mean over the non-padding frames."""
    if not callable(answer):
        raise Wrong("entrega una función `media_sin_relleno(m)`, no un valor.")
    rng = np.random.default_rng(5)
    m = np.zeros((6, 20))
    m[:, :8] = rng.normal(size=(6, 8))
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
