"""Checkers for lesson 04 (redes convolucionales).

Kept free of TensorFlow/Keras imports (every lesson loads all checker modules), and of the
lesson's exported code: the small computations are repeated here.
"""

from __future__ import annotations

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
)

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


def output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """floor((N - F + 2P) / S) + 1."""
    return (n - f + 2 * padding) // stride + 1


def _conv_single(x: np.ndarray, k: np.ndarray, bias: float, stride: int) -> np.ndarray:
    """One-channel cross-correlation without padding (the hand exercise)."""
    f = k.shape[0]
    n = output_size(x.shape[0], f, 0, stride)
    m = output_size(x.shape[1], f, 0, stride)
    return np.array([[np.sum(x[i * stride:i * stride + f, j * stride:j * stride + f] * k) + bias
                      for j in range(m)] for i in range(n)], dtype=float)


def _max_pool(x: np.ndarray, size: int) -> np.ndarray:
    h, w = x.shape[0] // size, x.shape[1] // size
    return x[:h * size, :w * size].reshape(h, size, w, size).max(axis=(1, 3))


def _matrix(answer: Any) -> np.ndarray:
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Wrong("escribe la salida como una lista de filas, por ejemplo [[1, 2], [3, 4]].") from exc
    return arr


@exercise(
    "04.tamanos",
    hint="usa (N − F + 2P) / S + 1 y redondea hacia abajo si no es entero.",
    worked_step="caso (b): (32 − 3 + 0) / 2 + 1 = 15,5; la última posición no cabe, así que son 15.",
    solution=(28, 15, 55),
    explanation=("(28 − 5 + 4)/1 + 1 = 28 (relleno «same»); ⌊(32 − 3)/2⌋ + 1 = 15; "
                 "(227 − 11)/4 + 1 = 55, el tamaño de la primera capa de AlexNet."),
)
def output_sizes(answer: Any) -> str | None:
    """Output sizes of (28, 5, P=2, S=1), (32, 3, P=0, S=2) and (227, 11, P=0, S=4): 28, 15, 55.

    A tuple, list or array of three integers (7 or 7.0 or np.int64(7)).
    """
    if isinstance(answer, (str, bytes, Mapping)) or not hasattr(answer, "__len__"):
        raise Wrong(f"responde con una tupla de {len(SIZE_CASES)} enteros, uno por caso.")
    values = as_numbers(answer, len(SIZE_CASES), "la respuesta")
    problems = []
    for k, (value, (n, f, p, s)) in enumerate(zip(values, SIZE_CASES), start=1):
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


@exercise(
    "04.conv_a_mano",
    hint="con paso 2 el filtro 2×2 cae en 4 posiciones; suma producto a producto y agrega el sesgo.",
    worked_step=("esquina superior izquierda: el trozo [[1, 2], [0, 1]] por [[1, 0], [−1, 2]] da "
                 "1·1 + 2·0 + 0·(−1) + 1·2 = 3, más el sesgo: 4."),
    solution=[[4, 0], [2, 4]],
    explanation=("Con paso 2 los trozos 2×2 no se solapan: [[1, 2], [0, 1]] → 4, [[0, 1], [3, 1]] → 0, "
                 "[[2, 1], [1, 0]] → 2 y [[0, 0], [1, 2]] → 4, cada uno con el sesgo +1."),
)
def hand_convolution(answer: Any) -> str | None:
    """2x2 filter [[1, 0], [-1, 2]] over HAND_X with stride 2 and bias 1: [[4, 0], [2, 4]]."""
    got = _matrix(answer)
    expected = _conv_single(HAND_X, HAND_K, HAND_BIAS, HAND_STRIDE)
    if got.shape != expected.shape:
        if got.shape == (3, 3):
            return "esa forma (3×3) corresponde a paso 1; con paso 2 el filtro salta de a dos: salida 2×2."
        return f"la salida debe ser {expected.shape[0]}×{expected.shape[1]}; tu respuesta tiene forma {got.shape}."
    if np.allclose(got, expected):
        return None
    if np.allclose(got, expected - HAND_BIAS):
        return "te faltó sumar el sesgo (+1) a cada posición."
    flipped = _conv_single(HAND_X, HAND_K[::-1, ::-1], HAND_BIAS, HAND_STRIDE)
    if np.allclose(got, flipped) or np.allclose(got, flipped - HAND_BIAS):
        return ("giraste el filtro (convolución matemática); en redes neuronales se usa sin girar "
                "(correlación cruzada).")
    wrong = int(np.sum(~np.isclose(got, expected)))
    return f"{wrong} de 4 valores no coinciden: revisa qué 2×2 de la entrada cubre cada posición."


