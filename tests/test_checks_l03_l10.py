"""The self-checks of lessons 03 and 10 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import course_utils
from course_utils import exercises

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert {"03.vecinos", "03.ccc", "03.f1", "03.pipeline", "03.particion"} <= ids
    assert {"10.voto_duro", "10.voto_suave", "10.fusion_tardia", "10.semillas"} <= ids


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("03.vecinos", ("estrella", "triángulo", "estrella"), ("estrella", "estrella", "estrella"), "k = 3"),
    ("03.vecinos", ["Estrella", "triangulo", "estrella"], ("triángulo", "triángulo", "estrella"), "k = 1"),
    ("03.vecinos", ("estrella", "triángulo", "estrella"), ("estrella", "triángulo", "triángulo"), "k = 5"),
    ("03.ccc", 5 / 7, 1.0, "Pearson"),
    ("03.ccc", 0.714, 10 / 13, "n − 1"),
    ("03.ccc", 0.71, 1.5, "entre −1 y 1"),
    ("03.f1", 7 / 9, 5 / 6, "exactitud"),
    ("03.f1", 0.778, 0.8148, "ponderado"),
    ("03.f1", 0.7778, 2 / 3, "una sola clase"),
    ("03.particion", "hablantes", "oficial", "voces conocidas"),
    ("03.particion", " Por hablante ", "official", "voces conocidas"),
    ("10.voto_duro", [3, 1, 7, 1], [3, 1, 7, 7], "modelo A"),
    ("10.voto_duro", np.array([3, 1, 7, 1]), [3, 1, 1, 1], "clip 3"),
    ("10.voto_duro", (3, 1, 7, 1), [3, 1, 7], "4 dígitos"),
    ("10.voto_suave", 0, 1, "voto duro"),
    ("10.voto_suave", np.int64(0), 2, "media"),
    ("10.semillas", (0.92, 0.0158), (0.92, 0.0141), "poblacional"),
    ("10.semillas", [0.92, np.std([0.91, 0.93, 0.90, 0.94, 0.92], ddof=1)], (0.92, 0.04), "rango"),
    ("10.semillas", (0.92, 0.01581), (0.92, 0.00025), "varianza"),
    ("10.semillas", (0.92, 0.01581), (0.93, 0.01581), "media"),
])
def test_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


@pytest.mark.parametrize("exercise_id, bad, fragment", [
    ("03.vecinos", "estrella", "tupla"),
    ("03.ccc", "0.71", "número"),
    ("03.f1", [0.7], "número"),
    ("03.particion", 1, "texto"),
    ("03.particion", "ambas", "responde"),
    ("10.voto_duro", "3171", "lista"),
    ("10.voto_duro", ["a", "b", "c", "d"], "enteros"),
    ("10.voto_suave", 0.0, "número de la clase"),
    ("10.semillas", 0.92, "tupla"),
    ("10.fusion_tardia", 3, "función"),
])
def test_malformed_answers_are_explained(exercise_id, bad, fragment):
    assert fragment in verdict(exercise_id, bad)


def test_knn_pipeline():
    assert verdict("03.pipeline", make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3))) is None
    assert "escalador" in verdict("03.pipeline", KNeighborsClassifier(n_neighbors=3))
    assert "escalar" in verdict("03.pipeline", make_pipeline(KNeighborsClassifier(n_neighbors=3)))
    assert "k = 3" in verdict("03.pipeline", make_pipeline(StandardScaler(), KNeighborsClassifier()))
    assert "KNeighbors" in verdict("03.pipeline", make_pipeline(StandardScaler(), DecisionTreeClassifier()))
    assert "Pipeline" in verdict("03.pipeline", [StandardScaler(), KNeighborsClassifier(3)])


def test_late_fusion_function():
    assert verdict("10.fusion_tardia", lambda probas: np.mean(probas, axis=0).argmax(axis=1)) is None
    assert verdict("10.fusion_tardia", lambda probas: np.sum(probas, axis=0).argmax(axis=1)) is None

    def hard(probas):
        votes = np.stack([p.argmax(axis=1) for p in probas])
        return np.array([np.bincount(col, minlength=4).argmax() for col in votes.T])

    assert "voto duro" in verdict("10.fusion_tardia", hard)
    assert "etiqueta por clip" in verdict("10.fusion_tardia", lambda probas: np.mean(probas, axis=0))
    assert "no coinciden" in verdict("10.fusion_tardia", lambda probas: probas[0].argmax(axis=1))
    assert "falló" in verdict("10.fusion_tardia", lambda probas: 1 / 0)
    assert "return" in verdict("10.fusion_tardia", lambda probas: None)


def test_check_prints_spanish_feedback(capsys):
    assert course_utils.check("10.voto_suave", 0) is True
    assert course_utils.check("03.ccc", 1.0) is False
    assert "Pearson" in capsys.readouterr().out
    assert course_utils.check("03.vecinos", ...) is False
