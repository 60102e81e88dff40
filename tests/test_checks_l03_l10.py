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
IDS_03 = ("03.vecinos", "03.ccc", "03.f1", "03.pipeline", "03.particion")
IDS_10 = ("10.voto_duro", "10.voto_suave", "10.fusion_tardia", "10.semillas")


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert set(IDS_03) <= ids
    assert set(IDS_10) <= ids


@pytest.mark.parametrize("exercise_id", IDS_03 + IDS_10)
def test_reference_solutions_are_accepted_and_explained(exercise_id):
    item = exercises.get(exercise_id)
    assert item.has_solution and item.explanation and item.hint and item.worked_step
    # The lessons' globals the Code solutions may use (lesson 03 imports these names).
    namespace = {"make_pipeline": make_pipeline, "StandardScaler": StandardScaler,
                 "KNeighborsClassifier": KNeighborsClassifier, "np": np}
    assert exercises.is_correct(exercise_id, exercises.reference_answer(exercise_id, namespace))


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("03.vecinos", ("estrella", "triángulo", "estrella"), ("estrella", "estrella", "estrella"), "k = 3"),
    ("03.vecinos", ["Estrella", "triangulo", "estrella"], ("triángulo", "triángulo", "estrella"), "k = 1"),
    ("03.vecinos", np.array(["estrella", "triángulo", "estrella"]), ("estrella", "triángulo", "triángulo"), "k = 5"),
    ("03.ccc", 5 / 7, 1.0, "Pearson"),
    ("03.ccc", 0.714, 10 / 13, "n − 1"),
    ("03.ccc", np.float32(0.7143), 0.77, "n − 1"),
    ("03.ccc", np.array(0.714), 1.5, "entre −1 y 1"),
    ("03.ccc", 0.714, 0.71, "3 decimales"),
    ("03.ccc", 0.714, 0.7, "3 decimales"),
    ("03.ccc", 0.714, 0.72, "no es correcto"),
    ("03.f1", 7 / 9, 5 / 6, "exactitud"),
    ("03.f1", 0.778, 0.8148, "ponderado"),
    ("03.f1", np.float64(0.7778), 2 / 3, "una sola clase"),
    ("03.f1", 0.778, 0.83, "exactitud"),
    ("03.f1", 0.778, 0.78, "3 decimales"),
    ("03.particion", "hablantes", "oficial", "voces conocidas"),
    ("03.particion", " Por hablante ", "official", "voces conocidas"),
    ("10.voto_duro", [3, 1, 7, 1], [3, 1, 7, 7], "modelo A"),
    ("10.voto_duro", np.array([3, 1, 7, 1]), [3, 1, 1, 1], "clip 3"),
    ("10.voto_duro", (3, 1, 7, 1), [3, 1, 7], "4 dígitos"),
    ("10.voto_duro", [3.0, np.int64(1), 7, 1], (8, 1, 1, 1), "modelo C"),
    ("10.voto_suave", 0, 1, "voto duro"),
    ("10.voto_suave", np.int64(0), 2, "media"),
    ("10.voto_suave", 0.0, np.array(1), "voto duro"),
    ("10.voto_suave", np.array(0), 1, "voto duro"),
    ("10.semillas", (0.92, 0.0158), (0.92, 0.0141), "poblacional"),
    ("10.semillas", [0.92, np.std([0.91, 0.93, 0.90, 0.94, 0.92], ddof=1)], (0.92, 0.04), "rango"),
    ("10.semillas", (0.92, 0.01581), (0.92, 0.00025), "varianza"),
    ("10.semillas", (0.92, 0.01581), (0.93, 0.01581), "media"),
    ("10.semillas", np.array([0.92, 0.0158]), (0.92, 0.016), "4 decimales"),
    ("10.semillas", [np.float64(0.92), np.float32(0.01581)], (0.0158, 0.92), "orden"),
])
def test_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    assert exercises.is_correct(exercise_id, right)
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message
    assert not exercises.is_correct(exercise_id, wrong)


@pytest.mark.parametrize("exercise_id, bad, fragment", [
    ("03.vecinos", "estrella", "tupla"),
    ("03.vecinos", ("estrella", "círculo", "estrella"), "triángulo"),
    ("03.vecinos", (1, 2, 3), "comillas"),
    ("03.ccc", "0.71", "número"),
    ("03.f1", [0.7], "número"),
    ("03.particion", 1, "texto"),
    ("03.particion", "ambas", "responde"),
    ("10.voto_duro", "3171", "lista"),
    ("10.voto_duro", ["a", "b", "c", "d"], "entero"),
    ("10.voto_suave", "0", "número de la clase"),
    ("10.voto_suave", 0.5, "número de la clase"),
    ("10.voto_suave", 3, "0, 1 o 2"),
    ("10.semillas", 0.92, "tupla"),
    ("10.semillas", (0.92,), "tupla"),
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
    assert verdict("10.fusion_tardia", lambda probas: list(np.mean(probas, axis=0).argmax(axis=1))) is None

    def hard(probas):
        votes = np.stack([p.argmax(axis=1) for p in probas])
        return np.array([np.bincount(col, minlength=4).argmax() for col in votes.T])

    assert "voto duro" in verdict("10.fusion_tardia", hard)
    assert "etiqueta por clip" in verdict("10.fusion_tardia", lambda probas: np.mean(probas, axis=0))
    assert "no coinciden" in verdict("10.fusion_tardia", lambda probas: probas[0].argmax(axis=1))
    assert "falló" in verdict("10.fusion_tardia", lambda probas: 1 / 0)
    assert "return" in verdict("10.fusion_tardia", lambda probas: None)


@pytest.mark.parametrize("exercise_id", IDS_03 + IDS_10)
def test_hints_do_not_give_the_solution_away(exercise_id):
    item = exercises.get(exercise_id)
    solution = exercises._solution_text(item.solution)
    for text in (item.hint, item.worked_step):
        assert len(solution) <= 3 or solution not in text  # a one-digit class may appear
    assert "ddof=1)" not in item.hint and "argmax(axis=1)" not in item.hint
    assert "n_neighbors=3" not in item.hint + item.worked_step


def test_check_prints_feedback_and_hints_only_after_a_try(capsys, monkeypatch):
    monkeypatch.setattr(exercises, "_WRONG_TRIES", {})
    assert course_utils.check("10.voto_suave", 0) is None
    assert "✅" in capsys.readouterr().out
    assert course_utils.check("03.vecinos", ...) is None
    out = capsys.readouterr().out
    assert "sin responder" in out and "Pista" not in out
    course_utils.check("03.ccc", 1.0)
    out = capsys.readouterr().out
    assert "Pearson" in out and "Pista" in out
    course_utils.check("03.ccc", 1.0)
    assert "Un paso más" in capsys.readouterr().out
    course_utils.check("03.ccc", 1.0)
    assert 'course_utils.solution("03.ccc")' in capsys.readouterr().out


def test_solution_prints_code_and_explanation(capsys):
    course_utils.solution("10.fusion_tardia")
    out = capsys.readouterr().out
    assert "def fusion_tardia" in out and "argmax" in out and "eje 0" in out
    course_utils.solution("03.ccc")
    assert "5/7" in capsys.readouterr().out
