"""course_utils.gender_models: the lecture's CNN and LSTM have the stated shapes and parameters,
the fixed and the lecture's compile behave as the lesson says, training helpers work."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils import gender_models as gm  # noqa: E402


@pytest.fixture(scope="module")
def cnn():
    return gm.build_cnn()


def test_cnn_output_shapes_match_the_lecture(cnn):
    assert cnn.input_shape == (None, 40, 300, 1)
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in cnn.layers}
    assert shapes["conv1"] == (37, 297, 32)
    assert shapes["pool1"] == (18, 99, 32)
    assert shapes["pool2"] == (14, 32, 64)
    assert shapes["pool3"] == (5, 10, 128)
    assert shapes["flatten"] == (6400,)
    assert shapes["output"] == (2,)
    for name, shape in gm.CNN_OUTPUT_SHAPES.items():
        assert shapes[name] == shape


def test_cnn_parameters_match_the_lecture(cnn):
    params = {layer.name: layer.count_params() for layer in cnn.layers}
    assert params["conv1"] == 544
    assert params["conv2"] == 18_496
    assert params["conv3"] == 73_856
    assert params["hidden"] == 819_328
    assert params["output"] == 258
    assert cnn.count_params() == 912_482 == gm.CNN_TOTAL_PARAMS
    assert sum(gm.CNN_LAYER_PARAMS.values()) == gm.CNN_TOTAL_PARAMS
    assert {k: params[k] for k in gm.CNN_LAYER_PARAMS} == gm.CNN_LAYER_PARAMS


def test_cnn_hidden_activation_and_dropout(cnn):
    assert cnn.get_layer("hidden").activation.__name__ == "relu"
    assert cnn.get_layer("drop_hidden").rate == pytest.approx(2 * cnn.get_layer("drop1").rate)
    lecture = gm.build_cnn(hidden_activation="softmax")
    assert lecture.get_layer("hidden").activation.__name__ == "softmax"
    assert lecture.count_params() == gm.CNN_TOTAL_PARAMS
    # A softmax hidden layer: 128 non-negative features that always sum to 1.
    x = np.random.default_rng(0).normal(size=(3, 40, 300, 1)).astype("float32")
    hidden = keras.Model(lecture.inputs[0], lecture.get_layer("hidden").output)(x).numpy()
    np.testing.assert_allclose(hidden.sum(axis=1), 1.0, rtol=1e-5)


def test_cnn_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_mfcc, frames, 1"):
        gm.build_cnn((40, 300))
    with pytest.raises(ValueError, match="dropout"):
        gm.build_cnn(dropout=0.6)


def test_lstm_structure_and_parameters():
    model = gm.build_lstm((300, 40), units=32)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 4
    assert [tuple(layer.output.shape[1:]) for layer in lstms] == [(300, 32)] * 3 + [(32,)]
    assert lstms[0].count_params() == gm.lstm_params(40, 32) == 4 * (32 * (40 + 32) + 32)
    assert all(layer.count_params() == gm.lstm_params(32, 32) for layer in lstms[1:])
    assert model.output_shape == (None, 2)
    assert model.count_params() == gm.lstm_params(40, 32) + 3 * gm.lstm_params(32, 32) + 33 * 2
    masked = gm.build_lstm((300, 40), units=32, mask_padding=True)
    assert isinstance(masked.layers[0], keras.layers.Masking)
    assert masked.count_params() == model.count_params()
    with pytest.raises(ValueError, match="frames, n_mfcc"):
        gm.build_lstm((300, 40, 1))


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


def test_input_adapters():
    x = np.arange(2 * 3 * 5, dtype=np.float32).reshape(2, 3, 5)  # (clips, n_mfcc, frames)
    cnn_x = gm.as_cnn_input(x)
    assert cnn_x.shape == (2, 3, 5, 1) and np.array_equal(cnn_x[..., 0], x)
    lstm_x = gm.as_lstm_input(x)
    assert lstm_x.shape == (2, 5, 3)
    assert np.array_equal(lstm_x[1, 4], x[1, :, 4])  # step 4 of clip 1 = frame 4, every coefficient
    padded = np.zeros((1, 2, 6), dtype=np.float32)
    padded[0, :, :3] = [[1, 2, 3], [4, 5, 6]]  # 3 real frames, then 3 of padding
    moved = gm.as_lstm_input(padded)
    assert moved[0].tolist() == [[0, 0]] * 3 + [[1, 4], [2, 5], [3, 6]]  # zeros first, order kept
    kept = gm.as_lstm_input(padded, zeros_first=False)
    assert kept[0].tolist() == [[1, 4], [2, 5], [3, 6]] + [[0, 0]] * 3
    with pytest.raises(ValueError, match="clips, n_mfcc, frames"):
        gm.as_lstm_input(x[0])


def test_layer_table(cnn):
    table = gm.layer_table(cnn)
    assert list(table["capa"])[:3] == ["conv1", "pool1", "drop1"]
    assert table["parámetros"].sum() == gm.CNN_TOTAL_PARAMS
    assert table.set_index("capa").loc["pool2", "forma de salida"] == (14, 32, 64)


def _tiny_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(2, activation="softmax")])


def _separable(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 4)).astype("float32") + 2.5 * y[:, None]
    return x, y


def test_lecture_compile_trains_sigmoids_on_the_softmax_logits():
    """The lesson's claim: on one-hot labels the binary cross-entropy of the softmax
    probabilities equals the categorical one, but Keras (TensorFlow backend) computes it from the
    softmax's logits as if they were two independent sigmoids; integer labels fail."""
    x, y = _separable()
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    fixed = gm.compile_model(_tiny_model())
    fixed.set_weights(model.get_weights())
    lecture = gm.compile_like_lecture(model)
    one_hot = keras.utils.to_categorical(y, 2)
    prob = model.predict(x, verbose=0)
    by_hand = float(np.mean(keras.losses.binary_crossentropy(one_hot, prob)))
    loss_fixed = fixed.evaluate(x, y, verbose=0)[0]
    assert by_hand == pytest.approx(loss_fixed, rel=1e-4)
    w = model.get_weights()
    logits = np.maximum(x @ w[0] + w[1], 0) @ w[2] + w[3]
    sig = 1 / (1 + np.exp(-logits))
    sigmoid_bce = float(np.mean(-(one_hot * np.log(sig) + (1 - one_hot) * np.log(1 - sig))))
    loss_lecture = lecture.evaluate(x, one_hot, verbose=0)[0]
    assert loss_lecture == pytest.approx(sigmoid_bce, rel=1e-4)
    assert abs(loss_lecture - loss_fixed) > 0.01
    with pytest.raises(ValueError):
        lecture.fit(x, y, epochs=1, verbose=0)  # integer labels with binary cross-entropy


