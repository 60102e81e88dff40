"""Checkers for lesson 03 (machine learning clásico)."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from course_utils.exercises import Code, Wrong, as_number, exercise, near

#: Labels of the 5 nearest neighbours of the query point, nearest first (shown in the lesson).
NEIGHBOURS = ("estrella", "triángulo", "triángulo", "estrella", "estrella")
#: The regression example of the CCC exercise.
CCC_TRUE = (1.0, 2.0, 3.0, 4.0)
CCC_PRED = (2.0, 3.0, 4.0, 5.0)
#: The classification example of the F1 exercise.
F1_TRUE = (0, 0, 0, 0, 1, 1)
F1_PRED = (0, 0, 0, 0, 0, 1)
#: Decimals the prompts of 03.ccc and 03.f1 ask for.
DECIMALS = 3


def _plain(text: str) -> str:
    """Lowercase without accents or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _vote(k: int) -> str:
    labels = NEIGHBOURS[:k]
    return max(set(labels), key=labels.count)


def _fewer_decimals(value: float, target: float) -> bool:
    """``value`` is ``target`` correctly rounded, but to fewer decimals than the prompt asks."""
    return any(round(value, d) == value and near(value, target, d) for d in range(DECIMALS))


def _is(value: float, target: float) -> bool:
    """``value`` is ``target`` rounded to two or more decimals (for the wrong-answer branches)."""
    return near(value, target, 2)


@exercise(
    "03.vecinos",
    hint="para cada k, mira solo los k primeros vecinos de la lista y gana la etiqueta que más se repite.",
    worked_step="con k = 3 los vecinos son estrella, triángulo, triángulo: ¿cuál se repite más? "
                "Con k = 5 cuenta las cinco etiquetas de la lista.",
    solution=("estrella", "triángulo", "estrella"),
    explanation="Con k = 1 decide el más cercano (estrella); con k = 3 hay 2 triángulos contra "
                "1 estrella; con k = 5, 3 estrellas contra 2 triángulos. La predicción cambia "
                "con k: por eso k se elige con datos.",
)
def neighbours(answer: Any) -> str | None:
    """Predictions of k-NN for k = 1, 3, 5 with the neighbours in NEIGHBOURS: a 3-tuple."""
    if hasattr(answer, "tolist") and not isinstance(answer, str):  # a NumPy array of labels
        answer = answer.tolist()
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise Wrong('responde con una tupla de tres etiquetas, una por k: ("...", "...", "...").')
    if not all(isinstance(a, str) for a in answer):
        raise Wrong('cada elemento de la tupla es una etiqueta entre comillas: "estrella" o "triángulo".')
    given = [_plain(a) for a in answer]
    expected = [_plain(_vote(k)) for k in (1, 3, 5)]
    if given == expected:
        return None
    unknown = sorted({g for g in given if g not in {"estrella", "triangulo"}})
    if unknown:
        raise Wrong(f'las etiquetas posibles son "estrella" y "triángulo"; no conozco {unknown[0]!r}.')
    for position, k in enumerate((1, 3, 5)):
        if given[position] != expected[position]:
            votes = NEIGHBOURS[:k]
            counts = ", ".join(f"{votes.count(lbl)} {lbl}" for lbl in sorted(set(votes)))
            if k == 1:
                return "con k = 1 solo cuenta el vecino más cercano, el primero de la lista."
            return f"con k = {k} mira los {k} vecinos más cercanos ({counts}): gana la mayoría."
    return "revisa las tres etiquetas."  # pragma: no cover


def _ccc(ddof: int) -> float:
    x, y = np.array(CCC_TRUE), np.array(CCC_PRED)
    cov = np.cov(x, y, ddof=ddof)[0, 1]
    return float(2 * cov / (x.var(ddof=ddof) + y.var(ddof=ddof) + (x.mean() - y.mean()) ** 2))


