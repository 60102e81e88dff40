"""Checkers for lesson 04 (redes convolucionales)."""

from __future__ import annotations

import numbers
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


# ---------------------------------------------------------------- section 1: how a network learns

#: Exercise 04.entropia: logits of three classes and the true class.
CE_LOGITS = (1.0, 3.0, 0.0)
CE_CLASS = 0

#: Exercise 04.cadena: h = relu(w1 x), y_hat = w2 h, L = (y_hat - y) ** 2.
CHAIN = {"x": 2.0, "y": 1.0, "w1": 0.5, "w2": 3.0}

#: Exercise 04.paso_gradiente: the line y_hat = w x + b, mean squared error, one step.
STEP_POINTS = ((1.0, 3.0), (2.0, 5.0))
STEP_START = (1.0, 0.0)
STEP_LR = 0.1


def _number(value: Any, what: str = "la respuesta") -> float:
    """A real number (int, float, NumPy scalar or 0-d array) as float, else ``Wrong``."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Wrong(f"{what} debe ser un número, no {type(value).__name__}.")
    return float(value)


def _pair(answer: Any, example: str) -> tuple[float, float]:
    """Two numbers (tuple, list or NumPy array), else ``Wrong`` naming the expected form."""
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong(f"responde con una tupla de dos números, por ejemplo {example}.")
    first, second = (_number(v, f"el {k}.º valor") for k, v in enumerate(answer, start=1))
    return first, second


def cross_entropy_answer() -> float:
    """−ln softmax(CE_LOGITS)[CE_CLASS], in nats."""
    z = np.asarray(CE_LOGITS)
    return float(np.log(np.exp(z).sum()) - z[CE_CLASS])


def chain_rule_answer() -> tuple[float, float]:
    """(dL/dw1, dL/dw2) of the tiny network of CHAIN, by the chain rule."""
    x, y, w1, w2 = CHAIN["x"], CHAIN["y"], CHAIN["w1"], CHAIN["w2"]
    z = w1 * x
    h = max(z, 0.0)
    dloss = 2 * (w2 * h - y)
    return dloss * w2 * float(z > 0) * x, dloss * h


def gradient_step_answer(factor: float = 2.0, mean: bool = True, sign: float = -1.0
                         ) -> tuple[float, float]:
    """(w, b) after one step; the arguments reproduce the usual slips (for the feedback)."""
    (w, b), x, y = STEP_START, *np.asarray(STEP_POINTS).T
    error = w * x + b - y
    scale = factor / (len(x) if mean else 1)
    dw, db = scale * np.sum(error * x), scale * np.sum(error)
    return float(w + sign * STEP_LR * dw), float(b + sign * STEP_LR * db)


@exercise("04.entropia", hint="calcula p = softmax(z) = e^z / suma de e^z y luego −ln p de la clase verdadera.")
def cross_entropy(answer: Any) -> str | None:
    """Cross-entropy of logits (1, 3, 0) for class 0: ln(e + e³ + 1) − 1 = 2.170 nats."""
    got = _number(answer)
    expected = cross_entropy_answer()
    if abs(got - expected) < 6e-4:
        return None
    z = np.asarray(CE_LOGITS)
    probs = np.exp(z) / np.exp(z).sum()
    if abs(got + expected) < 6e-4:
        return "te falta el signo menos: la pérdida es −ln p, un número positivo."
    if abs(got - probs[CE_CLASS]) < 6e-4:
        return "esa es la probabilidad de la clase verdadera; la pérdida es −ln de ese número."
    if abs(got - expected / np.log(2)) < 6e-4:
        return "usaste logaritmo en base 2 (bits); la entropía cruzada de Keras usa logaritmo natural (nats)."
    if abs(got - expected / np.log(10)) < 6e-4:
        return "usaste logaritmo en base 10; aquí va el logaritmo natural (ln)."
    predicted = int(np.argmax(z))
    if abs(got + np.log(probs[predicted])) < 6e-4:
        return (f"calculaste −ln p de la clase con mayor logit ({predicted}); la pérdida usa la clase "
                f"verdadera, la {CE_CLASS}.")
    return f"no es correcto: p_{CE_CLASS} = e^{CE_LOGITS[CE_CLASS]:g} / (e^1 + e^3 + e^0) y L = −ln p_{CE_CLASS}."


@exercise("04.cadena", hint="primero el paso hacia adelante (z = w₁x, h, ŷ, L); luego ∂L/∂ŷ = 2(ŷ − y) y multiplica hacia atrás.")
def chain_rule(answer: Any) -> str | None:
    """dL/dw1 = 2(ŷ − y)·w2·ReLU'(w1 x)·x = 24 and dL/dw2 = 2(ŷ − y)·h = 4."""
    got = _pair(answer, "(24, 4)")
    dw1, dw2 = chain_rule_answer()
    if np.allclose(got, (dw1, dw2), atol=1e-6):
        return None
    if np.allclose(got, (dw2, dw1), atol=1e-6):
        return "están al revés: primero ∂L/∂w₁, después ∂L/∂w₂."
    if np.allclose(got, (-dw1, -dw2), atol=1e-6):
        return "revisa el signo: ∂L/∂ŷ = 2(ŷ − y), y aquí ŷ = 3 es mayor que y = 1."
    if np.allclose(got, (dw1 / 2, dw2 / 2), atol=1e-6):
        return "falta el 2: la derivada de (ŷ − y)² es 2(ŷ − y)."
    problems = []
    if np.isclose(got[1], dw2, atol=1e-6):
        if np.isclose(got[0], dw1 / CHAIN["x"], atol=1e-6):
            problems.append("en ∂L/∂w₁ falta el último eslabón, ∂z/∂w₁ = x = 2")
        elif np.isclose(got[0], dw1 / CHAIN["w2"], atol=1e-6):
            problems.append("en ∂L/∂w₁ falta el eslabón ∂ŷ/∂h = w₂ = 3")
        elif np.isclose(got[0], 0.0, atol=1e-6):
            problems.append("la ReLU no corta aquí: z = w₁x = 1 > 0, así que su derivada es 1")
        else:
            problems.append("∂L/∂w₂ está bien; revisa ∂L/∂w₁ = ∂L/∂ŷ · ∂ŷ/∂h · ∂h/∂z · ∂z/∂w₁")
    elif np.isclose(got[0], dw1, atol=1e-6):
        problems.append("∂L/∂w₁ está bien; revisa ∂L/∂w₂ = ∂L/∂ŷ · h")
    else:
        problems.append("ninguno coincide: haz primero el paso hacia adelante (z = 1, h = 1, ŷ = 3) "
                        "y luego multiplica las derivadas hacia atrás")
    return "; ".join(problems) + "."