@exercise(
    "04.pooling",
    hint="toma el máximo de cada bloque 2×2 sin solaparse.",
    worked_step="el bloque de arriba a la izquierda es [[3, 1], [4, 8]]: su máximo es 8.",
    solution=[[8, 2], [6, 7]],
    explanation="Los cuatro bloques 2×2 son [[3, 1], [4, 8]], [[0, 2], [1, 1]], [[0, 2], [6, 1]] y [[5, 7], [3, 0]].",
)
def pooling(answer: Any) -> str | None:
    """Max pooling 2x2, stride 2, of POOL_X: [[8, 2], [6, 7]]."""
    got = _matrix(answer)
    expected = _max_pool(POOL_X, 2)
    if got.shape != expected.shape:
        return f"la salida debe ser 2×2; tu respuesta tiene forma {got.shape}."
    if np.allclose(got, expected):
        return None
    means = POOL_X.reshape(2, 2, 2, 2).mean(axis=(1, 3))
    if np.allclose(got, means):
        return "calculaste el promedio (average pooling); aquí se pide el máximo."
    return "algún valor no es el máximo de su bloque 2×2."


@exercise(
    "04.parametros",
    hint="cada filtro tiene F × F × canales pesos más un sesgo.",
    worked_step="un filtro: 3 · 3 · 32 = 288 pesos y 1 sesgo; la capa tiene 64 filtros.",
    solution=18_496,
    explanation="(3 · 3 · 32 + 1) · 64 = 18.496, lo que dice el resumen de Keras para conv2.",
)
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
    try:
        return as_number(value)
    except Wrong as exc:
        raise Wrong(f"{what} debe ser un número, no {type(value).__name__}.") from exc


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


@exercise(
    "04.entropia",
    hint="calcula p = softmax(z) = e^z / suma de e^z y luego −ln p de la clase verdadera.",
    worked_step="e¹ + e³ + e⁰ = 2,718 + 20,086 + 1 = 23,804, así que p₀ = 2,718 / 23,804.",
    solution=Code("-np.log(np.exp(1.0) / (np.exp(1.0) + np.exp(3.0) + np.exp(0.0)))"),
    explanation="p₀ = e / (e + e³ + 1) ≈ 0,114 y L = −ln 0,114 ≈ 2,170 nats.",
)
def cross_entropy(answer: Any) -> str | None:
    """Cross-entropy of logits (1, 3, 0) for class 0: ln(e + e³ + 1) − 1 = 2.170 nats (3 decimals)."""
    got = _number(answer)
    expected = cross_entropy_answer()
    if abs(got - expected) <= 5e-4 + 1e-9:
        return None
    if abs(got - expected) <= 0.05 + 1e-9:
        return "casi: escríbelo con al menos 3 decimales (por ejemplo 2.345)."
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


@exercise(
    "04.cadena",
    hint="primero el paso hacia adelante (z = w₁x, h, ŷ, L); luego ∂L/∂ŷ = 2(ŷ − y) y multiplica hacia atrás.",
    worked_step="hacia adelante: z = 1, h = 1, ŷ = 3, así que ∂L/∂ŷ = 2 · (3 − 1) = 4.",
    solution=(24, 4),
    explanation=("∂L/∂w₂ = ∂L/∂ŷ · h = 4 · 1 = 4; ∂L/∂w₁ = ∂L/∂ŷ · w₂ · ReLU'(z) · x = "
                 "4 · 3 · 1 · 2 = 24."),
)
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


