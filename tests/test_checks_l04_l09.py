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
    assert {"09.pesos", "09.atencion", "09.parametros", "09.supera", "04.supera"} <= ids
    assert {"00.muestras"} <= ids


@pytest.mark.parametrize("exercise_id", [
    "00.muestras", "04.tamanos", "04.conv_a_mano", "04.pooling", "04.parametros", "04.entropia",
    "04.cadena", "04.paso_gradiente", "09.pesos", "09.atencion", "09.parametros",
])
def test_reference_solutions_are_accepted(exercise_id):
    item = exercises.get(exercise_id)
    assert item.has_solution and item.explanation and item.worked_step
    namespace = {"np": np, "Q_ej": Q, "K_ej": K}
    assert exercises.is_correct(exercise_id, exercises.reference_answer(exercise_id, namespace))


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


def test_hand_convolution_matches_the_lesson():
    from course_utils.checks import l04_redes_convolucionales as l04
    from course_utils.models.convolution import conv2d_loops

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
    assert course_utils.check("04.pooling", [[8, 2], [6, 7]]) is None
    assert "correcto" in capsys.readouterr().out
    assert exercises.is_correct("04.pooling", [[8, 2], [6, 7]])
    assert course_utils.check("09.parametros", ...) is None
    out = capsys.readouterr().out
    assert "sin responder" in out and "Pista" not in out  # no hint before a try
    assert not exercises.is_correct("09.parametros", ...)


# ------------------------------------------------------------------ fixed cases (issue 18)

@pytest.mark.parametrize("answer", [16640, 16640.0, np.int64(16640), np.float64(16640), np.array(16640)])
def test_mha_parameters_accepts_any_number_type(answer):
    assert exercises.is_correct("09.parametros", answer)


def test_mha_parameters_rejects_non_integers():
    assert "entero" in verdict("09.parametros", 16640.5)
    assert "entero" in verdict("09.parametros", "16640")


TWO_DECIMALS = [[0.51, 0.19, 0.31], [0.16, 0.42, 0.42]]  # the first row adds up to 1.01


@pytest.mark.parametrize("answer", [TWO_DECIMALS, np.array(TWO_DECIMALS), RIGHT_WEIGHTS.round(3),
                                    RIGHT_WEIGHTS, tuple(map(tuple, TWO_DECIMALS))])
def test_hand_weights_accept_two_decimals(answer):
    assert exercises.is_correct("09.pesos", answer)


def test_hand_weights_messages():
    one_decimal = RIGHT_WEIGHTS.round(1)
    assert "dos decimales" in verdict("09.pesos", one_decimal)
    # rows that add up to 1 within rounding are not told to add up to 1
    wrong_but_normalised = [[0.31, 0.19, 0.51], [0.16, 0.42, 0.42]]
    message = verdict("09.pesos", wrong_but_normalised)
    assert "debe sumar 1" not in message and "fila 1" in message
    assert "debe sumar 1" in verdict("09.pesos", [[0.7, 0.19, 0.31], [0.16, 0.42, 0.42]])
    assert "0,51" in exercises.get("09.pesos").explanation


class _History:
    def __init__(self, values):
        self.history = {"loss": [1.0] * len(values), "val_accuracy": values}


@pytest.mark.parametrize("exercise_id", ["04.supera", "09.supera"])
def test_open_exercises_compare_validation_figures(exercise_id, capsys):
    assert exercises.is_correct(exercise_id, {"base": 0.30, "mia": _History([0.25, 0.41, 0.38])})
    assert "0.410" in capsys.readouterr().out
    assert exercises.is_correct(exercise_id, {"base": _History([0.3]), "mia": np.float32(0.35)})
    below = verdict(exercise_id, {"base": 0.30, "mia": _History([0.2, 0.28])})
    assert "0.280" in below and "0.300" in below
    assert "empate" in verdict(exercise_id, {"base": 0.3, "mia": 0.3})
    assert "validación" in verdict(exercise_id, {"base": 0.3, "mia": type("H", (), {"history": {"accuracy": [0.9]}})()})
    assert "diccionario" in verdict(exercise_id, 0.5)
    assert "entre 0 y 1" in verdict(exercise_id, {"base": 0.3, "mia": 41})


@pytest.mark.parametrize("answer", [(28, 15, 55), [28, 15, 55], np.array([28, 15, 55]),
                                    (28.0, np.int64(15), 55)])
def test_output_sizes_accept_any_sequence(answer):
    assert exercises.is_correct("04.tamanos", answer)


def test_precision_messages_lesson_04():
    assert "3 decimales" in verdict("04.entropia", 2.2)
    assert exercises.is_correct("04.entropia", 2.17) and exercises.is_correct("04.entropia", np.float32(2.1699))
    assert "2 decimales" in verdict("04.paso_gradiente", (1.8, 0.52))
    assert exercises.is_correct("04.paso_gradiente", np.array([1.8, 0.5]))


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
