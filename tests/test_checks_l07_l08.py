"""The self-checks of lessons 07 and 08 accept right answers and explain wrong ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import exercises, splits

verdict = exercises.feedback


def test_all_exercises_are_registered():
    ids = set(exercises.registered())
    assert {"07.forma", "07.parametros", "07.particion", "07.confusion"} <= ids
    assert {"08.desplazamiento", "08.temperatura", "08.perplejidad", "08.bpc"} <= ids
    assert {"07.mejora", "08.mejora", "08.parametros_gru"} <= ids


VALUE_SOLUTIONS = ["07.forma", "07.parametros", "07.particion", "07.confusion",
                   "08.desplazamiento", "08.temperatura", "08.perplejidad", "08.bpc",
                   "08.parametros_gru"]


@pytest.mark.parametrize("exercise_id", VALUE_SOLUTIONS)
def test_reference_solutions_are_accepted(exercise_id):
    item = exercises.get(exercise_id)
    assert item.has_solution and item.explanation and item.hint and item.worked_step
    assert exercises.is_correct(exercise_id, exercises.reference_answer(exercise_id))


@pytest.mark.parametrize("exercise_id", ["07.mejora", "08.mejora"])
def test_open_exercises_have_code_solutions(exercise_id):
    item = exercises.get(exercise_id)
    assert isinstance(item.solution, exercises.Code) and item.explanation and item.worked_step
    assert '"base"' in item.solution.source and '"mia"' in item.solution.source


@pytest.mark.parametrize("answer", [(250, 129), [250, 129], np.array([250, 129]), (250.0, 129.0),
                                    (np.int64(250), np.int64(129)), np.array([250.0, 129.0])])
def test_shape_accepts_tuples_lists_and_arrays(answer):
    assert exercises.is_correct("07.forma", answer)


def test_shape_rejects_text_wrong_length_and_fractions():
    assert "tupla" in verdict("07.forma", "250x129")
    assert "2 números" in verdict("07.forma", (250,))
    assert "enteros" in verdict("07.forma", (250.5, 129))
    assert "transpuesta" in verdict("07.forma", np.array([129, 250]))


@pytest.mark.parametrize("exercise_id, right, wrong, fragment", [
    ("07.forma", (250, 129), (129, 250), "transpuesta"),
    ("07.forma", [250, 129], (249, 129), "sin relleno"),
    ("07.forma", (250, 129), (250, 128), "256"),
    ("07.forma", (250, 129), (500, 129), "4 s"),
    ("08.perplejidad", math.exp(1.5), 2 ** 1.5, "base 2"),
    ("08.perplejidad", 4.48, 1.5, "pérdida"),
    ("08.bpc", 5.2 * 2000 / (10400 * math.log(2)), 5.2 / math.log(2), "bits por palabra"),
    ("08.bpc", 1.443, 1.0, "ln 2"),
])
def test_value_answers(exercise_id, right, wrong, fragment):
    assert verdict(exercise_id, right) is None
    message = verdict(exercise_id, wrong)
    assert message is not None and fragment in message


def test_number_types_are_explained():
    assert "número" in verdict("08.bpc", "1.44")


@pytest.mark.parametrize("exercise_id, right, lower_precision", [
    ("08.perplejidad", [4.48, 4.4817, np.float32(4.48), np.array(4.48), np.float64(math.exp(1.5))],
     [4.5, 4]),
    ("08.bpc", [1.443, 1.4427, np.float64(1.443), np.array(1 / math.log(2))], [1.44, 1.4]),
])
def test_stated_precision(exercise_id, right, lower_precision):
    for value in right:
        assert exercises.is_correct(exercise_id, value), value
    for value in lower_precision:
        assert "decimales" in verdict(exercise_id, value), value
    assert "decimales" not in (verdict(exercise_id, 100.0) or "")


def test_bpc_nats_per_character_is_not_called_a_rounding():
    assert "ln 2" in verdict("08.bpc", 1.0)


def test_parameter_counts():
    right = {"conv1d": 20_672, "lstm": 20_608}
    assert verdict("07.parametros", right) is None
    assert "sesgo" in verdict("07.parametros", {**right, "conv1d": 5 * 129 * 32})
    assert "4 bloques" in verdict("07.parametros", {**right, "lstm": 3 * (32 * 160 + 32)})
    assert "recurrentes" in verdict("07.parametros", {**right, "lstm": 4 * (32 * 128 + 32)})
    assert "diccionario" in verdict("07.parametros", [20_672, 20_608])
    assert verdict("07.parametros", {"conv1d": np.int64(20_672), "lstm": 20_608.0}) is None
    assert "entero" in verdict("07.parametros", {"conv1d": "20672", "lstm": 20_608})
    # The counts agree with Keras.
    import keras

    conv = keras.Sequential([keras.Input((500, 129)), keras.layers.Conv1D(32, 5)])
    lstm = keras.Sequential([keras.Input((54, 128)), keras.layers.LSTM(32)])
    assert verdict("07.parametros", {"conv1d": conv.count_params(),
                                     "lstm": lstm.count_params()}) is None


def test_grouped_split_function():
    def by_id(table):
        return splits.group_train_test_split(table["id"], test_size=0.25, seed=0)

    def by_recording(table):
        return splits.group_train_test_split(table["recording"], test_size=0.25, seed=0)

    def by_chunk(table):
        rng = np.random.default_rng(0)
        order = rng.permutation(len(table))
        return order[: int(0.75 * len(table))], order[int(0.75 * len(table)):]

    assert verdict("07.particion", by_id) is None
    assert "misma frase" in verdict("07.particion", by_recording)
    assert "misma grabación" in verdict("07.particion", by_chunk)
    assert "exactamente una" in verdict("07.particion", lambda t: ([0, 1], [1, 2]))
    assert "función" in verdict("07.particion", 3)


def test_most_confused_function():
    def right(cm, labels):
        sym = cm + cm.T
        np.fill_diagonal(sym, -1)
        i, j = np.unravel_index(np.argmax(sym), sym.shape)
        return labels[i], labels[j]

    def one_way(cm, labels):
        off = cm.copy()
        np.fill_diagonal(off, -1)
        i, j = np.unravel_index(np.argmax(off), off.shape)
        return labels[i], labels[j]

    def with_diagonal(cm, labels):
        i, j = np.unravel_index(np.argmax(cm + cm.T), cm.shape)
        return labels[i], labels[j]

    assert verdict("07.confusion", right) is None
    assert "una sola dirección" in verdict("07.confusion", one_way)
    assert "misma etiqueta" in verdict("07.confusion", with_diagonal)
    assert "par de etiquetas" in verdict("07.confusion", lambda cm, labels: "fr_fr")


def test_shift_function():
    assert verdict("08.desplazamiento", lambda s: (s[:-1], s[1:])) is None
    assert "al revés" in verdict("08.desplazamiento", lambda s: (s[1:], s[:-1]))
    assert "uno menos" in verdict("08.desplazamiento", lambda s: (s, s[1:]))
    import tensorflow as tf

    assert verdict("08.desplazamiento", lambda s: (tf.constant(s)[:-1], tf.constant(s)[1:])) is None


def test_temperature_function():
    def right(logits, t):
        z = np.asarray(logits) / t
        e = np.exp(z - z.max())
        return e / e.sum()

    def unstable(logits, t):
        e = np.exp(np.asarray(logits) / t)
        return e / e.sum()

    assert verdict("08.temperatura", right) is None
    assert "multiplicaste" in verdict("08.temperatura", lambda z, t: right(np.asarray(z) * t * t, t))
    assert "no suman 1" in verdict("08.temperatura", lambda z, t: np.exp(np.asarray(z) / t))
    assert "no cambia" in verdict("08.temperatura", lambda z, t: right(z, 1.0))
    with np.errstate(over="ignore", invalid="ignore"):
        assert "máximo" in verdict("08.temperatura", unstable)


@pytest.mark.parametrize("wrong, fragment", [
    (246_528, "reset_after=False"),
    (245_760, "sesgos"),
    (50_688, "recurrentes"),
    (328_704, "LSTM"),
    (82_432, "un solo bloque"),
    (247_295, "no es correcto"),
    ("247296", "entero"),
])
def test_gru_parameters(wrong, fragment):
    assert "08.parametros_gru" in exercises.registered()
    for right in (247_296, 247_296.0, np.int64(247_296)):
        assert verdict("08.parametros_gru", right) is None
    message = verdict("08.parametros_gru", wrong)
    assert message is not None and fragment in message, message


def test_gru_parameters_match_keras():
    import keras

    from course_utils.checks import l08_texto as l08

    layer = keras.layers.GRU(l08.GRU_UNITS)
    layer.build((None, 5, l08.GRU_INPUT))
    assert verdict("08.parametros_gru", layer.count_params()) is None
    old = keras.layers.GRU(l08.GRU_UNITS, reset_after=False)
    old.build((None, 5, l08.GRU_INPUT))
    assert "reset_after=False" in verdict("08.parametros_gru", old.count_params())


class _History:
    def __init__(self, val_loss):
        self.history = {"loss": [2.0] * len(val_loss), "val_loss": list(val_loss)}


@pytest.mark.parametrize("exercise_id", ["07.mejora", "08.mejora"])
def test_open_exercise_compares_best_validation_losses(exercise_id, capsys):
    base = _History([1.2, 0.9, 1.0])
    assert exercises.is_correct(exercise_id, {"base": base, "mia": _History([1.1, 0.8])})
    assert "0.9000" in capsys.readouterr().out  # both figures are printed
    message = verdict(exercise_id, {"base": base, "mia": _History([1.0, 0.95])})
    assert "no mejora" in message and "0.9000" in message and "0.9500" in message
    assert exercises.is_correct(exercise_id, {"base": 0.9, "mia": np.float32(0.85)})
    assert "misma historia" in verdict(exercise_id, {"base": base, "mia": base})
    assert "val_loss" in verdict(exercise_id, {"base": base, "mia": type("H", (), {"history": {"loss": [1.0]}})()})
    assert "diccionario" in verdict(exercise_id, [base, base])


def test_check_prints_and_returns_none(capsys):
    assert exercises.check("07.forma", np.array([250, 129])) is None
    assert "✅" in capsys.readouterr().out
