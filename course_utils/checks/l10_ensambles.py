"""Checkers for lesson 10 (ensambles, fusión y reproducibilidad)."""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.exercises import Code, Wrong, as_integer, as_numbers, exercise, near

#: Digits predicted by three models for four clips (rows: models).
HARD_VOTES = ((3, 1, 7, 7), (3, 7, 7, 1), (8, 1, 1, 1))
#: Probabilities of classes 0, 1, 2 given by three models to one clip.
SOFT_PROBAS = ((0.40, 0.60, 0.00), (0.45, 0.55, 0.00), (0.90, 0.05, 0.05))
#: Test accuracy of the same model trained with five seeds.
SEED_ACCURACIES = (0.91, 0.93, 0.90, 0.94, 0.92)
#: Decimals the prompt of 10.semillas asks for: the mean and the standard deviation.
MEAN_DECIMALS, STD_DECIMALS = 2, 4


def _majority(column: tuple[int, ...]) -> int:
    values, counts = np.unique(column, return_counts=True)
    return int(values[np.argmax(counts)])


@exercise(
    "10.voto_duro",
    hint="para cada clip (columna de la tabla), la etiqueta que más modelos predicen.",
    worked_step="clip 1: A y B dicen 3 y C dice 8, así que el voto da 3. Haz lo mismo con las "
                "otras tres columnas.",
    solution=[3, 1, 7, 1],
    explanation="Clip 1: 3 (A y B); clip 2: 1 (A y C); clip 3: 7 (A y B); clip 4: 1 (B y C). "
                "Cada modelo vale un voto, sin importar cuán seguro esté.",
)
def hard_vote(answer: Any) -> str | None:
    """Majority vote of HARD_VOTES per clip: [3, 1, 7, 1]."""
    if hasattr(answer, "tolist") and not isinstance(answer, (str, bytes)):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes, dict)) or not isinstance(answer, (tuple, list)):
        raise Wrong("responde con una lista de cuatro dígitos, uno por clip.")
    given = [as_integer(v, what="cada dígito de la lista") for v in answer]
    votes = np.array(HARD_VOTES)
    expected = [_majority(tuple(votes[:, j])) for j in range(votes.shape[1])]
    if len(given) != len(expected):
        return f"hay {len(expected)} clips: la lista debe tener {len(expected)} dígitos."
    if given == expected:
        return None
    for name, row in zip("ABC", HARD_VOTES):
        if given == list(row):
            return f"esas son las predicciones del modelo {name} solo; el voto combina a los tres."
    wrong = [j + 1 for j in range(len(expected)) if given[j] != expected[j]]
    return f"revisa el clip {wrong[0]}: cuenta cuántos modelos votan por cada dígito."


@exercise(
    "10.voto_suave",
    hint="promedia las probabilidades de los tres modelos clase por clase y elige la clase con "
         "el promedio mayor.",
    worked_step="la media de la clase 0 es (0,40 + 0,45 + 0,90) / 3; calcula también la de la "
                "clase 1 y compáralas.",
    solution=0,
    explanation="Medias: clase 0 = 0,583, clase 1 = 0,400, clase 2 = 0,017: gana la 0, aunque "
                "dos de los tres modelos prefieran la 1, porque el tercero está muy seguro.",
)
def soft_vote(answer: Any) -> str | None:
    """Soft vote over SOFT_PROBAS: the mean is (0.583, 0.400, 0.017), so class 0."""
    try:
        given = as_integer(answer, what="la clase ganadora")
    except Wrong as exc:
        raise Wrong(f"responde con el número de la clase ganadora (0, 1 o 2): {exc}") from exc
    probas = np.array(SOFT_PROBAS)
    if given not in range(probas.shape[1]):
        raise Wrong("responde con el número de la clase ganadora: 0, 1 o 2.")
    expected = int(probas.mean(axis=0).argmax())
    if given == expected:
        return None
    hard = _majority(tuple(probas.argmax(axis=1)))
    if given == hard:
        return ("ese es el voto duro (dos modelos prefieren la clase 1 por poco); con voto suave "
                "cuenta cuánta confianza tiene cada uno: el tercero está muy seguro de la 0.")
    return "no es correcto: calcula la media de cada columna de probabilidades."


def fusion_tardia(probas):
    """Solución de referencia: promedia las matrices de los modelos y elige la clase mayor."""
    promedio = np.mean(probas, axis=0)  # (clips, clases): el promedio sobre los modelos
    return promedio.argmax(axis=1)  # una etiqueta por clip


