"""The self-checks of lessons 06 and 12 accept right answers and explain wrong ones."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import course_utils
from course_utils import exercises

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = {"06.flatten", "06.parametros", "06.hablante", "06.mejora",
           "12.tasa_lote", "12.pasos", "12.coseno", "12.mejora"}
    assert ids <= set(exercises.registered())
    for exercise_id in ids:
        item = exercises.get(exercise_id)
        assert item.has_solution and item.explanation and item.worked_step and item.hint


@pytest.mark.parametrize("exercise_id", ["06.flatten", "06.parametros", "06.hablante",
                                         "12.tasa_lote", "12.pasos", "12.coseno"])
def test_reference_solutions_are_accepted(exercise_id):
    assert exercises.is_correct(exercise_id, exercises.reference_answer(exercise_id))


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("06.flatten", 768, 3, "multiplica por 256"),
    ("06.flatten", 768, 1024, "parte entera"),
    ("06.flatten", 768.0, 512, "valid"),
    ("06.parametros", 3264, 3328, "no se entrenan"),
    ("06.parametros", 3264, 3296, "bias=False"),
    ("06.parametros", 3264, 3200, "BatchNorm"),
    ("12.tasa_lote", 2e-3, 5e-4, "sube"),
    ("12.tasa_lote", 0.002, 4e-3, "regla lineal"),
    ("12.tasa_lote", 2e-3, 1e-3, "sin escalar"),
])
def test_numeric_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


def test_numeric_answers_accept_numpy_and_floats():
    np = pytest.importorskip("numpy")
    assert exercises.is_correct("06.flatten", np.int64(768))
    assert exercises.is_correct("06.flatten", np.array(768.0))
    assert exercises.is_correct("06.parametros", 3264.0)
    assert exercises.is_correct("12.tasa_lote", np.float32(2e-3))
    assert exercises.is_correct("12.pasos", {32: np.int64(4000), 128: 1000.0, 512: 260})


def test_numeric_answers_reject_text_and_booleans():
    assert "número" in verdict("06.flatten", "768")
    assert "número" in verdict("12.tasa_lote", True)


def test_speaker_function_takes_file_name_strings():
    def split_on_slash(path):  # the case: strings only, as the prompt says
        return path.split("/")[-1].split("_nohash_")[0]

    def with_pathlib(path):
        return Path(path).name.split("_nohash_")[0]

    def keeps_folders(path):
        return str(path).split("_nohash_")[0]

    def forgets_return(path):
        Path(path).name.split("_nohash_")

    assert verdict("06.hablante", split_on_slash) is None
    assert exercises.is_correct("06.hablante", split_on_slash)
    assert verdict("06.hablante", with_pathlib) is None
    assert "sin carpetas" in verdict("06.hablante", keeps_folders)
    assert "return" in verdict("06.hablante", forgets_return)
    assert "función" in verdict("06.hablante", "0ab3b47d")


def _history(values):
    return SimpleNamespace(history={"loss": [1.0] * len(values), "val_accuracy": values})


def test_open_exercise_06_compares_best_validation_accuracies(capsys):
    base = _history([0.3, 0.5, 0.4])
    assert exercises.is_correct("06.mejora", {"base": base, "mia": _history([0.4, 0.6])})
    assert "base 0.500 · tu variante 0.600" in capsys.readouterr().out
    message = verdict("06.mejora", {"base": base, "mia": _history([0.45])})
    assert "0.500" in message and "0.450" in message and "no supera" in message
    assert "empate" in verdict("06.mejora", {"base": base, "mia": 0.5})
    no_val = SimpleNamespace(history={"loss": [1.0]})
    assert "val_accuracy" in verdict("06.mejora", {"base": base, "mia": no_val})
    assert "diccionario" in verdict("06.mejora", _history([0.9]))
    assert exercises.is_unanswered({"base": base, "mia": ...})


def _rows(values, seeds=None):
    seeds = list(range(len(values))) if seeds is None else seeds
    return pd.DataFrame({"configuración": "x", "semilla": seeds, "validación": values})


def test_open_exercise_12_compares_mean_validation_with_the_same_seeds(capsys):
    base = _rows([0.40, 0.50])
    assert exercises.is_correct("12.mejora", {"base": base, "mia": _rows([0.50, 0.52])})
    assert "base 0.450 · tu variante 0.510" in capsys.readouterr().out
    assert "no supera" in verdict("12.mejora", {"base": base, "mia": _rows([0.40, 0.45])})
    assert "semillas" in verdict("12.mejora", {"base": base, "mia": _rows([0.9, 0.9], [5, 6])})
    assert exercises.is_correct("12.mejora", {"base": 0.45, "mia": 0.46})
    assert "entre 0 y 1" in verdict("12.mejora", {"base": 0.45, "mia": 46})


def test_total_steps():
    assert verdict("12.pasos", {32: 4000, 128: 1000, 512: 260}) is None
    assert "incompleto" in verdict("12.pasos", {32: 4000, 128: 1000, 512: 240})
    assert "una época" in verdict("12.pasos", {32: 200, 128: 50, 512: 13})
    assert "claves" in verdict("12.pasos", {32: 4000, 128: 1000})
    assert "diccionario" in verdict("12.pasos", [4000, 1000, 260])


def _cosine(step, *, warmup=100, total=1000, peak=1e-3):
    if step < warmup:
        return peak * step / warmup
    return 0.5 * peak * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


def test_cosine_with_warmup_matches_the_lessons_keras_schedule():
    pytest.importorskip("keras")
    from course_utils.models import training as tr

    config = tr.RunConfig("c", learning_rate=1e-3, schedule="cosine", warmup_epochs=1)
    schedule = tr.learning_rate(config, epoch_steps=100, epochs=10)
    for step in (0, 50, 100, 325, 999):
        assert float(schedule(step)) == pytest.approx(_cosine(step), rel=1e-4, abs=1e-9)
    assert verdict("12.coseno", _cosine) is None


def test_cosine_wrong_answers_are_explained():
    def no_warmup(step):
        return 0.5e-3 * (1 + math.cos(math.pi * step / 1000))

    def over_total(step):
        return 1e-3 * step / 100 if step < 100 else 0.5e-3 * (1 + math.cos(math.pi * step / 1000))

    def returns_nothing(step):
        if step < 100:
            return 1e-3 * step / 100

    assert "calentamiento" in verdict("12.coseno", no_warmup)
    assert "(paso - 100)" in verdict("12.coseno", over_total)
    assert "return" in verdict("12.coseno", returns_nothing)
    assert "función" in verdict("12.coseno", 0.001)


def test_check_prints_spanish_feedback(capsys):
    assert course_utils.check("06.flatten", 768) is None
    assert course_utils.check("12.pasos", {32: ..., 128: ..., 512: ...}) is None
    out = capsys.readouterr().out
    assert "correcto" in out and "sin responder" in out
