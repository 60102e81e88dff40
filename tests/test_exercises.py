"""The exercise framework: registration, discovery and Spanish feedback that never raises."""

from __future__ import annotations

import pytest

import course_utils
from course_utils import exercises
from course_utils.exercises import Wrong, check, exercise


@pytest.fixture
def registry(monkeypatch):
    """A private registry with one test exercise, restored afterwards."""
    exercises._discover()  # discover the real checkers into the real registry first
    monkeypatch.setattr(exercises, "_REGISTRY", dict(exercises._REGISTRY))

    @exercise("99.suma", hint="suma los dos números.")
    def suma(answer):
        if answer == 5:
            return None
        if answer == -1:
            raise Wrong("restaste en vez de sumar.")
        if answer == "crash":
            return answer.undefined_attribute  # checker bug on a weird answer
        if isinstance(answer, list):
            return len(answer) + answer  # TypeError on a weird answer
        return f"{answer} no es 2 + 3."

    return exercises._REGISTRY


def test_right_answer_prints_correct_and_returns_none(registry, capsys):
    assert check("99.suma", 5) is None
    assert capsys.readouterr().out.strip() == "✅ Ejercicio 99.suma: ¡correcto!"
    assert exercises.is_correct("99.suma", 5) is True


def test_wrong_answer_prints_explanation_then_the_hint(registry, capsys):
    assert check("99.suma", 7) is None
    out = capsys.readouterr().out
    assert out.startswith("❌ Ejercicio 99.suma: 7 no es 2 + 3.")
    assert "Pista: suma los dos números." in out
    assert exercises.is_correct("99.suma", 7) is False


def test_wrong_exception_message_is_shown(registry, capsys):
    check("99.suma", -1)
    assert capsys.readouterr().out.startswith("❌ Ejercicio 99.suma: restaste en vez de sumar.")


@pytest.mark.parametrize("answer", [None, ..., (1, ...), [..., 2], {"a": ...}])
def test_unanswered_says_what_to_replace_and_gives_no_hint(registry, capsys, answer):
    assert check("99.suma", answer) is None
    out = capsys.readouterr().out
    assert out.startswith("⏳ Ejercicio 99.suma aún sin responder")
    assert "reemplaza" in out and "..." in out
    assert "Pista" not in out and "suma los dos" not in out
    assert exercises.is_correct("99.suma", answer) is False


def test_hints_grow_with_wrong_tries_and_never_before_one(monkeypatch, capsys):
    monkeypatch.setattr(exercises, "_REGISTRY", {})
    monkeypatch.setattr(exercises, "_WRONG_TRIES", {})
    monkeypatch.setattr(exercises, "_discovered", True)

    @exercise("98.doble", hint="multiplica por dos.", worked_step="3 * 2 = ...", solution=6,
              explanation="El doble de 3 es 6.")
    def doble(answer):
        return None if answer == 6 else "no es el doble de 3."

    check("98.doble", ...)
    first = capsys.readouterr().out
    check("98.doble", 5)
    second = capsys.readouterr().out
    check("98.doble", 4)
    third = capsys.readouterr().out
    check("98.doble", 3)
    fourth = capsys.readouterr().out
    assert "multiplica" not in first and "3 * 2" not in first
    assert "Pista: multiplica por dos." in second and "3 * 2" not in second
    assert "Un paso más: 3 * 2 = ..." in third and "solution(" not in third
    assert 'course_utils.solution("98.doble")' in fourth
    for out in (first, second, third, fourth):
        assert "El doble de 3 es 6" not in out

    exercises.solution("98.doble")
    shown = capsys.readouterr().out
    assert "Solución de referencia" in shown and "6" in shown and "El doble de 3 es 6." in shown
    assert exercises.reference_answer("98.doble") == 6


def test_code_solutions_run_in_the_lesson_namespace(monkeypatch, capsys):
    monkeypatch.setattr(exercises, "_REGISTRY", {})
    monkeypatch.setattr(exercises, "_discovered", True)

    @exercise("98.media", solution=exercises.Code("total = sum(datos)\ntotal / len(datos)"))
    def media(answer):
        return None if abs(answer - 2.0) < 1e-9 else "no."

    assert exercises.reference_answer("98.media", {"datos": [1, 2, 3]}) == 2.0
    assert exercises.is_correct("98.media", exercises.reference_answer("98.media", {"datos": [1, 2, 3]}))
    exercises.solution("98.media")
    assert "total = sum(datos)" in capsys.readouterr().out
    with pytest.raises(ValueError):
        exercises.Code("x = 1").evaluate({})


def test_solution_of_a_function_answer_prints_its_source(monkeypatch, capsys):
    monkeypatch.setattr(exercises, "_REGISTRY", {})
    monkeypatch.setattr(exercises, "_discovered", True)

    def cuadrado(x):
        return x * x

    @exercise("98.cuadrado", solution=cuadrado)
    def checker(answer):
        return None if answer(3) == 9 else "no."

    exercises.solution("98.cuadrado")
    assert "return x * x" in capsys.readouterr().out
    exercises.solution("98.nada")
    assert "no existe" in capsys.readouterr().out