@exercise(
    "04.paso_gradiente",
    hint="calcula ∂L/∂w = (2/n)·Σ(ŷ − y)·x y ∂L/∂b = (2/n)·Σ(ŷ − y); luego w − η·∂L/∂w y b − η·∂L/∂b.",
    worked_step="ŷ = (1, 2) y ŷ − y = (−2, −3); ∂L/∂w = (2/2)·(−2·1 − 3·2) = −8.",
    solution=(1.8, 0.5),
    explanation="Los gradientes son (−8, −5); w = 1 − 0,1·(−8) = 1,8 y b = 0 − 0,1·(−5) = 0,5.",
)
def gradient_step(answer: Any) -> str | None:
    """One step from w = 1, b = 0 on (1, 3), (2, 5), η = 0.1: gradients (−8, −5) → (1.8, 0.5)."""
    got = _pair(answer, "(1.8, 0.5)")
    if np.all(np.abs(np.subtract(got, gradient_step_answer())) <= 5e-3 + 1e-9):
        return None
    if np.all(np.abs(np.subtract(got, gradient_step_answer())) <= 0.05 + 1e-9):
        return "casi: escribe w y b con al menos 2 decimales."
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


# ------------------------------------------------------------------ open exercise: beat the base
def validation_figure(value: Any, which: str) -> float:
    """Best validation accuracy of a History, or a number in [0, 1] (also used by lesson 09)."""
    return best_validation(value, which, "val_accuracy",
                           'entrena con datos de validación y metrics=["accuracy"]')


def compare_with_base(answer: Any) -> str | None:
    """The verdict of an open exercise: {"base": ..., "mia": ...}, both validation figures."""
    if not isinstance(answer, Mapping) or not {"base", "mia"} <= set(answer):
        raise Wrong('entrega un diccionario {"base": val_base, "mia": mi_historia} (el History de '
                    "tu entrenamiento o su mejor exactitud de validación).")
    base = validation_figure(answer["base"], "base")
    mine = validation_figure(answer["mia"], "mia")
    if mine > base:
        print(f"   Validación: tu variante {mine:.3f} · la base {base:.3f} (+{mine - base:.3f}).")
        return None
    if mine == base:
        return (f"empate en validación: tu variante {mine:.3f} y la base {base:.3f}. Cambia algo más "
                "y vuelve a entrenar.")
    return (f"tu variante quedó por debajo en validación: {mine:.3f} frente a {base:.3f} de la base. "
            "Prueba otro cambio; mira en las curvas si le faltan épocas o si sobreajusta.")


@exercise(
    "04.supera",
    hint=("prueba primero lo barato: más épocas, otra tasa de aprendizaje o más filtros; entrena con "
          "validation_data=val_ds y entrega {\"base\": val_base, \"mia\": mi_historia}."),
    worked_step=("por ejemplo: keras.utils.set_random_seed(SEED); mi_modelo = cifar_cnn(); "
                 "compílalo como en la sección 6 con Adam(3e-3) y entrénalo el doble de épocas."),
    solution=Code("""
keras.utils.set_random_seed(SEED)
mi_modelo = cifar_cnn(input_shape=(32, 32, 3), n_classes=n_classes)
mi_modelo.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
parada = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5,
                                       restore_best_weights=True)
mi_historia = mi_modelo.fit(train_ds, validation_data=val_ds, epochs=2 * EPOCHS,
                            callbacks=[parada], verbose=0)
{"base": val_base, "mia": mi_historia}
"""),
    explanation=("Una tasa de aprendizaje mayor y más épocas bastan cuando la base se detuvo pronto; "
                 "la comparación es honesta porque las dos cifras son la mejor exactitud de validación "
                 "con los mismos datos. Comprueba con otra semilla si la ventaja se mantiene."),
)
def beat_baseline(answer: Any) -> str | None:
    """{"base": the lesson's best val accuracy, "mia": the student's History (or val accuracy)}."""
    return compare_with_base(answer)
