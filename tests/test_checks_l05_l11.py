"""The self-checks of lessons 05 and 11 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import exercises

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert {"05.forma_bloque2", "05.parametros_densa", "05.perdida", "05.accuracy_clase",
            "05.media_sin_relleno"} <= ids
    assert {"11.tasas_de_error", "11.umbral", "11.ece", "11.licencia"} <= ids


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("05.forma_bloque2", (14, 32, 64), (16, 97, 64), "max pooling"),
    ("05.forma_bloque2", [14, 32, 64], (14, 32, 32), "canales"),
    ("05.forma_bloque2", (14, 32, 64), (7, 32, 64), "paso del pooling"),
    ("05.parametros_densa", 589_952, 589_824, "sesgos"),
    ("05.parametros_densa", 589_952, 819_328, "4 × 9 × 128"),
    ("05.perdida", "sparse_categorical_crossentropy", "binary_crossentropy", "error de la clase"),
    ("05.perdida", " Sparse_Categorical_Crossentropy ", "categorical_crossentropy", "one-hot"),
    ("05.accuracy_clase", 0.887, 0.90, "anunciado"),
    ("05.accuracy_clase", 0.8873, 88.73, "porcentaje"),
    ("05.accuracy_clase", 0.887, 0.113, "diagonal"),
    ("11.ece", 0.15, 0.3, "ponderar"),
    ("11.ece", 0.15, 0.2, "intervalo de 0,1"),
    ("11.licencia", "fsdd", "common_voice", "CC0"),
    ("11.licencia", " FSDD ", "mini_librispeech", "SA"),
    ("11.licencia", "fsdd", "librispeech", "no hay un conjunto"),
])
def test_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


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

    assert verdict("05.media_sin_relleno", right) is None
    assert "relleno" in verdict("05.media_sin_relleno", lambda m: m.mean(axis=1))
    assert "eje 1" in verdict("05.media_sin_relleno", lambda m: m.mean(axis=0))
    assert "return" in verdict("05.media_sin_relleno", lambda m: None)
    assert "falló" in verdict("05.media_sin_relleno", lambda m: 1 / 0)


def test_error_rates():
    def right(t):
        return (t["pred"] != t["label"]).groupby(t["grupo"]).mean().to_dict()

    assert verdict("11.tasas_de_error", right) is None
    assert verdict("11.tasas_de_error", lambda t: (t["pred"] != t["label"]).groupby(t["grupo"]).mean()) is None
    assert "aciertos" in verdict("11.tasas_de_error",
                                 lambda t: (t["pred"] == t["label"]).groupby(t["grupo"]).mean().to_dict())
    assert "grupos" in verdict("11.tasas_de_error", lambda t: {"a": 0.25, "b": 0.5, "c": 1 / 3})
    assert "clave" in verdict("11.tasas_de_error", lambda t: {"a": 0.25})


def test_threshold_direction():
    assert verdict("11.umbral", {"mujeres_como_hombres": "sube", "hombres_como_mujeres": "baja"}) is None
    assert "al revés" in verdict("11.umbral", {"mujeres_como_hombres": "baja", "hombres_como_mujeres": "sube"})
    assert "cambian" in verdict("11.umbral", {"mujeres_como_hombres": "igual", "hombres_como_mujeres": "baja"})


def test_check_prints_feedback(capsys):
    import course_utils

    assert course_utils.check("05.accuracy_clase", 0.887) is True
    assert "0,90" in capsys.readouterr().out
    assert course_utils.check("11.ece", ...) is False
    assert "sin responder" in capsys.readouterr().out