@exercise(
    "10.fusion_tardia",
    hint="promedia sobre los modelos (no sobre los clips ni las clases) y, para cada clip, "
         "quédate con la clase de mayor probabilidad promedio.",
    worked_step="np.mean(probas, axis=0) da una matriz (clips, clases) con el promedio de los "
                "modelos; falta elegir la columna mayor de cada fila.",
    solution=fusion_tardia,
    explanation="Apilar las matrices da un arreglo (modelos, clips, clases): la media sobre el "
                "eje 0 es el voto suave de los modelos y argmax sobre el eje 1 elige una clase "
                "por clip.",
)
def late_fusion(answer: Any) -> str | None:
    """A function (list of (n_clips, n_classes) probability matrices) -> labels: averages them."""
    if not callable(answer):
        raise Wrong("entrega una función `fusion_tardia(probas)`, no un valor.")
    rng = np.random.default_rng(1)
    probas = [rng.dirichlet(np.ones(4) * 0.7, size=30) for _ in range(3)]
    probas[2] = rng.dirichlet(np.ones(4) * 0.2, size=30)  # one confident model
    expected = np.mean(probas, axis=0).argmax(axis=1)
    try:
        given = np.asarray(answer([p.copy() for p in probas]))
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con tres matrices de 30×4 ({type(exc).__name__}: {exc}).") from exc
    if given.shape == () and given.item() is None:
        raise Wrong("tu función no devuelve nada: falta el `return` con una etiqueta por clip.")
    if given.shape != expected.shape:
        if given.shape == (30, 4):
            return "devuelve una etiqueta por clip (argmax de cada fila), no la matriz promedio."
        return f"la salida debe tener una etiqueta por clip, forma (30,); tiene forma {given.shape}."
    if np.array_equal(given, expected):
        return None
    votes = np.stack([p.argmax(axis=1) for p in probas])
    majority = np.array([_majority(tuple(votes[:, j])) for j in range(votes.shape[1])])
    if np.array_equal(given, majority):
        return "eso es un voto duro; la fusión tardía de la lección promedia probabilidades."
    return f"{int((given != expected).sum())} de 30 etiquetas no coinciden con el promedio de probabilidades."


@exercise(
    "10.semillas",
    hint="la desviación estándar muestral divide entre n − 1 (aquí, 4), no entre n.",
    worked_step="la media es 0,92; las desviaciones respecto a ella son −0,01, 0,01, −0,02, "
                "0,02 y 0: suma sus cuadrados, divide entre 4 y saca la raíz.",
    solution=Code("""
import numpy as np

exactitudes = np.array([0.91, 0.93, 0.90, 0.94, 0.92])
(round(float(exactitudes.mean()), 2), round(float(exactitudes.std(ddof=1)), 4))
"""),
    explanation="Media 0,92; la suma de cuadrados es 0,001, entre 4 da 0,00025 y su raíz es "
                "0,0158. Con pocas semillas se usa la muestral (ddof=1): la poblacional "
                "(0,0141) subestima la dispersión.",
)
def seed_spread(answer: Any) -> str | None:
    """(mean, sample std) of SEED_ACCURACIES: (0.92, 0.0158)."""
    if isinstance(answer, dict):
        raise Wrong("responde con una tupla (media, desviación), por ejemplo (0.5, 0.1).")
    try:
        mean, std = as_numbers(answer, length=2, what="la respuesta (media, desviación)")
    except Wrong as exc:
        raise Wrong(f"{exc} Responde con una tupla (media, desviación), por ejemplo (0.5, 0.1).") from exc
    values = np.array(SEED_ACCURACIES)
    if not near(mean, values.mean(), MEAN_DECIMALS):
        if near(std, values.mean(), MEAN_DECIMALS):
            return "el orden es (media, desviación): pusiste primero la desviación."
        return "la media no es correcta: suma las cinco exactitudes y divide entre cinco."
    sample = values.std(ddof=1)
    if near(std, sample, STD_DECIMALS):
        return None
    if near(std, values.std(ddof=0), STD_DECIMALS):
        return ("esa es la desviación poblacional (entre n); con pocas semillas usamos la "
                "muestral, entre n − 1 (ddof=1).")
    if near(std, values.var(ddof=1), 5) or near(std, values.var(ddof=0), 5):
        return "esa es la varianza; la desviación estándar es su raíz cuadrada."
    if near(std, values.max() - values.min(), 3):
        return "ese es el rango (máximo − mínimo), no la desviación estándar."
    if any(round(std, d) == std and near(std, sample, d) for d in range(STD_DECIMALS)):
        return f"vas bien, pero escribe la desviación con {STD_DECIMALS} decimales."
    return "la desviación no es correcta: raíz de la suma de desviaciones al cuadrado entre n − 1."
