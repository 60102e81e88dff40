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


# ---------------------------------------------------------------- lesson 04, section 1

def test_learning_exercises_are_registered():
    assert {"04.entropia", "04.cadena", "04.paso_gradiente"} <= set(exercises.registered())


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("04.entropia", 2.170, -2.170, "signo menos"),
    ("04.entropia", np.float32(2.1698), 0.1142, "probabilidad"),
    ("04.entropia", np.array(2.16985), 3.1304, "base 2"),
    ("04.entropia", 2.1698, 0.1698, "clase verdadera"),
    ("04.entropia", 2.1698, 2.3, "no es correcto"),
    ("04.cadena", (24, 4), (4, 24), "al revés"),
    ("04.cadena", [24.0, 4.0], (12, 2), "falta el 2"),
    ("04.cadena", np.array([24, 4]), (12, 4), "∂z/∂w₁ = x"),
    ("04.cadena", (np.int64(24), np.float64(4)), (8, 4), "w₂ = 3"),
    ("04.cadena", (24, 4), (0, 4), "ReLU"),
    ("04.cadena", (24, 4), (-24, -4), "signo"),
    ("04.cadena", (24, 4), 24, "tupla"),
    ("04.paso_gradiente", (1.8, 0.5), (-8, -5), "gradientes"),
    ("04.paso_gradiente", (1.80, 0.50), (0.2, -0.5), "cuesta arriba"),
    ("04.paso_gradiente", [1.8, 0.5], (1.4, 0.25), "falta el 2"),
    ("04.paso_gradiente", np.array([1.8, 0.5]), (2.6, 1.0), "divide la suma"),
    ("04.paso_gradiente", (1.8, 0.5), (9, 5), "tasa de aprendizaje"),
    ("04.paso_gradiente", (1.8, 0.5), ("1.8", "0.5"), "número"),
])
def test_learning_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message, message


def test_learning_answers_match_tensorflow():
    """The checkers' expected values agree with Keras' loss and with GradientTape."""
    import keras
    import tensorflow as tf

    from course_utils.checks import l04_redes_convolucionales as l04

    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    keras_value = float(loss(np.array([l04.CE_CLASS]), np.array([l04.CE_LOGITS])))
    assert verdict("04.entropia", round(keras_value, 3)) is None

    c = l04.CHAIN
    w1, w2 = tf.Variable(c["w1"]), tf.Variable(c["w2"])
    with tf.GradientTape() as tape:
        chain_loss = (w2 * tf.nn.relu(w1 * c["x"]) - c["y"]) ** 2
    assert verdict("04.cadena", tuple(g.numpy() for g in tape.gradient(chain_loss, [w1, w2]))) is None

    (w0, b0), x, y = l04.STEP_START, *np.asarray(l04.STEP_POINTS).T
    w, b = tf.Variable(w0), tf.Variable(b0)
    with tf.GradientTape() as tape:
        line_loss = tf.reduce_mean((w * x + b - y) ** 2)
    keras.optimizers.SGD(learning_rate=l04.STEP_LR).apply_gradients(
        zip(tape.gradient(line_loss, [w, b]), [w, b]))
    assert verdict("04.paso_gradiente", (w.numpy(), b.numpy())) is None
