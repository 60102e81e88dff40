"""Checkers for lesson 10 (ensambles, fusión y reproducibilidad)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from course_utils.exercises import Wrong, exercise

#: Digits predicted by three models for four clips (rows: models).
HARD_VOTES = ((3, 1, 7, 7), (3, 7, 7, 1), (8, 1, 1, 1))
#: Probabilities of classes 0, 1, 2 given by three models to one clip.
SOFT_PROBAS = ((0.40, 0.60, 0.00), (0.45, 0.55, 0.00), (0.90, 0.05, 0.05))
#: Test accuracy of the same model trained with five seeds.
SEED_ACCURACIES = (0.91, 0.93, 0.90, 0.94, 0.92)


def _majority(column: tuple[int, ...]) -> int:
    values, counts = np.unique(column, return_counts=True)
    return int(values[np.argmax(counts)])


@exercise("10.voto_duro", hint="para cada clip (columna), la etiqueta que más modelos predicen.")
def hard_vote(answer: Any) -> str | None:
    """Majority vote of HARD_VOTES per clip: [3, 1, 7, 1]."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__"):
        raise Wrong("responde con una lista de cuatro dígitos, uno por clip.")
    try:
        given = [int(v) for v in answer]
    except (TypeError, ValueError) as exc:
        raise Wrong("responde con una lista de cuatro dígitos enteros.") from exc
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


@exercise("10.voto_suave", hint="promedia las probabilidades de los tres modelos clase por clase "
                                "y elige la mayor.")
def soft_vote(answer: Any) -> str | None:
    """Soft vote over SOFT_PROBAS: the mean is (0.583, 0.400, 0.017), so class 0."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        raise Wrong("responde con el número de la clase ganadora (0, 1 o 2).")
    probas = np.array(SOFT_PROBAS)
    expected = int(probas.mean(axis=0).argmax())
    if answer == expected:
        return None
    hard = _majority(tuple(probas.argmax(axis=1)))
    if answer == hard:
        return ("ese es el voto duro (dos modelos prefieren la clase 1 por poco); con voto suave "
                "cuenta cuánta confianza tiene cada uno: el tercero está muy seguro de la 0.")
    return "no es correcto: calcula la media de cada columna de probabilidades."


@exercise("10.fusion_tardia", hint="np.mean(probas, axis=0).argmax(axis=1): media de las "
                                   "matrices de probabilidad y la clase mayor de cada fila.")
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


@exercise("10.semillas", hint="media y desviación estándar muestral (ddof=1) de las cinco "
                              "exactitudes: np.mean(a), np.std(a, ddof=1).")
def seed_spread(answer: Any) -> str | None:
    """(mean, sample std) of SEED_ACCURACIES: (0.92, 0.0158)."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2 or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in answer):
        raise Wrong("responde con una tupla (media, desviación), por ejemplo (0.5, 0.1).")
    mean, std = (float(v) for v in answer)
    values = np.array(SEED_ACCURACIES)
    if abs(mean - values.mean()) > 1e-3:
        return "la media no es correcta: suma las cinco exactitudes y divide entre cinco."
    if abs(std - values.std(ddof=1)) < 5e-4:
        return None
    if abs(std - values.std(ddof=0)) < 5e-4:
        return ("esa es la desviación poblacional (entre n); con pocas semillas usamos la "
                "muestral, entre n − 1 (ddof=1).")
    if abs(std - values.var(ddof=1)) < 5e-5 or abs(std - values.var(ddof=0)) < 5e-5:
        return "esa es la varianza; la desviación estándar es su raíz cuadrada."
    if abs(std - (values.max() - values.min())) < 1e-3:
        return "ese es el rango (máximo − mínimo), no la desviación estándar."
    return "la desviación no es correcta: raíz de la suma de desviaciones al cuadrado entre n − 1."