@exercise("04.paso_gradiente", hint="calcula ∂L/∂w = (2/n)·Σ(ŷ − y)·x y ∂L/∂b = (2/n)·Σ(ŷ − y); luego w − η·∂L/∂w y b − η·∂L/∂b.")
def gradient_step(answer: Any) -> str | None:
    """One step from w = 1, b = 0 on (1, 3), (2, 5), η = 0.1: gradients (−8, −5) → (1.8, 0.5)."""
    got = _pair(answer, "(1.8, 0.5)")
    if np.allclose(got, gradient_step_answer(), atol=5e-3):
        return None
    (w, b), x, y = STEP_START, *np.asarray(STEP_POINTS).T
    error = w * x + b - y
    gradient = (2 * np.mean(error * x), 2 * np.mean(error))
    if np.allclose(got, gradient, atol=5e-3):
        return "esos son los gradientes; falta dar el paso: w − η·∂L/∂w y b − η·∂L/∂b."
    if np.allclose(got, gradient_step_answer(sign=1.0), atol=5e-3):
        return "fuiste cuesta arriba: el paso resta η·gradiente (θ ← θ − η∇L)."
    if np.allclose(got, gradient_step_answer(factor=1.0), atol=5e-3):
        return "falta el 2 de la derivada de (ŷ − y)²."
    if np.allclose(got, gradient_step_answer(mean=False), atol=5e-3):
        return "el error cuadrático medio promedia: divide la suma por n = 2."
    if np.allclose(got, (w - gradient[0], b - gradient[1]), atol=5e-3):
        return "falta multiplicar el gradiente por la tasa de aprendizaje η = 0,1."
    return "no es correcto: ŷ = (1, 2), los errores ŷ − y son (−2, −3); calcula los gradientes y da el paso."
