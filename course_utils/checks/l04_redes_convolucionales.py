"""Checkers for lesson 04 (redes convolucionales)."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.convolution import conv2d_loops, max_pool2d, output_size
from course_utils.exercises import Wrong, as_integer, exercise

#: (N, F, P, S) of the three cases of exercise 04.tamanos.
SIZE_CASES = ((28, 5, 2, 1), (32, 3, 0, 2), (227, 11, 0, 4))

#: The small convolution of exercise 04.conv_a_mano (one channel, stride 2, no padding).
HAND_X = np.array([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]])
HAND_K = np.array([[1, 0], [-1, 2]])
HAND_BIAS = 1
HAND_STRIDE = 2

POOL_X = np.array([[3, 1, 0, 2], [4, 8, 1, 1], [0, 2, 5, 7], [6, 1, 3, 0]])

#: Conv2D(64, 3x3) over 32 input channels.
PARAM_CASE = {"filters": 64, "f": 3, "channels": 32}




def _matrix(answer: Any) -> np.ndarray:
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Wrong("escribe la salida como una lista de filas, por ejemplo [[1, 2], [3, 4]].") from exc
    return arr


@exercise("04.tamanos", hint="usa (N − F + 2P) / S + 1 y redondea hacia abajo si no es entero.")
def output_sizes(answer: Any) -> str | None:
    """Output sizes of (28, 5, P=2, S=1), (32, 3, P=0, S=2) and (227, 11, P=0, S=4): 28, 15, 55."""
    if not isinstance(answer, (tuple, list)) or len(answer) != len(SIZE_CASES):
        raise Wrong(f"responde con una tupla de {len(SIZE_CASES)} enteros, uno por caso.")
    problems = []
    for k, (value, (n, f, p, s)) in enumerate(zip(answer, SIZE_CASES), start=1):
        got = as_integer(value, f"la respuesta del caso {k}")
        expected = output_size(n, f, p, s)
        if got == expected:
            continue
        exact = (n - f + 2 * p) / s + 1
        if got == int(np.ceil(exact)) and exact != int(exact):
            problems.append(f"caso {k}: (N − F + 2P)/S + 1 = {exact:g}; la última posición no cabe "
                            "entera, así que se redondea hacia abajo")
        elif got == n - f + 1:
            problems.append(f"caso {k}: olvidaste el relleno o el paso (P = {p}, S = {s})")
        else:
            problems.append(f"caso {k}: revisa la cuenta con N = {n}, F = {f}, P = {p}, S = {s}")
    return "; ".join(problems) + "." if problems else None


@exercise("04.conv_a_mano", hint="con paso 2 el filtro 2×2 cae en 4 posiciones; suma producto a producto y agrega el sesgo.")
def hand_convolution(answer: Any) -> str | None:
    """2x2 filter [[1, 0], [-1, 2]] over HAND_X with stride 2 and bias 1."""
    got = _matrix(answer)
    expected = conv2d_loops(HAND_X, HAND_K, [HAND_BIAS], stride=HAND_STRIDE)[:, :, 0]
    if got.shape != expected.shape:
        if got.shape == (3, 3):
            return "esa forma (3×3) corresponde a paso 1; con paso 2 el filtro salta de a dos: salida 2×2."
        return f"la salida debe ser {expected.shape[0]}×{expected.shape[1]}; tu respuesta tiene forma {got.shape}."
    if np.allclose(got, expected):
        return None
    if np.allclose(got, expected - HAND_BIAS):
        return "te faltó sumar el sesgo (+1) a cada posición."
    flipped = conv2d_loops(HAND_X, HAND_K[::-1, ::-1], [HAND_BIAS], stride=HAND_STRIDE)[:, :, 0]
    if np.allclose(got, flipped) or np.allclose(got, flipped - HAND_BIAS):
        return ("giraste el filtro (convolución matemática); en redes neuronales se usa sin girar "
                "(correlación cruzada).")
    wrong = int(np.sum(~np.isclose(got, expected)))
    return f"{wrong} de 4 valores no coinciden: revisa qué 2×2 de la entrada cubre cada posición."


@exercise("04.pooling", hint="toma el máximo de cada bloque 2×2 sin solaparse.")
def pooling(answer: Any) -> str | None:
    """Max pooling 2x2, stride 2, of POOL_X: [[8, 2], [6, 7]]."""
    got = _matrix(answer)
    expected = max_pool2d(POOL_X, 2, 2)
    if got.shape != expected.shape:
        return f"la salida debe ser 2×2; tu respuesta tiene forma {got.shape}."
    if np.allclose(got, expected):
        return None
    means = POOL_X.reshape(2, 2, 2, 2).mean(axis=(1, 3))
    if np.allclose(got, means):
        return "calculaste el promedio (average pooling); aquí se pide el máximo."
    return "algún valor no es el máximo de su bloque 2×2."


@exercise("04.parametros", hint="cada filtro tiene F × F × canales pesos más un sesgo.")
def conv_parameters(answer: Any) -> str | None:
    """Conv2D with 64 filters 3x3 over 32 channels: 3*3*32*64 + 64 = 18,496."""
    got = as_integer(answer, "la respuesta")
    c = PARAM_CASE
    weights = c["f"] * c["f"] * c["channels"] * c["filters"]
    if got == weights + c["filters"]:
        return None
    if got == weights:
        return "te faltaron los sesgos: uno por filtro (64)."
    if got == c["f"] * c["f"] * c["filters"] + c["filters"]:
        return "cada filtro recorre los 32 canales de entrada: multiplica también por 32."
    return "no es correcto: (3 · 3 · 32 + 1) · 64."
