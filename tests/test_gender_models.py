"""course_utils.models.gender (exported from lesson 05): the lecture's CNN and LSTM have the
stated shapes and parameters, the input shaping is steps 7/8 of lesson 02, training works."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.models import gender as gm  # noqa: E402


@pytest.fixture(scope="module")
def cnn():
    return gm.build_cnn()


def test_cnn_output_shapes_match_the_lecture(cnn):
    assert cnn.input_shape == (None, 40, 300, 1) == (None, *gm.CNN_INPUT_SHAPE)
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in cnn.layers}
    assert shapes["conv1"] == (37, 297, 32)
    assert shapes["pool1"] == (18, 99, 32)
    assert shapes["pool2"] == (14, 32, 64)
    assert shapes["pool3"] == (5, 10, 128)
    assert shapes["flatten"] == (6400,)
    assert shapes["output"] == (2,)


def test_cnn_parameters_match_the_lecture(cnn):
    params = {layer.name: layer.count_params() for layer in cnn.layers}
    assert params["conv1"] == 544
    assert params["conv2"] == 18_496
    assert params["conv3"] == 73_856
    assert params["hidden"] == 819_328
    assert params["output"] == 258
    assert cnn.count_params() == 912_482


def test_cnn_hidden_activation_and_dropout(cnn):
    assert cnn.get_layer("hidden").activation.__name__ == "relu"
    assert cnn.get_layer("drop_hidden").rate == pytest.approx(2 * cnn.get_layer("drop1").rate)
    lecture = gm.build_cnn(hidden_activation="softmax")
    assert lecture.get_layer("hidden").activation.__name__ == "softmax"
    assert lecture.count_params() == 912_482
    # A softmax hidden layer: 128 non-negative features that always sum to 1.
    x = np.random.default_rng(0).normal(size=(3, 40, 300, 1)).astype("float32")
    hidden = keras.Model(lecture.inputs[0], lecture.get_layer("hidden").output)(x).numpy()
    np.testing.assert_allclose(hidden.sum(axis=1), 1.0, rtol=1e-5)


def _lstm_params(n_inputs, units):
    return 4 * (units * (n_inputs + units) + units)


def test_lstm_structure_and_parameters():
    model = gm.build_lstm((300, 40), units=32)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 4
    assert [tuple(layer.output.shape[1:]) for layer in lstms] == [(300, 32)] * 3 + [(32,)]
    assert lstms[0].count_params() == _lstm_params(40, 32)
    assert all(layer.count_params() == _lstm_params(32, 32) for layer in lstms[1:])
    assert model.output_shape == (None, 2)
    assert model.count_params() == _lstm_params(40, 32) + 3 * _lstm_params(32, 32) + 33 * 2
    masked = gm.build_lstm((300, 40), units=32, mask_padding=True)
    assert isinstance(masked.layers[0], keras.layers.Masking)
    assert masked.count_params() == model.count_params()


def test_lstm_mask_ignores_the_zero_padding():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2, 4, 3)).astype("float32")
    padded = np.concatenate([real, np.zeros((2, 6, 3), dtype="float32")], axis=1)
    keras.utils.set_random_seed(0)
    masked = gm.build_lstm((10, 3), units=5, n_layers=2, dropout=0.0, mask_padding=True)
    short = gm.build_lstm((4, 3), units=5, n_layers=2, dropout=0.0)
    short.set_weights(masked.get_weights())
    np.testing.assert_allclose(masked.predict(padded, verbose=0), short.predict(real, verbose=0),
                               rtol=1e-5, atol=1e-6)
    unmasked = gm.build_lstm((10, 3), units=5, n_layers=2, dropout=0.0, mask_padding=False)
    unmasked.set_weights(masked.get_weights())
    assert not np.allclose(unmasked.predict(padded, verbose=0), short.predict(real, verbose=0))


def test_input_shaping_is_step_8_for_the_cnn_and_step_7_for_the_lstm():
    from course_utils.audio import add_channel, to_time_major

    x = np.arange(2 * 3 * 5, dtype=np.float32).reshape(2, 3, 5)  # (clips, n_mfcc, frames)
    cnn_x = gm.as_cnn_input(x)
    assert cnn_x.shape == (2, 3, 5, 1) and np.array_equal(cnn_x[0], add_channel(x[0]))
    lstm_x = gm.as_lstm_input(x, zeros_first=False)
    assert lstm_x.shape == (2, 5, 3) and np.array_equal(lstm_x[1], to_time_major(x[1]))
    padded = np.zeros((1, 2, 6), dtype=np.float32)
    padded[0, :, :3] = [[1, 2, 3], [4, 5, 6]]  # 3 real frames, then 3 of padding
    moved = gm.as_lstm_input(padded)
    assert moved[0].tolist() == [[0, 0]] * 3 + [[1, 4], [2, 5], [3, 6]]  # zeros first, order kept
    with pytest.raises(ValueError, match="clips, coeficientes, frames"):
        gm.as_lstm_input(x[0])


def _tiny_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(2, activation="softmax")])


def _separable(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 4)).astype("float32") + 2.5 * y[:, None]
    return x, y


def test_keras3_binary_crossentropy_on_two_softmax_outputs():
    """Lesson 05's claim: on one-hot labels the binary cross-entropy of the softmax
    probabilities equals the categorical one (Keras 2's computation), while Keras 3 inside a
    model uses the softmax's logits as two independent sigmoids; integer labels fail."""
    x, y = _separable()
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    fixed = gm.compile_model(_tiny_model())
    fixed.set_weights(model.get_weights())
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    one_hot = keras.utils.to_categorical(y, 2)
    prob = model.predict(x, verbose=0)
    by_hand = float(np.mean(keras.losses.binary_crossentropy(one_hot, prob)))
    loss_fixed = fixed.evaluate(x, y, verbose=0)[0]
    assert by_hand == pytest.approx(loss_fixed, rel=1e-3)
    w = model.get_weights()
    logits = np.maximum(x @ w[0] + w[1], 0) @ w[2] + w[3]
    sig = 1 / (1 + np.exp(-logits))
    sigmoid_bce = float(np.mean(-(one_hot * np.log(sig) + (1 - one_hot) * np.log(1 - sig))))
    loss_lecture = model.evaluate(x, one_hot, verbose=0)[0]
    assert loss_lecture == pytest.approx(sigmoid_bce, rel=1e-4)
    assert abs(loss_lecture - loss_fixed) > 0.01
    with pytest.raises(ValueError):
        model.fit(x, y, epochs=1, verbose=0)  # integer labels with binary cross-entropy


def test_fit_learns_and_stops_early():
    x, y = _separable()
    keras.utils.set_random_seed(0)
    model = gm.compile_model(_tiny_model(), learning_rate=0.05)
    history = gm.fit(model, x[:150], y[:150], (x[150:], y[150:]), epochs=60, batch_size=16,
                     patience=2)
    assert "val_loss" in history.history
    assert len(history.history["loss"]) < 60  # early stopping fired
    prob = gm.positive_probability(model, x[150:])
    assert prob.shape == (50,)
    assert np.mean((prob >= 0.5) == y[150:]) > 0.9


def test_editing_the_lesson_cell_changes_the_model_that_is_trained():
    """Issue 17: lesson 05 trains the model its export cell builds, so editing a layer there
    changes what is trained (here: 32 -> 16 filters in the first convolution)."""
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parent.parent / "notebooks" / "05_clasificacion_de_genero.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    export = [i for i, c in enumerate(cells) if "export:gender" in c.metadata.get("tags", [])]
    cnn_cell = next(i for i in export if "def build_cnn(" in cells[i].source)
    train_cell = next(i for i, c in enumerate(cells) if "def train_cnn(" in c.source)
    assert cnn_cell < train_cell and "build_cnn(" in cells[train_cell].source
    assert "def build_cnn(" not in "".join(c.source for c in cells[cnn_cell + 1:])  # no second copy
    original = cells[cnn_cell].source
    edited = original.replace('layers.Conv2D(32, (4, 4), activation="relu", name="conv1")',
                              'layers.Conv2D(16, (4, 4), activation="relu", name="conv1")')
    assert edited != original
    namespace: dict = {}
    for i in export:
        if i <= cnn_cell:
            exec(compile(edited if i == cnn_cell else cells[i].source, f"cell {i}", "exec"), namespace)
    model = namespace["build_cnn"]()
    assert model.get_layer("conv1").filters == 16
    assert model.count_params() != gm.build_cnn().count_params() == 912_482
