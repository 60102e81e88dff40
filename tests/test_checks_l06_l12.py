"""The self-checks of lessons 06 and 12 accept right answers and explain wrong ones."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import course_utils
from course_utils import exercises

verdict = exercises.feedback


def test_all_exercises_are_registered():
    assert {"06.flatten", "06.parametros", "06.hablante",
            "12.tasa_lote", "12.pasos", "12.coseno"} <= set(exercises.registered())


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("06.flatten", 768, 3, "multiplica por 256"),
    ("06.flatten", 768, 1024, "parte entera"),
    ("06.flatten", 768.0, 512, "valid"),
    ("06.parametros", 3264, 3328, "no se entrenan"),
    ("06.parametros", 3264, 3296, "bias=False"),
    ("06.parametros", 3264, 3200, "BatchNorm"),
    ("12.tasa_lote", 4e-3, 2.5e-4, "sube"),
    ("12.tasa_lote", 0.004, 2e-3, "raíz cuadrada"),
    ("12.tasa_lote", 4e-3, 1e-3, "sin escalar"),
])
def test_numeric_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


def test_numeric_answers_reject_text_and_booleans():
    assert "número" in verdict("06.flatten", "768")
    assert "número" in verdict("12.tasa_lote", True)


def test_speaker_function():
    def right(path):
        return Path(path).name.split("_nohash_")[0]

    def keeps_folders(path):
        return str(path).split("_nohash_")[0]

    def forgets_return(path):
        Path(path).name.split("_nohash_")

    def only_strings(path):
        return path.split("/")[-1].split("_nohash_")[0]

    assert verdict("06.hablante", right) is None
    assert "sin carpetas" in verdict("06.hablante", keeps_folders)
    assert "return" in verdict("06.hablante", forgets_return)
    assert "Path" in verdict("06.hablante", only_strings)
    assert "función" in verdict("06.hablante", "0ab3b47d")


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


def test_cosine_with_warmup_matches_keras_schedule():
    from course_utils import experiments as ex

    config = ex.RunConfig("c", learning_rate=1e-3, schedule="cosine", warmup_epochs=1)
    keras_curve = ex.learning_rate_curve(config, epoch_steps=100, epochs=10)
    assert len(keras_curve) == 1000
    for step in (0, 50, 100, 325, 999):
        assert keras_curve[step] == pytest.approx(_cosine(step), rel=1e-4, abs=1e-9)
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
    assert course_utils.check("06.flatten", 768) is True
    assert course_utils.check("12.pasos", {32: ..., 128: ..., 512: ...}) is False
    out = capsys.readouterr().out
    assert "correcto" in out and "sin responder" in out
