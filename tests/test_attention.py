"""course_utils.attention: NumPy attention equals Keras MultiHeadAttention with the same weights;
masks, positional encoding, the classifiers' shapes and the frame scaler."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import numpy as np
import pytest

from course_utils import attention as at


def test_softmax_is_stable_and_normalised():
    out = at.softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(out, [[0.5, 0.5], [0.25, 0.75]])


def test_attention_hand_case():
    # One query equal to the first of two orthogonal keys: scores [2/√2, 0] = [√2, 0].
    q = np.array([[np.sqrt(2.0), 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[10.0], [20.0]])
    out, w = at.scaled_dot_product_attention(q, k, v)
    p = np.exp(1.0) / (np.exp(1.0) + 1.0)  # scores / √2 = [1, 0]
    np.testing.assert_allclose(w, [[p, 1 - p]])
    np.testing.assert_allclose(out, [[10 * p + 20 * (1 - p)]])


def test_masks():
    np.testing.assert_array_equal(at.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    np.testing.assert_array_equal(at.padding_mask([2, 3], 3), [[1, 1, 0], [1, 1, 1]])
    with pytest.raises(ValueError, match="largo"):
        at.padding_mask([4], 3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    out, w = at.self_attention(x, np.eye(3), np.eye(3), np.eye(3), mask=at.causal_mask(4))
    assert np.allclose(np.triu(w, 1), 0) and np.allclose(w.sum(-1), 1)
    assert np.allclose(out[0], x[0])  # the first position can only see itself
    # A fully masked row gets zero weights (as Keras does), not NaN.
    _, w = at.scaled_dot_product_attention(x, x, x, mask=np.zeros((4, 4), bool))
    assert np.all(w == 0)


def test_shape_errors():
    with pytest.raises(ValueError, match="d_k"):
        at.scaled_dot_product_attention(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="posiciones"):
        at.scaled_dot_product_attention(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((5, 1)))


@pytest.mark.parametrize("mask_kind", ["none", "padding", "causal"])
def test_numpy_multi_head_equals_keras(mask_kind):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 8)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    layer(x, x)  # build
    weights = at.MHAWeights.random(8, 2, 4, seed=3)
    weights.to_keras(layer)
    assert weights.num_heads == 2
    kwargs, mask = {}, None
    if mask_kind == "padding":
        valid = at.padding_mask([6, 4], 6)
        mask = valid[:, None, :] & valid[:, :, None]
        kwargs = {"attention_mask": mask}
    elif mask_kind == "causal":
        mask = at.causal_mask(6)[None]
        kwargs = {"use_causal_mask": True}
    expected, expected_w = layer(x, x, return_attention_scores=True, **kwargs)
    out, w = at.multi_head_attention(x, x, at.MHAWeights.from_keras(layer), mask=mask)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-5)
    np.testing.assert_allclose(w, expected_w.numpy(), atol=1e-6)


def test_positional_encoding_values():
    pe = at.positional_encoding(50, 16)
    assert pe.shape == (50, 16)
    np.testing.assert_allclose(pe[0], [0, 1] * 8)
    np.testing.assert_allclose(pe[3, 0], np.sin(3.0), rtol=1e-6)
    np.testing.assert_allclose(pe[3, 5], np.cos(3 / 10_000 ** (4 / 16)), rtol=1e-6)
    with pytest.raises(ValueError):
        at.positional_encoding(0, 4)


def test_transformer_masks_padding_and_exposes_attention():
    model = at.transformer_classifier((20, 10), 8, d_model=32, num_heads=4, ff_dim=64)
    assert model.output_shape == (None, 8)
    block = model.get_layer("bloque_1")
    assert block.count_params() == 4 * (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32) + 2 * 64
    x = np.random.default_rng(0).normal(size=(2, 20, 10)).astype("float32")
    x[1, 12:] = 0.0  # the second clip has 8 padding frames
    scores = at.attention_model(model)(x)
    assert [tuple(s.shape) for s in scores] == [(2, 4, 20, 20)] * 2
    s = np.asarray(scores[0])
    np.testing.assert_allclose(s[1, :, :12, 12:], 0.0, atol=1e-7)  # nobody attends to padding
    np.testing.assert_allclose(s[1, :, :12].sum(-1), 1.0, rtol=1e-5)
    # The average over time only counts the real frames.
    probe = keras.Model(model.inputs[0], [model.get_layer("bloque_2").output[0],
                                          model.get_layer("promedio_temporal").output])
    frames, pooled = (np.asarray(t) for t in probe(x))
    np.testing.assert_allclose(pooled[1], frames[1, :12].mean(0), atol=1e-5)
    assert not np.allclose(pooled[1], frames[1].mean(0), atol=1e-3)
    with pytest.raises(ValueError, match="múltiplo"):
        at.transformer_classifier((20, 10), 8, d_model=30, num_heads=4)


def test_lstm_classifier_shape():
    model = at.lstm_classifier((20, 10), 8, units=(16,))
    assert model.output_shape == (None, 8)
    assert model.count_params() == 4 * (16 * (10 + 16) + 16) + 16 * 8 + 8
    with pytest.raises(ValueError, match="atención"):
        at.attention_model(model)


def test_masked_tokens_and_model():
    ids = np.arange(40).reshape(4, 10) % 7
    inputs, targets, weights = at.mask_tokens(ids, 0.2, mask_id=7, seed=0)
    assert np.array_equal(targets, ids)
    assert np.all(weights.sum(1) >= 1)
    assert np.all((inputs == 7) == (weights == 1))
    assert np.array_equal(inputs[weights == 0], ids[weights == 0])
    bidi = at.masked_token_model(7, 10, d_model=16, num_heads=2, ff_dim=32)
    causal = at.masked_token_model(7, 10, d_model=16, num_heads=2, ff_dim=32, causal=True)
    assert bidi.output_shape == (None, 10, 7) and bidi.count_params() == causal.count_params()
    # In the causal model the first position cannot depend on later tokens.
    a = np.array([[1, 2, 3, 4, 5, 6, 0, 1, 2, 3]])
    b = a.copy()
    b[0, 5:] = 7
    assert np.allclose(causal.predict(a, verbose=0)[0, :5], causal.predict(b, verbose=0)[0, :5], atol=1e-5)
    assert not np.allclose(bidi.predict(a, verbose=0)[0, :5], bidi.predict(b, verbose=0)[0, :5], atol=1e-5)


def test_frame_scaler_keeps_padding_zero():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=5.0, scale=2.0, size=(30, 12, 3))
    x[:, 9:] = 0.0
    mean, std = at.fit_frame_scaler(x)
    np.testing.assert_allclose(mean, x[:, :9].reshape(-1, 3).mean(0))
    z = at.apply_frame_scaler(x, mean, std)
    assert np.all(z[:, 9:] == 0)
    np.testing.assert_allclose(z[:, :9].reshape(-1, 3).std(0), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="relleno"):
        at.fit_frame_scaler(np.zeros((2, 3, 4)))


def test_plots_are_labelled():
    ax = at.plot_positional_encoding(at.positional_encoding(30, 8), title="PE", frame_ms=16)
    assert ax.get_title() == "PE" and "s" in ax.get_ylabel()
    ax = at.plot_attention(np.full((3, 3), 1 / 3), title="A", labels=["a", "b", "c"])
    assert ax.get_xlabel().startswith("Clave")
