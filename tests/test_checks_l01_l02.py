"""The self-checks of lessons 01 and 02 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import course_utils
from course_utils import exercises, splits

verdict = exercises.feedback
IDS = ["01.alias", "01.frames", "01.resolucion", "01.db",
       "02.forma", "02.ventanas", "02.relleno_final", "02.particion"]


def test_all_exercises_are_registered():
    assert set(IDS) <= set(exercises.registered())


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_solution_is_accepted_and_explained(exercise_id):
    item = exercises.get(exercise_id)
    assert item.has_solution and item.explanation and item.hint and item.worked_step
    assert exercises.is_correct(exercise_id, exercises.reference_answer(exercise_id, {}))


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("01.alias", 2000, 6000, "Nyquist"),
    ("01.alias", 2000.0, 4000, "Nyquist"),
    ("01.frames", 63, 62, "center=True"),
    ("01.frames", 63, 59, "center=False"),
    ("01.resolucion", 15.625, 31.25, "sr / n_fft"),
    ("01.resolucion", 15.625, 0.064, "duración de la ventana"),
    ("02.forma", (40, 300, 1), (300, 40, 1), "paso 7"),
    ("02.forma", [40, 300, 1], (40, 300), "paso 8"),
    ("02.forma", (40, 300, 1), (300, 40), "LSTM"),
    ("02.forma", (40, 300, 1), (1, 40, 300, 1), "lote"),
    ("02.ventanas", 8, 4, "sin solapamiento"),
    ("02.ventanas", 8, 9, "incompleta"),
])
def test_numeric_answers(exercise_id, right, wrong, fragment):
    assert exercises.is_correct(exercise_id, right)
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


@pytest.mark.parametrize("exercise_id, answer", [
    ("01.alias", np.int64(2000)), ("01.alias", np.array(2000.0)), ("01.frames", 63.0),
    ("01.frames", np.int32(63)), ("01.frames", np.array(63)), ("02.ventanas", 8.0),
    ("02.ventanas", np.int64(8)), ("02.ventanas", np.array(8)),
    ("02.forma", np.array([40, 300, 1])), ("02.forma", np.zeros((40, 300, 1)).shape),
    ("02.forma", (np.int64(40), 300, 1)), ("02.forma", [40.0, 300.0, 1.0]),
])
def test_numbers_and_sequences_in_any_form(exercise_id, answer):
    assert exercises.is_correct(exercise_id, answer)


# Issue 18: 15.63, 15.62 and 15.625 are 8000 / 512 to the two decimals the prompt asks for.
@pytest.mark.parametrize("answer", [15.63, 15.62, 15.625, np.float32(15.625), np.array(15.63),
                                    8000 / 512])
def test_resolution_accepts_two_decimals(answer):
    assert exercises.is_correct("01.resolucion", answer)


def test_resolution_messages_give_the_right_reason():
    assert "dos decimales" in verdict("01.resolucion", 15.6)
    assert "dos decimales" in verdict("01.resolucion", 16)
    for wrong in (15.56, 4000 / 257):  # Nyquist over the 257 output bins: a fencepost error
        message = verdict("01.resolucion", wrong)
        assert "256 intervalos" in message and "dos decimales" not in message
    assert "dos decimales" not in verdict("01.resolucion", 15.64)  # two decimals, but wrong
    assert not exercises.is_correct("01.resolucion", 15.64)
    assert not exercises.is_correct("01.resolucion", 15.6)


@pytest.mark.parametrize("exercise_id", ["01.alias", "01.frames", "01.resolucion", "02.ventanas"])
def test_numeric_exercises_reject_text(exercise_id):
    assert "número" in verdict(exercise_id, "2000")


def test_shape_rejects_text_and_fractions():
    assert "tupla" in verdict("02.forma", "(40, 300, 1)")
    assert "entero" in verdict("02.forma", (40.5, 300, 1))
    assert "entero" in verdict("02.ventanas", 8.5)


def test_db_function():
    assert exercises.is_correct("01.db", lambda a: 20 * np.log10(a))
    assert exercises.is_correct("01.db", lambda a: np.array(20 * np.log10(a)))
    assert exercises.is_correct("01.db", lambda a: 20 * __import__("math").log10(a))
    assert "10 · log10" in verdict("01.db", lambda a: 10 * np.log10(a))
    assert "natural" in verdict("01.db", lambda a: 20 * np.log(a))
    assert "signo" in verdict("01.db", lambda a: -20 * np.log10(a))
    assert "función" in verdict("01.db", -6.02)
    assert "falló" in verdict("01.db", lambda a: 1 / 0)
    assert "número" in verdict("01.db", lambda a: "seis")


def test_pad_end_function():
    def right(m, max_frames):
        return np.pad(m, [(0, 0), (0, max_frames - m.shape[1])])

    assert exercises.is_correct("02.relleno_final", right)
    assert exercises.is_correct("02.relleno_final", lambda m, n: np.hstack([m, np.zeros((len(m), n - m.shape[1]))]))
    assert "pad_center" in verdict("02.relleno_final",
                                   lambda m, n: __import__("librosa").util.pad_center(m, size=n))
    assert "al principio" in verdict("02.relleno_final",
                                     lambda m, n: np.pad(m, [(0, 0), (n - m.shape[1], 0)]))
    assert "transpuesta" in verdict("02.relleno_final", lambda m, n: right(m, n).T)
    assert "forma" in verdict("02.relleno_final", lambda m, n: m)
    assert "ceros" in verdict("02.relleno_final",
                              lambda m, n: np.pad(m, [(0, 0), (0, n - m.shape[1])], constant_values=1))
    assert "función" in verdict("02.relleno_final", np.zeros((4, 12)))


def test_speaker_split_function():
    def right(table):
        train, test = splits.group_train_test_split(table["speaker"], test_size=2, seed=0)
        return table.iloc[train], table.iloc[test]

    def leaky(table):
        shuffled = table.sample(frac=1.0, random_state=0)
        return shuffled.iloc[:140], shuffled.iloc[140:]

    def lossy(table):
        train, test = right(table)
        return train.iloc[:10], test

    def everything_in_test(table):
        return table.iloc[:0], table

    assert exercises.is_correct("02.particion", right)
    assert "hablantes en ambas" in verdict("02.particion", leaky)
    assert "exactamente una" in verdict("02.particion", lossy)
    assert "vacía" in verdict("02.particion", everything_in_test)
    assert "dos" in verdict("02.particion", lambda t: t)
    assert "DataFrames" in verdict("02.particion", lambda t: (t.values, t.values))
    assert "función" in verdict("02.particion", pd.DataFrame())


def test_check_prints_feedback_returns_none_and_hints_only_after_a_try(capsys, monkeypatch):
    monkeypatch.setattr(exercises, "_WRONG_TRIES", {})
    assert course_utils.check("01.alias", 2000) is None
    assert course_utils.check("01.alias", ...) is None
    out = capsys.readouterr().out
    assert "correcto" in out and "sin responder" in out and "Pista" not in out
    course_utils.check("01.resolucion", 31.25)
    first = capsys.readouterr().out
    assert "Pista" in first and "sr / n_fft" not in first.split("Pista:")[1]  # the hint is no formula
    course_utils.check("01.resolucion", 31.25)
    assert "Un paso más" in capsys.readouterr().out
    course_utils.check("02.relleno_final", None)
    course_utils.check("02.particion", lambda t: 1 / 0)
    out = capsys.readouterr().out
    assert "sin responder" in out and "falló" in out


@pytest.mark.parametrize("exercise_id", IDS)
def test_hints_are_not_the_solution(exercise_id):
    item = exercises.get(exercise_id)
    solution = exercises.reference_answer(exercise_id, {})
    if not callable(solution):
        for text in (item.hint, item.worked_step):
            assert str(solution) not in text


def test_library_answers_are_correct_answers():
    librosa = pytest.importorskip("librosa")
    assert exercises.is_correct("01.db", lambda a: librosa.amplitude_to_db(a))
    assert exercises.is_correct("02.relleno_final", lambda m, n: librosa.util.fix_length(m, size=n))
    assert exercises.is_correct(
        "02.particion",
        lambda t: [t.iloc[i] for i in splits.group_train_test_split(t["speaker"], test_size=1, seed=1)])
