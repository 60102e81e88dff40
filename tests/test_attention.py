"""Lesson 09's exported code (course_utils.models.attention): positional encoding, the encoder
block and classifiers (masks, parameter counts, attention maps), BERT's 80/10/10 corruption and
the masked-token models. The NumPy attention itself is written and checked against Keras in
the lesson."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.models import attention as at


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


def test_masked_tokens_follow_bert_80_10_10():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, size=(400, 50))
    inputs, targets, weights = at.mask_tokens(ids, 0.15, mask_id=7, vocab_size=7, seed=0)
    assert np.array_equal(targets, ids)
    assert np.all(weights.sum(1) >= 1)
    chosen = weights == 1
    assert abs(chosen.mean() - (0.15 + 0.85 / 50)) < 0.01  # plus one forced position per row
    assert np.array_equal(inputs[~chosen], ids[~chosen])  # only the chosen positions change
    assert np.all(inputs[~chosen] != 7)
    masked = np.mean(inputs[chosen] == 7)
    kept = np.mean(inputs[chosen] == ids[chosen])
    assert abs(masked - 0.8) < 0.03
    # 10 % kept on purpose, plus the random swaps that land on the original id (1 in 7)
    assert abs(kept - (0.1 + 0.1 / 7)) < 0.03
    assert np.all(inputs[chosen] <= 7)
    with pytest.raises(ValueError):
        at.mask_tokens(ids, 1.5, mask_id=7, vocab_size=7)


def test_masked_token_models():
    bidi = at.masked_token_model(7, 10, d_model=16, num_heads=2, ff_dim=32)
    causal = at.masked_token_model(7, 10, d_model=16, num_heads=2, ff_dim=32, causal=True)
    assert bidi.output_shape == (None, 10, 7) and bidi.count_params() == causal.count_params()
    # In the causal model the first positions cannot depend on later tokens.
    a = np.array([[1, 2, 3, 4, 5, 6, 0, 1, 2, 3]])
    b = a.copy()
    b[0, 5:] = 7
    assert np.allclose(causal.predict(a, verbose=0)[0, :5], causal.predict(b, verbose=0)[0, :5], atol=1e-5)
    assert not np.allclose(bidi.predict(a, verbose=0)[0, :5], bidi.predict(b, verbose=0)[0, :5], atol=1e-5)


def test_lesson_parameter_counts():
    transformer = at.transformer_classifier((63, 40), 8)
    lstm = at.lstm_classifier((63, 40), 8)
    assert transformer.get_layer("bloque_1").attention.count_params() == 4 * 64 * 64 + 4 * 64 == 16_640
    assert transformer.count_params() == 70_088
    assert lstm.count_params() == 60_424