@exercise(
    "03.ccc",
    hint="el CCC usa momentos poblacionales (dividiendo entre n) y suma al denominador el "
         "cuadrado de la diferencia de medias.",
    worked_step="medias: 2,5 y 3,5; las dos varianzas (entre n) valen 1,25 y la covarianza "
                "también 1,25. Sustituye en 2·cov / (var + var + (diferencia de medias)²).",
    solution=Code("""
import numpy as np

reales = np.array([1.0, 2.0, 3.0, 4.0])
predichas = np.array([2.0, 3.0, 4.0, 5.0])
covarianza = np.mean((reales - reales.mean()) * (predichas - predichas.mean()))
ccc = 2 * covarianza / (reales.var() + predichas.var() + (reales.mean() - predichas.mean()) ** 2)
round(float(ccc), 3)
"""),
    explanation="2 · 1,25 / (1,25 + 1,25 + 1) = 2,5 / 3,5 = 5/7 ≈ 0,714. Pearson daría 1 (los "
                "puntos están en una recta), pero el CCC castiga el desplazamiento de +1 s.",
)
def ccc_by_hand(answer: Any) -> str | None:
    """Lin's CCC of CCC_TRUE vs CCC_PRED (predictions shifted by +1): 5/7 ≈ 0.714."""
    value = as_number(answer, example="0.5")
    expected = _ccc(ddof=0)
    if near(value, expected, DECIMALS):
        return None
    if _is(value, 1.0):
        return ("1 es la r de Pearson: las predicciones están en una recta perfecta, pero "
                "desplazadas +1 de la diagonal; el CCC castiga ese desplazamiento.")
    if _is(value, _ccc(ddof=1)):
        return ("usaste varianza y covarianza muestrales (entre n − 1); el CCC de Lin usa "
                "momentos poblacionales (entre n).")
    if _fewer_decimals(value, expected):
        return f"vas bien, pero escríbelo con {DECIMALS} decimales."
    if not -1.0 <= value <= 1.0:
        return "el CCC, como una correlación, está entre −1 y 1."
    return "no es correcto: calcula medias, varianzas y covarianza de los cuatro pares y aplica la fórmula."


def _f1_scores() -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"macro": f1_score(F1_TRUE, F1_PRED, average="macro"),
            "accuracy": accuracy_score(F1_TRUE, F1_PRED),
            "weighted": f1_score(F1_TRUE, F1_PRED, average="weighted"),
            "per_class": f1_score(F1_TRUE, F1_PRED, average=None)}


@exercise(
    "03.f1",
    hint="calcula el F1 de cada clase por separado (2·P·R / (P + R)) y luego promédialos sin "
         "pesos.",
    worked_step="clase 1: el modelo predice un solo 1 y acierta (precisión 1), pero encuentra 1 "
                "de los 2 unos (exhaustividad 1/2), así que su F1 es 2/3. Haz lo mismo con la "
                "clase 0 y promedia.",
    solution=Code("""
from sklearn.metrics import f1_score

round(float(f1_score([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1], average="macro")), 3)
"""),
    explanation="Clase 0: P = 4/5, R = 1, F1 = 8/9; clase 1: P = 1, R = 1/2, F1 = 2/3. El F1 "
                "macro es su promedio simple, (8/9 + 2/3) / 2 = 7/9 ≈ 0,778.",
)
def macro_f1(answer: Any) -> str | None:
    """Macro F1 of F1_TRUE vs F1_PRED: (8/9 + 2/3) / 2 = 7/9 ≈ 0.778."""
    value = as_number(answer, example="0.5")
    scores = _f1_scores()
    if near(value, scores["macro"], DECIMALS):
        return None
    if _is(value, scores["accuracy"]):
        return ("esa es la exactitud (accuracy), 5 de 6; el F1 macro da el mismo peso a la clase "
                "pequeña, donde el modelo acierta solo la mitad.")
    if _is(value, scores["weighted"]):
        return "ese es el F1 ponderado por el tamaño de cada clase; el macro es el promedio simple."
    if any(_is(value, f) for f in scores["per_class"]):
        return "ese es el F1 de una sola clase; el macro promedia las dos."
    if _fewer_decimals(value, scores["macro"]):
        return f"vas bien, pero escríbelo con {DECIMALS} decimales."
    return "no es correcto: escribe precisión y exhaustividad (recall) de cada clase."


_SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")


@exercise(
    "03.pipeline",
    hint="make_pipeline(...) encadena pasos en orden: primero uno que escale las "
         "características, después el clasificador.",
    worked_step="los pasos son un StandardScaler() y un KNeighborsClassifier; el número de "
                "vecinos se le pasa con el argumento n_neighbors.",
    solution=Code("make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3))"),
    explanation="El escalador aprende medias y desviaciones solo con los datos de entrenamiento "
                "y k-NN mide distancias ya en la misma escala; dentro de un Pipeline, la receta "
                "completa se entrena y se aplica de una vez.",
)
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


@exercise(
    "03.particion",
    hint="¿qué partición deja fuera del entrenamiento a hablantes enteros?",
    worked_step="en la partición oficial, los hablantes de prueba también grabaron los clips de "
                "entrenamiento; las personas que usarán tu reconocedor, no.",
    solution="hablantes",
    explanation="La partición por hablantes prueba con voces que el modelo nunca oyó, que es lo "
                "que pasará con personas nuevas; la oficial mide grabaciones nuevas de voces "
                "conocidas y por eso da cifras más altas.",
)
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
