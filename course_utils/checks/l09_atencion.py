"""Checkers for lesson 09 (atención y transformers).

Kept free of TensorFlow/Keras imports: every lesson loads all checker modules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.checks.l04_redes_convolucionales import compare_with_base
from course_utils.exercises import Code, Wrong, as_integer, exercise

#: Exercise 09.pesos: two queries and three keys of dimension 4.
Q = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0]])
K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
#: The prompt asks for the weights "a mano" with two decimals.
WEIGHT_DECIMALS = 2

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


def _close(got: np.ndarray, expected: np.ndarray, decimals: int = WEIGHT_DECIMALS) -> bool:
    """Every entry is ``expected`` rounded to ``decimals`` (or more precise)."""
    return bool(np.all(np.abs(got - expected) <= 0.5 * 10.0 ** (-decimals) + 1e-9))


def _matches(got: np.ndarray, expected: np.ndarray) -> bool:
    """Loose comparison for the targeted messages (two decimals, with a little slack)."""
    return got.shape == expected.shape and bool(np.allclose(got, expected, atol=6e-3))


@exercise(
    "09.pesos",
    hint="puntajes = Q Kᵀ / √d_k (aquí √4 = 2); luego softmax en cada fila.",
    worked_step=("primera fila: los productos punto de q₁ = (1, 0, 1, 0) con las tres claves son "
                 "(2, 0, 1); divididos por 2, (1, 0, 0,5); su softmax es e^z / (e¹ + e⁰ + e^0,5)."),
    solution=Code("np.exp(Q_ej @ K_ej.T / 2) / np.exp(Q_ej @ K_ej.T / 2).sum(axis=1, keepdims=True)"),
    explanation=("Cada fila es el softmax de los puntajes de una consulta: (0,51; 0,19; 0,31) y "
                 "(0,16; 0,42; 0,42) con dos decimales. Redondeadas, las filas pueden sumar 0,99 o 1,01."),
)
def attention_weights(answer: Any) -> str | None:
    """The 2x3 attention weights softmax(Q Kᵀ / √4) of the module's Q and K, to two decimals."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Wrong("entrega una matriz de 2 filas (consultas) y 3 columnas (claves).") from exc
    expected = _weights(Q, K)
    if got.shape != expected.shape:
        if got.shape == expected.T.shape:
            return "la matriz está transpuesta: una fila por consulta (2) y una columna por clave (3)."
        return f"la forma debe ser {expected.shape} (consultas × claves); la tuya es {got.shape}."
    if not np.all(np.isfinite(got)):
        return "hay valores que no son números (NaN o infinito): revisa el softmax."
    if _close(got, expected):
        return None
    if _close(got, expected, decimals=1):
        return "vas bien, pero escribe cada peso con dos decimales (por ejemplo 0.42)."
    if _matches(got, _weights(Q, K, scale=False)):
        return "olvidaste dividir por √d_k = 2 antes del softmax."
    if _matches(got, _weights(Q, K, axis=0)):
        return "aplicaste el softmax por columnas; cada consulta (fila) debe sumar 1."
    if _matches(got, Q @ K.T / 2):
        return "esos son los puntajes escalados; falta el softmax de cada fila."
    if _matches(got, Q @ K.T):
        return "esos son los productos punto QKᵀ; falta dividir por √d_k = 2 y aplicar el softmax."
    # With two decimals, three rounded weights can add up to 0.99-1.01: that is not an error.
    if not np.allclose(got.sum(axis=1), 1, atol=0.02):
        return ("cada fila de pesos debe sumar 1 (es una distribución sobre las claves); las tuyas "
                f"suman {', '.join(f'{s:.2f}' for s in got.sum(axis=1))}.")
    wrong = [f"fila {i + 1}" for i in range(2) if not _close(got[i], expected[i])]
    return (f"las filas suman 1, pero los valores de la {' y la '.join(wrong)} no coinciden: revisa "
            "los productos punto de esa consulta con cada clave.")


def atencion(q, k, v):
    """Atención de producto punto escalado: devuelve (salida, pesos)."""
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    puntajes = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    puntajes = puntajes - puntajes.max(axis=-1, keepdims=True)  # estable: sin exp de números grandes
    pesos = np.exp(puntajes)
    pesos = pesos / pesos.sum(axis=-1, keepdims=True)
    return pesos @ v, pesos