@pytest.mark.parametrize("answer", ["crash", [1, 2]])
def test_checker_crash_is_a_wrong_answer_not_an_exception(registry, capsys, answer):
    assert check("99.suma", answer) is None
    out = capsys.readouterr().out
    assert out.startswith("❌ Ejercicio 99.suma: no se pudo revisar tu respuesta")
    assert "Error" in out  # names the exception type


def test_unknown_id_lists_the_lesson_exercises(registry, capsys):
    assert check("99.resta", 1) is None
    out = capsys.readouterr().out
    assert out.startswith("❓ Ejercicio 99.resta: no existe")
    assert "99.suma" in out
    with pytest.raises(KeyError):
        exercises.is_correct("99.resta", 1)


def test_unknown_lesson_gives_an_example(registry, capsys):
    check("nada", 1)
    assert "no existe" in capsys.readouterr().out


def test_duplicate_id_from_another_function_is_rejected(registry):
    with pytest.raises(ValueError, match="99.suma"):

        @exercise("99.suma")
        def other(answer):
            return None


def test_checks_package_is_discovered():
    assert "00.muestras" in exercises.registered()


def test_public_api_is_exported_lazily():
    assert course_utils.check is check
    assert course_utils.solution is exercises.solution
    assert course_utils.exercises is exercises
    with pytest.raises(AttributeError):
        course_utils.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    ("answer", "expected", "fragment"),
    [
        (6000, True, "¡correcto!"),
        (6000.0, True, "¡correcto!"),
        (6, False, "kilohercios"),
        (8000 / 0.75, False, "dividiste"),
        (12000, False, "16 kHz"),
        (100, False, "no es correcto"),
        ("6000", False, "escribe un número"),
    ],
)
def test_lesson_00_checker(capsys, answer, expected, fragment):
    check("00.muestras", answer)
    assert fragment in capsys.readouterr().out
    assert exercises.is_correct("00.muestras", answer) is expected


def test_number_helpers_for_checkers():
    import numpy as np

    assert exercises.as_number(3) == 3.0 and exercises.as_integer(7.0) == 7
    assert exercises.as_number(np.float32(0.5)) == 0.5 and exercises.as_number(np.array(2.5)) == 2.5
    assert exercises.as_integer(np.int64(16640)) == 16640 and exercises.as_integer(np.array(7.0)) == 7
    assert exercises.as_numbers(np.array([250, 129]), length=2) == [250.0, 129.0]
    assert exercises.as_numbers((1, 2.5)) == [1.0, 2.5] == exercises.as_numbers([1, np.float64(2.5)])
    with pytest.raises(exercises.Wrong, match="2 números"):
        exercises.as_numbers([1, 2, 3], length=2)
    with pytest.raises(exercises.Wrong, match="tupla"):
        exercises.as_numbers("12")
    assert exercises.near(15.62, 15.625, 2) and exercises.near(15.63, 15.625, 2)
    assert not exercises.near(15.6, 15.625, 2) and not exercises.near(15.56, 15.625, 2)
    for bad in ("3", True, [1, 2]):
        with pytest.raises(exercises.Wrong, match="número"):
            exercises.as_number(bad)
    with pytest.raises(exercises.Wrong, match="entero"):
        exercises.as_integer(2.5)


def test_feedback_returns_the_verdict_without_printing(capsys):
    assert exercises.feedback("01.alias", 2000) is None
    assert "Nyquist" in exercises.feedback("01.alias", 6000)
    assert capsys.readouterr().out == ""
    with pytest.raises(KeyError):
        exercises.feedback("99.nada", 1)


def test_a_function_whose_body_is_still_dots_is_unanswered(registry, capsys):
    def todavia(m):
        """Devuelve la media."""
        ...  # tu código aquí

    def lista(m):
        return m.mean()

    namespace: dict = {}
    exec("def sin_fuente(x):\n    ...\n", namespace)
    assert exercises.is_unanswered(todavia) and exercises.is_unanswered(namespace["sin_fuente"])
    assert not exercises.is_unanswered(lista) and not exercises.is_unanswered(lambda x: x + 1)
    check("99.suma", todavia)
    out = capsys.readouterr().out
    assert out.startswith("⏳ Ejercicio 99.suma aún sin responder") and "Pista" not in out


def test_best_validation_reads_a_history_or_a_number():
    import numpy as np

    class History:
        history = {"val_accuracy": [0.2, np.float32(0.5), 0.4], "val_loss": [1.0, 0.7, 0.9]}

    assert exercises.best_validation(History(), "mia") == pytest.approx(0.5)
    assert exercises.best_validation(History.history, "mia", "val_loss") == pytest.approx(0.7)
    assert exercises.best_validation(np.float64(0.8), "base") == pytest.approx(0.8)
    with pytest.raises(exercises.Wrong, match="'val_accuracy': usa validation_data"):
        exercises.best_validation({"accuracy": [0.9]}, "mia", advice="usa validation_data")
    with pytest.raises(exercises.Wrong, match="entre 0 y 1"):
        exercises.best_validation(75, "mia")
    with pytest.raises(exercises.Wrong, match="positivo"):
        exercises.best_validation(float("nan"), "mia", "val_loss")
