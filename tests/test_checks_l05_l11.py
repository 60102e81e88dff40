"""The self-checks of lessons 05 and 11 accept right answers and explain wrong ones."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from course_utils import exercises

verdict = exercises.feedback
is_correct = exercises.is_correct

IDS_05 = {"05.forma_bloque2", "05.parametros_densa", "05.perdida", "05.accuracy_clase",
          "05.media_sin_relleno", "05.supera_base"}
IDS_11 = {"11.tasas_de_error", "11.umbral", "11.ece", "11.licencia"}


def test_all_exercises_are_registered_with_solutions():
    assert IDS_05 | IDS_11 <= set(exercises.registered())
    for exercise_id in IDS_05 | IDS_11:
        item = exercises.get(exercise_id)
        assert item.has_solution and item.explanation and item.hint and item.worked_step


@pytest.mark.parametrize("exercise_id", sorted((IDS_05 | IDS_11) - {"05.supera_base"}))
def test_reference_solutions_are_accepted(exercise_id):
    assert is_correct(exercise_id, exercises.reference_answer(exercise_id))


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("05.forma_bloque2", (14, 32, 64), (16, 97, 64), "max pooling"),
    ("05.forma_bloque2", [14, 32, 64], (14, 32, 32), "canales"),
    ("05.forma_bloque2", np.array([14, 32, 64]), (7, 32, 64), "paso del pooling"),
    ("05.parametros_densa", 589_952, 589_824, "sesgos"),
    ("05.parametros_densa", np.int64(589_952), 819_328, "4 × 9 × 128"),
    ("05.perdida", "sparse_categorical_crossentropy", "binary_crossentropy", "error de la clase"),
    ("05.perdida", " Sparse_Categorical_Crossentropy ", "categorical_crossentropy", "one-hot"),
    ("05.accuracy_clase", 0.887, 0.90, "anunciado"),
    ("05.accuracy_clase", 0.8873, 88.73, "porcentaje"),
    ("05.accuracy_clase", 0.887, 0.113, "diagonal"),
    ("05.accuracy_clase", np.float32(0.887), 0.89, "tres decimales"),
    ("05.accuracy_clase", np.array(685 / 772), 0.88, "tres decimales"),
    ("11.ece", 0.15, 0.3, "ponderar"),
    ("11.ece", np.float64(0.150), 0.2, "intervalo de 0,1"),
    ("11.licencia", "fsdd", "common_voice", "CC0"),
    ("11.licencia", " FSDD ", "mini_librispeech", "SA"),
    ("11.licencia", "fsdd", "librispeech", "no hay un conjunto"),
])
def test_answers(exercise_id, right, wrong, fragment):
    assert is_correct(exercise_id, right)
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


@pytest.mark.parametrize("answer", [(14.0, 32.0, 64.0), np.array([14, 32, 64], dtype=np.int32)])
def test_shape_accepts_any_sequence_of_numbers(answer):
    assert is_correct("05.forma_bloque2", answer)


@pytest.mark.parametrize("answer", [589_952.0, np.array(589_952), np.float64(589_952)])
def test_parameters_accept_any_number_type(answer):
    assert is_correct("05.parametros_densa", answer)


@pytest.mark.parametrize("answer", [0.887, 0.8873, 685 / 772, np.float32(0.8873)])
def test_lecture_accuracy_accepts_every_correct_rounding(answer):
    assert is_correct("05.accuracy_clase", answer)


def test_wrong_types_are_explained():
    assert "tupla" in verdict("05.forma_bloque2", "14x32x64")
    assert "texto" in verdict("05.perdida", 3)
    assert "función" in verdict("05.media_sin_relleno", 3.0)
    assert "diccionario" in verdict("11.umbral", ["sube", "baja"])
    assert "sube" in verdict("11.umbral", {"mujeres_como_hombres": "más", "hombres_como_mujeres": "menos"})


def test_mean_without_padding():
    def right(m):
        mask = np.any(m != 0, axis=0)
        return m[:, mask].mean(axis=1)

    assert is_correct("05.media_sin_relleno", right)
    assert "relleno" in verdict("05.media_sin_relleno", lambda m: m.mean(axis=1))
    assert "eje 1" in verdict("05.media_sin_relleno", lambda m: m.mean(axis=0))
    assert "return" in verdict("05.media_sin_relleno", lambda m: None)
    assert "falló" in verdict("05.media_sin_relleno", lambda m: 1 / 0)


def test_mean_without_padding_rejects_count_nonzero():
    """A genuine zero inside a real frame is data, not padding (issue 18)."""
    def by_nonzero(m):
        return m.sum(axis=1) / np.count_nonzero(m, axis=1)

    message = verdict("05.media_sin_relleno", by_nonzero)
    assert message is not None and "cero dentro de un frame real" in message
    # the case it gets wrong: one real frame with a zero coefficient
    m = np.zeros((2, 5))
    m[:, :3] = [[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]]
    np.testing.assert_allclose(exercises.reference_answer("05.media_sin_relleno")(m), [1.0, 4.0])
    assert by_nonzero(m)[0] == pytest.approx(1.5)


def _history(val_loss):
    return SimpleNamespace(history={"loss": val_loss, "val_loss": val_loss})


def test_beat_the_baseline(capsys):
    base, better, worse = _history([0.6, 0.4, 0.45]), _history([0.5, 0.2]), _history([0.7, 0.5])
    assert is_correct("05.supera_base", {"base": base, "mia": better})
    out = capsys.readouterr().out
    assert "0.2000" in out and "0.4000" in out  # both figures printed
    message = verdict("05.supera_base", {"base": base, "mia": worse})
    assert "0.5000" in message and "0.4000" in message and "no la supera" in message
    assert is_correct("05.supera_base", {"base": 0.4, "mia": np.float32(0.3)})
    assert "val_loss" in verdict("05.supera_base", {"base": base,
                                                    "mia": SimpleNamespace(history={"loss": [0.1]})})
    assert "diccionario" in verdict("05.supera_base", [0.4, 0.3])
    assert not is_correct("05.supera_base", {"base": base, "mia": ...})


def test_error_rates():
    def right(t):
        return (t["pred"] != t["label"]).groupby(t["grupo"]).mean().to_dict()

    assert is_correct("11.tasas_de_error", right)
    assert is_correct("11.tasas_de_error", lambda t: (t["pred"] != t["label"]).groupby(t["grupo"]).mean())
    assert "aciertos" in verdict("11.tasas_de_error",
                                 lambda t: (t["pred"] == t["label"]).groupby(t["grupo"]).mean().to_dict())
    assert "grupos" in verdict("11.tasas_de_error", lambda t: {"a": 0.25, "b": 0.5, "c": 1 / 3})
    assert "clave" in verdict("11.tasas_de_error", lambda t: {"a": 0.25})
    # NumPy scalars and a 0-d array as rates are numbers too
    assert is_correct("11.tasas_de_error",
                      lambda t: {"a": np.float32(0.25), "b": np.array(1.0), "c": np.float64(1 / 3)})


def test_threshold_direction():
    assert is_correct("11.umbral", {"mujeres_como_hombres": "sube", "hombres_como_mujeres": "baja"})
    assert is_correct("11.umbral", {"mujeres_como_hombres": " Sube", "hombres_como_mujeres": "BAJA"})
    assert "al revés" in verdict("11.umbral", {"mujeres_como_hombres": "baja", "hombres_como_mujeres": "sube"})
    assert "cambian" in verdict("11.umbral", {"mujeres_como_hombres": "igual", "hombres_como_mujeres": "baja"})


def test_ece_two_decimals():
    assert is_correct("11.ece", 0.15) and is_correct("11.ece", np.array(0.1500))
    assert "porcentaje" in verdict("11.ece", 15)


def test_check_prints_feedback_and_returns_none(capsys):
    import course_utils

    assert course_utils.check("05.accuracy_clase", 0.887) is None
    assert "0,90" in capsys.readouterr().out
    assert course_utils.check("11.ece", ...) is None
    assert "sin responder" in capsys.readouterr().out


def test_solutions_print_with_an_explanation(capsys):
    import course_utils

    course_utils.solution("05.media_sin_relleno")
    out = capsys.readouterr().out
    assert "np.any" in out and "frame" in out
    assert isinstance(pd.DataFrame, type)
