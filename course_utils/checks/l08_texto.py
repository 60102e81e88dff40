"""Checkers for lesson 08 (generación de texto)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from course_utils.exercises import Wrong, as_integer, as_number, exercise

LOSS_NATS = 1.5
WORD_LOSS = 5.2
N_WORDS = 2000
N_CHARS = 10_400




def _as_list(value: Any) -> list:
    if hasattr(value, "numpy"):  # a TensorFlow tensor
        value = value.numpy()
    items = list(value) if isinstance(value, str) else list(np.asarray(value).tolist())
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in items]


@exercise("08.desplazamiento", hint="la entrada es todo menos el último elemento; el objetivo, todo menos el primero.")
def shift(answer: Any) -> str | None:
    """A function seq -> (seq[:-1], seq[1:])."""
    if not callable(answer):
        raise Wrong("entrega una función `separar(secuencia)` que devuelva (entrada, objetivo).")
    try:
        result = answer(list("Hamlet"))
        x, y = result
        xn, yn = answer(np.arange(6))
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló o no devolvió dos secuencias ({type(exc).__name__}: {exc}).") from exc
    x, y, xn, yn = (_as_list(v) for v in (x, y, xn, yn))
    if x == list("Hamle") and y == list("amlet") and xn == [0, 1, 2, 3, 4] and yn == [1, 2, 3, 4, 5]:
        return None
    if x == list("amlet") and y == list("Hamle"):
        return "están al revés: la entrada va primero y el objetivo es la letra siguiente."
    if x == list("Hamlet") or y == list("Hamlet"):
        return "las dos partes deben medir uno menos que la secuencia: quita el último elemento de la entrada y el primero del objetivo."
    return "no es correcto: para «Hamlet» la entrada es «Hamle» y el objetivo «amlet»."


@exercise("08.temperatura", hint="divide los logits por la temperatura y aplica softmax (resta el máximo para no desbordar).")
def temperature(answer: Any) -> str | None:
    """A function (logits, T) -> softmax(logits / T)."""
    if not callable(answer):
        raise Wrong("entrega una función `softmax_t(logits, temperatura)`.")
    logits = np.array([3.0, 1.0, 0.5, -2.0])

    def reference(t: float) -> np.ndarray:
        z = logits / t
        e = np.exp(z - z.max())
        return e / e.sum()

    results = {}
    for t in (0.5, 1.0, 2.0):
        try:
            results[t] = np.asarray(answer(logits.copy(), t), dtype=float).ravel()
        except Exception as exc:  # the student's function failed
            raise Wrong(f"tu función falló con temperatura {t} ({type(exc).__name__}: {exc}).") from exc
        if results[t].shape != logits.shape:
            return f"la salida debe tener una probabilidad por logit ({logits.size}); tiene forma {results[t].shape}."
    if not all(abs(p.sum() - 1) < 1e-6 for p in results.values()):
        return "las probabilidades no suman 1: falta normalizar (softmax)."
    if all(np.allclose(results[t], reference(t), atol=1e-6) for t in results):
        try:
            big = np.asarray(answer(np.array([1000.0, 999.0]), 1.0), dtype=float).ravel()
        except Exception:
            big = np.array([np.nan])
        if not np.all(np.isfinite(big)):
            return "con logits grandes (1000) da NaN: resta el máximo antes de exponenciar."
        return None
    if all(np.allclose(results[t], reference(1 / t), atol=1e-6) for t in results):
        return "multiplicaste por la temperatura; hay que dividir (T < 1 debe concentrar la probabilidad)."
    if np.allclose(results[0.5], results[2.0]):
        return "la temperatura no cambia nada en tu función: divide los logits por ella."
    return "no es correcto: calcula softmax(logits / temperatura)."


@exercise("08.perplejidad", hint="la pérdida de Keras está en nats (logaritmo natural): perplejidad = e ** pérdida.")
def perplexity(answer: Any) -> str | None:
    """Perplexity of a loss of 1.5 nats per character: e ** 1.5 = 4.48."""
    value = as_number(answer)
    if abs(value - math.exp(LOSS_NATS)) < 0.01:
        return None
    if abs(value - 2 ** LOSS_NATS) < 0.01:
        return "usaste base 2, pero la entropía cruzada de Keras usa logaritmo natural: la base es e."
    if abs(value - 10 ** LOSS_NATS) < 0.1:
        return "la base es e, no 10."
    if abs(value - LOSS_NATS) < 1e-9:
        return "esa es la pérdida; la perplejidad es e elevado a la pérdida."
    return "no es correcto: perplejidad = exp(pérdida media por carácter)."


@exercise("08.bpc", hint="bits totales = pérdida × palabras / ln 2; divídelos por los caracteres del mismo texto.")
def bits_per_char(answer: Any) -> str | None:
    """5.2 nats per word over 2,000 words of a 10,400-character text: 1/ln 2 = 1.443 bits/char."""
    value = as_number(answer)
    expected = WORD_LOSS * N_WORDS / (N_CHARS * math.log(2))
    if abs(value - expected) < 0.005:
        return None
    if abs(value - WORD_LOSS / math.log(2)) < 0.01:
        return "eso son bits por palabra; repártelos entre los caracteres del texto (hay 5,2 caracteres por palabra)."
    if abs(value - WORD_LOSS * N_WORDS / N_CHARS) < 0.005:
        return "eso son nats por carácter; para pasar a bits divide por ln 2."
    if abs(value - WORD_LOSS) < 1e-9:
        return "esa es la pérdida por palabra en nats; conviértela a bits por carácter."
    return "no es correcto: bits por carácter = pérdida × n_palabras / (n_caracteres × ln 2)."


#: Exercise 08.parametros_gru: keras.layers.GRU(GRU_UNITS) over inputs of GRU_INPUT numbers.
GRU_UNITS = 256
GRU_INPUT = 64


@exercise("08.parametros_gru", hint="3 bloques (z, r, h), cada uno con W (entrada × unidades), U (unidades × unidades) y dos sesgos.")
def gru_parameters(answer: Any) -> str | None:
    """GRU(256) over 64 inputs, reset_after=True: 3·(256·(64 + 256) + 2·256) = 247,296."""
    got = as_integer(answer)
    units, n_in = GRU_UNITS, GRU_INPUT
    if got == 3 * (units * (n_in + units) + 2 * units):
        return None
    if got == 3 * (units * (n_in + units) + units):
        return ("esa es la cuenta con reset_after=False (un sesgo por bloque); con reset_after=True "
                "cada bloque tiene dos: el de la entrada y el recurrente.")
    if got == 3 * units * (n_in + units):
        return "te faltaron los sesgos: dos vectores de 256 por bloque."
    if got == 3 * (units * n_in + 2 * units):
        return "te faltaron los pesos recurrentes U (unidades × unidades) de cada bloque."
    if got in (4 * (units * (n_in + units) + units), 4 * (units * (n_in + units) + 2 * units)):
        return "esa es la cuenta de una LSTM (4 bloques); la GRU tiene 3: actualización, reinicio y candidato."
    if got == units * (n_in + units) + 2 * units:
        return "ese es un solo bloque; la GRU tiene 3 (z, r y el candidato)."
    return "no es correcto: 3 · (unidades · (entrada + unidades) + 2 · unidades)."
