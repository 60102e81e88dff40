"""Checkers for lesson 09 (atención y transformers).

Kept free of TensorFlow/Keras imports: every lesson loads all checker modules.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from course_utils.exercises import Wrong, exercise

#: Exercise 09.pesos: two queries and three keys of dimension 4.
Q = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0]])
K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]])

#: Exercise 09.parametros: MultiHeadAttention(num_heads=4, key_dim=16) on d_model = 64.
MHA_CASE = {"d_model": 64, "num_heads": 4, "key_dim": 16}


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def _weights(q: np.ndarray, k: np.ndarray, scale: bool = True, axis: int = -1) -> np.ndarray:
    scores = q @ k.T
    if scale:
        scores = scores / np.sqrt(q.shape[-1])
    return _softmax(scores, axis=axis)


@exercise("09.pesos", hint="puntajes = Q Kᵀ / √d_k (aquí √4 = 2); luego softmax en cada fila.")
def attention_weights(answer: Any) -> str | None:
    """The 2x3 attention weights softmax(Q Kᵀ / √4) of the module's Q and K."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Wrong("entrega una matriz de 2 filas (consultas) y 3 columnas (claves).") from exc
    expected = _weights(Q, K)
    if got.shape != expected.shape:
        if got.shape == expected.T.shape:
            return "la matriz está transpuesta: una fila por consulta (2) y una columna por clave (3)."
        return f"la forma debe ser {expected.shape} (consultas × claves); la tuya es {got.shape}."
    if np.allclose(got, expected, atol=1e-3):
        return None
    if np.allclose(got, _weights(Q, K, scale=False), atol=1e-3):
        return "olvidaste dividir por √d_k = 2 antes del softmax."
    if np.allclose(got, _weights(Q, K, axis=0), atol=1e-3):
        return "aplicaste el softmax por columnas; cada consulta (fila) debe sumar 1."
    if np.allclose(got, Q @ K.T / 2, atol=1e-3):
        return "esos son los puntajes escalados; falta el softmax de cada fila."
    if not np.allclose(got.sum(axis=1), 1, atol=1e-3):
        return "cada fila de pesos debe sumar 1 (es una distribución sobre las claves)."
    return "no coincide: revisa los productos punto de cada consulta con cada clave."


@exercise("09.atencion", hint="np.swapaxes(k, -1, -2) transpone las dos últimas dimensiones; resta el máximo antes del exp.")
def attention_function(answer: Any) -> str | None:
    """A function (q, k, v) -> (output, weights) computing scaled dot-product attention."""
    if not callable(answer):
        raise Wrong("entrega una función `atencion(q, k, v)` que devuelva (salida, pesos).")
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(5, 8)), rng.normal(size=(7, 8)), rng.normal(size=(7, 3))
    try:
        result = answer(q.copy(), k.copy(), v.copy())
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con q (5×8), k (7×8) y v (7×3): {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Wrong("la función debe devolver dos cosas: (salida, pesos).")
    out, weights = (np.asarray(r, dtype=float) for r in result)
    expected_w = _weights(q, k)
    if weights.shape != (5, 7):
        return f"los pesos deben tener forma (5, 7) (consultas × claves); tienen {weights.shape}."
    if np.allclose(weights, _weights(q, k, scale=False)):
        return "falta dividir los puntajes por √d_k (aquí √8)."
    if np.allclose(weights, _weights(q, k, axis=0)):
        return "el softmax va sobre las claves (el último eje), no sobre las consultas."
    if not np.allclose(weights, expected_w, atol=1e-6):
        return "los pesos no coinciden con softmax(Q Kᵀ / √d_k)."
    if out.shape != (5, 3) or not np.allclose(out, expected_w @ v, atol=1e-6):
        return "los pesos están bien, pero la salida debe ser pesos @ v, de forma (5, 3)."
    try:
        with np.errstate(all="ignore"):
            big = np.asarray(answer(q * 100, k * 100, v)[0], dtype=float)
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con puntajes grandes (q y k × 100): {exc}") from exc
    if not np.all(np.isfinite(big)):
        return ("con puntajes grandes tu softmax da NaN o infinito: resta el máximo de cada fila "
                "antes de exponenciar.")
    return None


@exercise("09.parametros", hint="Q, K y V: cada una es una matriz d_model × (cabezas·key_dim) más su sesgo; y la proyección de salida.")
def mha_parameters(answer: Any) -> str | None:
    """MultiHeadAttention(num_heads=4, key_dim=16) on d_model=64: 4 * (64*64 + 64) = 16,640."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        raise Wrong("responde con un número entero de parámetros.")
    d, h, kd = MHA_CASE["d_model"], MHA_CASE["num_heads"], MHA_CASE["key_dim"]
    proj = d * h * kd
    expected = 3 * (proj + h * kd) + (h * kd * d + d)
    if answer == expected:
        return None
    if answer == 4 * proj:
        return "te faltaron los sesgos: uno por cada salida de Q, K, V (64 cada uno) y 64 de la salida."
    if answer == 3 * (proj + h * kd):
        return "contaste Q, K y V, pero falta la proyección de salida que mezcla las cabezas (64·64 + 64)."
    if answer == (3 * (d * kd + kd) + kd * d + d):
        return "eso sería con una sola cabeza de 16 dimensiones; son 4 cabezas."
    return "no es correcto: suma las cuatro proyecciones (Q, K, V y salida), cada una con pesos y sesgos."
