"""The self-checks of lessons 01 and 02 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import course_utils
from course_utils import exercises, splits

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert {"01.alias", "01.frames", "01.resolucion", "01.db"} <= ids
    assert {"02.forma", "02.ventanas", "02.relleno_final", "02.particion"} <= ids


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("01.alias", 2000, 6000, "Nyquist"),
    ("01.alias", 2000.0, 4000, "Nyquist"),
    ("01.frames", 63, 62, "center=True"),
    ("01.frames", 63, 59, "center=False"),
    ("01.resolucion", 15.625, 31.25, "sr / n_fft"),
    ("01.resolucion", 15.625, 0.064, "duración de la ventana"),
    ("02.forma", (300, 40, 1), (40, 300, 1), "paso 7"),
    ("02.forma", [300, 40, 1], (300, 40), "paso 8"),
    ("02.ventanas", 8, 4, "sin solapamiento"),
    ("02.ventanas", 8, 9, "incompleta"),
])
def test_numeric_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


@pytest.mark.parametrize("exercise_id", ["01.alias", "01.frames", "01.resolucion", "02.ventanas"])
def test_numeric_exercises_reject_text(exercise_id):
    assert "número" in verdict(exercise_id, "2000")


def test_db_function():
    assert verdict("01.db", lambda a: 20 * np.log10(a)) is None
    assert "10 · log10" in verdict("01.db", lambda a: 10 * np.log10(a))
    assert "natural" in verdict("01.db", lambda a: 20 * np.log(a))
    assert "signo" in verdict("01.db", lambda a: -20 * np.log10(a))
    assert "función" in verdict("01.db", -6.02)
    assert "falló" in verdict("01.db", lambda a: 1 / 0)


def test_pad_end_function():
    def right(m, max_frames):
        return np.pad(m, [(0, 0), (0, max_frames - m.shape[1])])

    assert verdict("02.relleno_final", right) is None
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

    assert verdict("02.particion", right) is None
    assert "hablantes en ambas" in verdict("02.particion", leaky)
    assert "exactamente una" in verdict("02.particion", lossy)
    assert "vacía" in verdict("02.particion", everything_in_test)
    assert "dos" in verdict("02.particion", lambda t: t)
    assert "DataFrames" in verdict("02.particion", lambda t: (t.values, t.values))
    assert "función" in verdict("02.particion", pd.DataFrame())


def test_check_prints_feedback_and_never_raises(capsys):
    assert course_utils.check("01.alias", 2000) is True
    assert course_utils.check("01.alias", ...) is False
    assert course_utils.check("02.relleno_final", None) is False
    assert course_utils.check("02.particion", lambda t: 1 / 0) is False
    out = capsys.readouterr().out
    assert "correcto" in out and "sin responder" in out and "falló" in out