def test_compile_model_rejects_unknown_optimizer():
    with pytest.raises(ValueError, match="optimizer"):
        gm.compile_model(_tiny_model(), optimizer="sgd-magic")


def test_fit_learns_and_stops_early():
    x, y = _separable()
    keras.utils.set_random_seed(0)
    model = gm.compile_model(_tiny_model(), learning_rate=0.05)
    history = gm.fit(model, x[:150], y[:150], (x[150:], y[150:]), epochs=60, batch_size=16,
                     patience=2, progress=False)
    assert "val_loss" in history.history
    assert len(history.history["loss"]) < 60  # early stopping fired
    prob = gm.positive_probability(model, x[150:])
    assert prob.shape == (50,)
    assert np.mean((prob >= 0.5) == y[150:]) > 0.9
    with pytest.raises(ValueError, match="mismo largo"):
        gm.fit(model, x, y[:10], (x, y), epochs=1, progress=False)


def test_xgboost_uses_early_stopping_on_validation():
    x, y = _separable(400, seed=1)
    model = gm.build_xgboost(n_estimators=300, early_stopping_rounds=5, device="cpu", n_jobs=1)
    model.fit(x[:300], y[:300], eval_set=[(x[300:], y[300:])], verbose=False)
    assert model.best_iteration < 299
    assert np.mean(model.predict(x[300:]) == y[300:]) > 0.9