@exercise(
    "09.atencion",
    hint="np.swapaxes(k, -1, -2) transpone las dos últimas dimensiones; resta el máximo antes del exp.",
    worked_step=("puntajes = q @ k.T / np.sqrt(d_k); réstales su máximo por fila "
                 "(puntajes.max(axis=-1, keepdims=True)); exp; divide por la suma de cada fila; "
                 "salida = pesos @ v."),
    solution=atencion,
    explanation=("Restar el máximo de cada fila no cambia el softmax (se cancela al dividir) y evita "
                 "exponenciar números enormes, que darían infinito y luego NaN."),
)
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
    try:
        out, weights = (np.asarray(r, dtype=float) for r in result)
    except (TypeError, ValueError) as exc:
        raise Wrong("la salida y los pesos deben ser arreglos de números.") from exc
    expected_w = _weights(q, k)
    if weights.shape != (5, 7):
        if out.shape == (5, 7) and weights.shape == (5, 3):
            return "devolviste (pesos, salida); el orden es (salida, pesos)."
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


def _mha_parameters() -> int:
    d, h, kd = MHA_CASE["d_model"], MHA_CASE["num_heads"], MHA_CASE["key_dim"]
    return 3 * (d * h * kd + h * kd) + (h * kd * d + d)


@exercise(
    "09.parametros",
    hint="Q, K y V: cada una es una matriz d_model × (cabezas·key_dim) más su sesgo; y la proyección de salida.",
    worked_step=("cabezas · key_dim = 4 · 16 = 64, así que cada una de las cuatro proyecciones "
                 "(Q, K, V y salida) tiene 64 · 64 pesos y 64 sesgos."),
    solution=16_640,
    explanation="4 · (64 · 64 + 64) = 16.640: cuatro proyecciones de 64 × 64 con sus sesgos.",
)
def mha_parameters(answer: Any) -> str | None:
    """MultiHeadAttention(num_heads=4, key_dim=16) on d_model=64: 4 * (64*64 + 64) = 16,640.

    Accepts 16640, 16640.0, np.int64(16640) or a 0-d array.
    """
    got = as_integer(answer, "el número de parámetros")
    d, h, kd = MHA_CASE["d_model"], MHA_CASE["num_heads"], MHA_CASE["key_dim"]
    proj = d * h * kd
    if got == _mha_parameters():
        return None
    if got == 4 * proj:
        return "te faltaron los sesgos: uno por cada salida de Q, K, V (64 cada uno) y 64 de la salida."
    if got == 3 * (proj + h * kd):
        return "contaste Q, K y V, pero falta la proyección de salida que mezcla las cabezas (64·64 + 64)."
    if got == (3 * (d * kd + kd) + kd * d + d):
        return "eso sería con una sola cabeza de 16 dimensiones; son 4 cabezas."
    if got == 4 * (proj + h * kd) * h:
        return "multiplicaste por las cabezas de más: 4 cabezas de 16 ya suman 64 columnas por proyección."
    return "no es correcto: suma las cuatro proyecciones (Q, K, V y salida), cada una con pesos y sesgos."


# ------------------------------------------------------------------ open exercise: beat the base
@exercise(
    "09.supera",
    hint=("prueba primero lo barato: más épocas, otra tasa de aprendizaje o menos dropout; entrena con "
          "validation_data=(x[\"val\"], y[\"val\"]) y entrega {\"base\": val_base, \"mia\": historia}."),
    worked_step=("por ejemplo: keras.utils.set_random_seed(SEED); mi_modelo = transformer_classifier("
                 "input_shape, n_classes, num_layers=1, dropout=0.0); compílalo como en la sección 7 "
                 "con Adam(3e-3) y entrénalo el doble de épocas."),
    solution=Code("""
keras.utils.set_random_seed(SEED)
mi_modelo = transformer_classifier(input_shape, n_classes, d_model=64, num_heads=4, ff_dim=128,
                                   num_layers=1, dropout=0.0)
mi_modelo.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
parada = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10,
                                       restore_best_weights=True)
mi_historia = mi_modelo.fit(x["train"], y["train"], validation_data=(x["val"], y["val"]),
                            epochs=2 * EPOCHS, batch_size=BATCH_SIZE, callbacks=[parada],
                            verbose=0)
{"base": val_base, "mia": mi_historia}
"""),
    explanation=("Con pocos datos, un solo bloque sin dropout y una tasa de aprendizaje mayor aprende "
                 "más rápido; la comparación es honesta porque las dos cifras son la mejor exactitud "
                 "de validación en la misma partición. Con otra semilla, o con los datos reales, "
                 "comprueba si la ventaja se mantiene."),
)
def beat_baseline(answer: Any) -> str | None:
    """{"base": baseline val accuracy (or History), "mia": the student's History (or val accuracy)}."""
    return compare_with_base(answer)
