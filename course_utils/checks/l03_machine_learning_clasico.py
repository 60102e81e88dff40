"""Checkers for lesson 03 (machine learning clásico)."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from course_utils.exercises import Wrong, as_number, exercise

#: Labels of the 5 nearest neighbours of the query point, nearest first (shown in the lesson).
NEIGHBOURS = ("estrella", "triángulo", "triángulo", "estrella", "estrella")
#: The regression example of the CCC exercise.
CCC_TRUE = (1.0, 2.0, 3.0, 4.0)
CCC_PRED = (2.0, 3.0, 4.0, 5.0)
#: The classification example of the F1 exercise.
F1_TRUE = (0, 0, 0, 0, 1, 1)
F1_PRED = (0, 0, 0, 0, 0, 1)


def _plain(text: str) -> str:
    """Lowercase without accents or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))




def _vote(k: int) -> str:
    labels = NEIGHBOURS[:k]
    return max(set(labels), key=labels.count)


@exercise("03.vecinos", hint="para cada k, cuenta las etiquetas de los k vecinos más cercanos "
                              "y gana la mayoría.")
def neighbours(answer: Any) -> str | None:
    """Predictions of k-NN for k = 1, 3, 5 with the neighbours in NEIGHBOURS: a 3-tuple."""
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise Wrong('responde con una tupla de tres etiquetas, una por k: ("...", "...", "...").')
    given = [_plain(a) for a in answer]
    expected = [_plain(_vote(k)) for k in (1, 3, 5)]
    if given == expected:
        return None
    for position, k in enumerate((1, 3, 5)):
        if given[position] != expected[position]:
            votes = NEIGHBOURS[:k]
            counts = ", ".join(f"{votes.count(lbl)} {lbl}" for lbl in sorted(set(votes)))
            if k == 1:
                return "con k = 1 solo cuenta el vecino más cercano, el primero de la lista."
            return f"con k = {k} mira los {k} vecinos más cercanos ({counts}): gana la mayoría."
    return "revisa las tres etiquetas."  # pragma: no cover


@exercise("03.ccc", hint="CCC = 2·cov(x, y) / (var(x) + var(y) + (media(x) − media(y))²), "
                         "con momentos poblacionales (dividiendo entre n).")
def ccc_by_hand(answer: Any) -> str | None:
    """Lin's CCC of CCC_TRUE vs CCC_PRED (predictions shifted by +1): 5/7 ≈ 0.714."""
    value = as_number(answer)
    x, y = np.array(CCC_TRUE), np.array(CCC_PRED)
    expected = 2 * np.cov(x, y, ddof=0)[0, 1] / (x.var() + y.var() + (x.mean() - y.mean()) ** 2)
    if abs(value - expected) < 0.01:
        return None
    if abs(value - 1.0) < 0.01:
        return ("1 es la r de Pearson: las predicciones están en una recta perfecta, pero "
                "desplazadas +1 de la diagonal; el CCC castiga ese desplazamiento.")
    sample = 2 * np.cov(x, y, ddof=1)[0, 1] / (x.var(ddof=1) + y.var(ddof=1)
                                               + (x.mean() - y.mean()) ** 2)
    if abs(value - sample) < 0.01:
        return ("usaste varianza y covarianza muestrales (entre n − 1); el CCC de Lin usa "
                "momentos poblacionales (entre n).")
    if not -1.0 <= value <= 1.0:
        return "el CCC, como una correlación, está entre −1 y 1."
    return "no es correcto: calcula medias, varianzas y covarianza de los cuatro pares y aplica la fórmula."


@exercise("03.f1", hint="calcula el F1 de cada clase (2·P·R / (P + R)) y promédialos sin pesos.")
def macro_f1(answer: Any) -> str | None:
    """Macro F1 of F1_TRUE vs F1_PRED: (8/9 + 2/3) / 2 = 7/9 ≈ 0.778."""
    from sklearn.metrics import accuracy_score, f1_score

    value = as_number(answer)
    if abs(value - f1_score(F1_TRUE, F1_PRED, average="macro")) < 0.005:
        return None
    if abs(value - accuracy_score(F1_TRUE, F1_PRED)) < 0.005:
        return ("esa es la exactitud (accuracy), 5 de 6; el F1 macro da el mismo peso a la clase "
                "pequeña, donde el modelo acierta solo la mitad.")
    if abs(value - f1_score(F1_TRUE, F1_PRED, average="weighted")) < 0.005:
        return "ese es el F1 ponderado por el tamaño de cada clase; el macro es el promedio simple."
    per_class = f1_score(F1_TRUE, F1_PRED, average=None)
    if any(abs(value - f) < 0.005 for f in per_class):
        return "ese es el F1 de una sola clase; el macro promedia las dos."
    return "no es correcto: escribe precisión y exhaustividad (recall) de cada clase."


_SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")


@exercise("03.pipeline", hint="make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3))")
def knn_pipeline(answer: Any) -> str | None:
    """An unfitted scikit-learn Pipeline: a scaler, then k-NN with k = 3, that can be fitted."""
    from sklearn.base import clone
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline

    if isinstance(answer, KNeighborsClassifier):
        return ("un k-NN solo mide distancias con las escalas originales; ponlo en un Pipeline "
                "detrás de un escalador.")
    if not isinstance(answer, Pipeline):
        raise Wrong("entrega un Pipeline de scikit-learn (usa make_pipeline(...)).")
    steps = [step for _, step in answer.steps]
    first, last = steps[0], steps[-1]
    if not isinstance(last, KNeighborsClassifier):
        return "el último paso debe ser el clasificador KNeighborsClassifier."
    if type(first).__name__ not in _SCALERS:
        return ("el primer paso debe escalar las características (StandardScaler): sin él, la "
                "característica de mayor rango domina la distancia.")
    if last.n_neighbors != 3:
        return f"pediste k = {last.n_neighbors} vecinos; el ejercicio pide k = 3."
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=60), 1000 * rng.normal(size=60)])
    y = (x[:, 0] > 0).astype(int)
    try:
        fitted = clone(answer).fit(x[:40], y[:40])
        accuracy = float((fitted.predict(x[40:]) == y[40:]).mean())
    except Exception as exc:  # the student's pipeline failed
        raise Wrong(f"tu pipeline falló al entrenar ({type(exc).__name__}: {exc}).") from exc
    if accuracy < 0.7:
        return ("tu pipeline no aprende un caso donde escalar es clave; revisa los pasos "
                f"(exactitud {accuracy:.2f}).")
    return None


@exercise("03.particion", hint="¿qué partición deja fuera del entrenamiento a hablantes enteros?")
def honest_split(answer: Any) -> str | None:
    """Which split estimates the accuracy for a speaker never heard: "hablantes"."""
    if not isinstance(answer, str):
        raise Wrong('responde con un texto: "oficial" o "hablantes".')
    given = _plain(answer)
    if given in {"hablantes", "hablante", "por hablante", "por hablantes", "speaker"}:
        return None
    if given in {"oficial", "official"}:
        return ("en la partición oficial los mismos hablantes están en entrenamiento y prueba: "
                "mide grabaciones nuevas de voces conocidas, no voces nuevas.")
    raise Wrong('responde "oficial" o "hablantes".')
