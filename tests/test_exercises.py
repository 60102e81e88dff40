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


def test_right_answer_prints_correct_and_returns_true(registry, capsys):
    assert check("99.suma", 5) is True
    assert capsys.readouterr().out.strip() == "✅ Ejercicio 99.suma: ¡correcto!"


def test_wrong_answer_prints_explanation(registry, capsys):
    assert check("99.suma", 7) is False
    assert capsys.readouterr().out.strip() == "❌ Ejercicio 99.suma: 7 no es 2 + 3."


def test_wrong_exception_message_is_shown(registry, capsys):
    assert check("99.suma", -1) is False
    assert capsys.readouterr().out.strip() == "❌ Ejercicio 99.suma: restaste en vez de sumar."


@pytest.mark.parametrize("answer", [None, ..., (1, ...), [..., 2], {"a": ...}])
def test_unanswered_prints_hint(registry, capsys, answer):
    assert check("99.suma", answer) is False
    out = capsys.readouterr().out
    assert out.startswith("⏳ Ejercicio 99.suma aún sin responder")
    assert "Pista: suma los dos números." in out


@pytest.mark.parametrize("answer", ["crash", [1, 2]])
def test_checker_crash_is_a_wrong_answer_not_an_exception(registry, capsys, answer):
    assert check("99.suma", answer) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Ejercicio 99.suma: no se pudo revisar tu respuesta")
    assert "Error" in out  # names the exception type


def test_unknown_id_lists_the_lesson_exercises(registry, capsys):
    assert check("99.resta", 1) is False
    out = capsys.readouterr().out
    assert out.startswith("❓ Ejercicio 99.resta: no existe")
    assert "99.suma" in out


def test_unknown_lesson_gives_an_example(registry, capsys):
    assert check("nada", 1) is False
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
    assert check("00.muestras", answer) is expected
    assert fragment in capsys.readouterr().out


def test_number_helpers_for_checkers():
    assert exercises.as_number(3) == 3.0 and exercises.as_integer(7.0) == 7
    for bad in ("3", True, [1]):
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
