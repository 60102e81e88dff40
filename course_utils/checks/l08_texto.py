"""Checkers for lesson 08 (generación de texto)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from course_utils.checks.l07_idioma import compare_validation
from course_utils.exercises import Code, Wrong, as_integer, as_number, exercise, near

LOSS_NATS = 1.5
WORD_LOSS = 5.2
N_WORDS = 2000
N_CHARS = 10_400


def _rounded_lower(value: float, expected: float, decimals: int) -> bool:
    """True when ``value`` is ``expected`` correctly rounded to fewer than ``decimals`` decimals."""
    return any(abs(value - round(expected, k)) < 1e-9 for k in range(decimals))


def _as_list(value: Any) -> list:
    if hasattr(value, "numpy"):  # a TensorFlow tensor
        value = value.numpy()
    items = list(value) if isinstance(value, str) else list(np.asarray(value).tolist())
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in items]


def separar(secuencia):
    """Reference solution of 08.desplazamiento."""
    return secuencia[:-1], secuencia[1:]


@exercise(
    "08.desplazamiento",
    hint="con «Hamlet», la entrada es «Hamle» y el objetivo «amlet»: ¿qué elemento le falta a cada una?",
    worked_step="la entrada es todo menos el último elemento y el objetivo todo menos el primero; usa cortes [a:b].",
    solution=separar,
    explanation=("secuencia[:-1] y secuencia[1:] funcionan igual con listas, arreglos y tensores: en cada "
                 "posición el objetivo es el elemento que sigue a la entrada."),
)
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


def softmax_t(logits, temperatura):
    """Reference solution of 08.temperatura."""
    z = np.asarray(logits, dtype=float) / temperatura
    e = np.exp(z - z.max())
    return e / e.sum()


@exercise(
    "08.temperatura",
    hint="la temperatura divide los logits antes del softmax; para que no desborde, piensa qué puedes restar sin cambiar el resultado.",
    worked_step=("z = logits / temperatura; resta z.max() antes de np.exp (el softmax no cambia si restas "
                 "la misma constante a todos) y divide por la suma."),
    solution=softmax_t,
    explanation=("softmax(z - c) = softmax(z) para cualquier constante c; restar el máximo deja el mayor "
                 "exponente en e^0 = 1, así que nada desborda aunque los logits valgan 1000."),
)
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


@exercise(
    "08.perplejidad",
    hint="la pérdida de Keras está en nats (logaritmo natural): la perplejidad deshace ese logaritmo.",
    worked_step="perplejidad = e ** pérdida; en Python, math.exp(1.5), redondeado a dos decimales.",
    solution=round(math.exp(LOSS_NATS), 2),
    explanation="La perplejidad es e elevado a la pérdida en nats: e^1,5 ≈ 4,48 caracteres igual de probables.",
)
def perplexity(answer: Any) -> str | None:
    """Perplexity of a loss of 1.5 nats per character: e ** 1.5 = 4.48 (two decimals)."""
    value = as_number(answer, "4.00")
    expected = math.exp(LOSS_NATS)
    if near(value, expected, 2):
        return None
    if _rounded_lower(value, expected, 2):
        return "vas bien, pero escríbelo con dos decimales."
    if near(value, 2 ** LOSS_NATS, 1):
        return "usaste base 2, pero la entropía cruzada de Keras usa logaritmo natural: la base es e."
    if near(value, 10 ** LOSS_NATS, 0):
        return "la base es e, no 10."
    if near(value, LOSS_NATS, 2):
        return "esa es la pérdida; la perplejidad es e elevado a la pérdida."
    return "no es correcto: perplejidad = exp(pérdida media por carácter)."


@exercise(
    "08.bpc",
    hint="pasa la pérdida total del texto a bits y repártela entre sus caracteres.",
    worked_step="bits totales = 5,2 × 2.000 / ln 2; divídelos por los 10.400 caracteres (tres decimales).",
    solution=round(WORD_LOSS * N_WORDS / (N_CHARS * math.log(2)), 3),
    explanation=("5,2 nats × 2.000 palabras = 10.400 nats = 10.400 / ln 2 bits; entre 10.400 caracteres "
                 "queda 1 / ln 2 ≈ 1,443 bits por carácter."),
)
def bits_per_char(answer: Any) -> str | None:
    """5.2 nats per word over 2,000 words of a 10,400-character text: 1/ln 2 = 1.443 bits/char."""
    value = as_number(answer, "1.000")
    expected = WORD_LOSS * N_WORDS / (N_CHARS * math.log(2))
    if near(value, expected, 3):
        return None
    if near(value, WORD_LOSS * N_WORDS / N_CHARS, 3):
        return "eso son nats por carácter; para pasar a bits divide por ln 2."
    if _rounded_lower(value, expected, 3):
        return "vas bien, pero escríbelo con tres decimales."
    if near(value, WORD_LOSS / math.log(2), 2):
        return "eso son bits por palabra; repártelos entre los caracteres del texto (hay 5,2 caracteres por palabra)."
    if near(value, WORD_LOSS, 2):
        return "esa es la pérdida por palabra en nats; conviértela a bits por carácter."
    return "no es correcto: bits por carácter = pérdida × n_palabras / (n_caracteres × ln 2)."


#: Exercise 08.parametros_gru: keras.layers.GRU(GRU_UNITS) over inputs of GRU_INPUT numbers.
GRU_UNITS = 256
GRU_INPUT = 64


@exercise(
    "08.parametros_gru",
    hint="cuenta los bloques de la GRU en las ecuaciones de la sección 4 y qué pesos tiene cada uno.",
    worked_step=("3 bloques (z, r, h), cada uno con W (64 × 256), U (256 × 256) y dos sesgos de 256: "
                 "3 · (256 · (64 + 256) + 2 · 256)."),
    solution=3 * (GRU_UNITS * (GRU_INPUT + GRU_UNITS) + 2 * GRU_UNITS),
    explanation=("Con reset_after=True cada bloque tiene un sesgo de entrada y uno recurrente: "
                 "3 · (256 · 320 + 512) = 247.296."),
)
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


@exercise(
    "08.mejora",
    hint="la base entrena pocas épocas en el modo rápido: mira si su curva de validación seguía bajando.",
    worked_step=("por ejemplo, un CharModel igual con Adam(3e-3) en lugar de 1e-3, entrenado con los mismos "
                 "train_ds y validation_data=val_ds."),
    solution=Code("""
import keras
course_utils.seed_everything(SEED)
with env.strategy.scope():
    variante = CharModel(VOCAB_SIZE, EMBEDDING_DIM, RNN_UNITS)
    variante.compile(optimizer=keras.optimizers.Adam(3e-3),
                     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
historia_variante = variante.fit(train_ds, validation_data=val_ds, epochs=EPOCHS, shuffle=False,
                                 verbose=0)
{"base": history_char, "mia": historia_variante}
"""),
    explanation=("La comparación honesta usa la misma validación (el último 10 % del texto) y nunca el "
                 "entrenamiento. Con pocas épocas, una tasa de aprendizaje mayor llega más lejos; con el "
                 "texto completo, prueba también más unidades o más épocas."),
)
def improve_on_validation(answer: Any) -> str | None:
    """The student's character model has a lower best validation loss than the lesson's."""
    return compare_validation(answer, "la GRU de caracteres de la lección")
