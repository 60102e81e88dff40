"""The self-checks of lessons 04 and 09 accept right answers and explain the usual mistakes."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils
from course_utils import exercises

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert {"04.tamanos", "04.conv_a_mano", "04.pooling", "04.parametros"} <= ids
    assert {"09.pesos", "09.atencion", "09.parametros"} <= ids


def _softmax(x, axis=-1):
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


Q = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0]])
K = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
RIGHT_WEIGHTS = _softmax(Q @ K.T / 2)


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("04.tamanos", (28, 15, 55), (28, 16, 55), "hacia abajo"),
    ("04.tamanos", [28, 15, 55], (24, 15, 55), "relleno"),
    ("04.conv_a_mano", [[4, 0], [2, 4]], [[3, -1], [1, 3]], "sesgo"),
    ("04.conv_a_mano", [[4, 0], [2, 4]], np.zeros((3, 3)), "paso 1"),
    ("04.conv_a_mano", [[4, 0], [2, 4]], [[2, 1], [4, 3]], "giraste"),
    ("04.pooling", [[8, 2], [6, 7]], [[4, 1], [2.25, 3.75]], "promedio"),
    ("04.parametros", 18_496, 18_432, "sesgos"),
    ("04.parametros", 18_496, 640, "32 canales"),
    ("09.pesos", RIGHT_WEIGHTS, _softmax(Q @ K.T), "√d_k"),
    ("09.pesos", RIGHT_WEIGHTS.tolist(), RIGHT_WEIGHTS.T, "transpuesta"),
    ("09.pesos", RIGHT_WEIGHTS, Q @ K.T / 2, "falta el softmax"),
    ("09.parametros", 16_640, 16_384, "sesgos"),
    ("09.parametros", 16_640, 12_480, "proyección de salida"),
])
def test_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message, message


def test_hand_convolution_matches_the_module():
    from course_utils.checks import l04_redes_convolucionales as l04
    from course_utils.convolution import conv2d_loops

    out = conv2d_loops(l04.HAND_X, l04.HAND_K, [l04.HAND_BIAS], stride=2)[:, :, 0]
    assert out.tolist() == [[4, 0], [2, 4]]


def test_attention_function_checker():
    def right(q, k, v):
        s = q @ k.T / np.sqrt(q.shape[-1])
        w = _softmax(s)
        return w @ v, w

    def unscaled(q, k, v):
        w = _softmax(q @ k.T)
        return w @ v, w

    def unstable(q, k, v):
        s = q @ k.T / np.sqrt(q.shape[-1])
        e = np.exp(s)
        w = e / e.sum(-1, keepdims=True)
        return w @ v, w

    def wrong_axis(q, k, v):
        w = _softmax(q @ k.T / np.sqrt(q.shape[-1]), axis=0)
        return w @ v, w

    assert verdict("09.atencion", right) is None
    assert "√d_k" in verdict("09.atencion", unscaled)
    assert "máximo" in verdict("09.atencion", unstable)
    assert "último eje" in verdict("09.atencion", wrong_axis)
    assert "dos cosas" in verdict("09.atencion", lambda q, k, v: q)
    assert "falló" in verdict("09.atencion", lambda q, k, v: 1 / 0)


def test_check_prints_feedback(capsys):
    assert course_utils.check("04.pooling", [[8, 2], [6, 7]]) is True
    assert course_utils.check("09.parametros", ...) is False
    assert "sin responder" in capsys.readouterr().out


def test_checks_do_not_import_tensorflow():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, course_utils.checks.l04_redes_convolucionales, course_utils.checks.l09_atencion;"
            "print('tensorflow' in sys.modules or 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"
