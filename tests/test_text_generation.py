"""Tests of lesson 08's code: course_utils.data.text and what the lesson exports
(course_utils.models.text, written in notebooks/08_generacion_de_texto.ipynb)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils.data import text as td
from course_utils.models import text as tm

TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\n"
    "All:\nSpeak, speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n"
)


# -------------------------------------------------------------------- character level
def test_char_lookups_round_trip_and_reserve_unk():
    ids_from_chars, chars_from_ids = td.char_lookups(TEXT)
    n_chars = len(set(TEXT))
    assert ids_from_chars.vocabulary_size() == n_chars + 1
    assert chars_from_ids.get_vocabulary()[0] == td.UNK
    ids = td.text_to_ids(TEXT, ids_from_chars)
    assert ids.shape == (len(TEXT),) and ids.min() >= 1
    assert td.ids_to_text(ids, chars_from_ids) == TEXT
    assert td.text_to_ids("Z", ids_from_chars).tolist() == [0]  # unseen character -> [UNK]
    with pytest.raises(ValueError):
        td.char_lookups("")


def test_split_input_target_shifts_by_one():
    x, y = td.split_input_target(list("Tensorflow"))
    assert "".join(x) == "Tensorflo" and "".join(y) == "ensorflow"
    x, y = td.split_input_target(np.arange(5))
    assert x.tolist() == [0, 1, 2, 3] and y.tolist() == [1, 2, 3, 4]


def test_sequence_dataset_shapes_and_shift():
    ids = np.arange(1, 1001)
    ds = td.sequence_dataset(ids, seq_length=9, batch_size=4, seed=1)
    batches = list(ds)
    assert len(batches) == (1000 // 10) // 4 == 25
    x, y = batches[0]
    assert x.shape == (4, 9) and y.shape == (4, 9)
    np.testing.assert_array_equal(x.numpy()[:, 1:], y.numpy()[:, :-1])
    np.testing.assert_array_equal(y.numpy()[:, -1] - x.numpy()[:, -1], 1)
    # windows start at multiples of 10 (+1) and are shuffled
    starts = np.concatenate([b[0].numpy()[:, 0] for b in batches])
    assert set((starts - 1) % 10) == {0}
    assert not np.all(np.diff(starts) > 0)
    ordered = np.concatenate([b[0].numpy()[:, 0] for b in td.sequence_dataset(
        ids, 9, 4, shuffle=False)])
    assert np.all(np.diff(ordered) == 10)
    with pytest.raises(ValueError, match="secuencias"):
        td.sequence_dataset(np.arange(30), seq_length=9, batch_size=4)


def test_char_model_shapes_states_and_parameters():
    model = tm.CharModel(vocab_size=40, embedding_dim=8, rnn_units=16)
    ids = np.random.default_rng(0).integers(1, 40, size=(3, 12))
    logits = model(ids)
    assert tuple(logits.shape) == (3, 12, 40)
    # Embedding 40*8 + GRU 3*(16*(8+16) + 2*16) (reset_after) + Dense 16*40 + 40
    assert model.count_params() == 40 * 8 + 3 * (16 * (8 + 16) + 2 * 16) + 16 * 40 + 40
    assert model.count_params() == tm.char_model_params(40, 8, 16)
    assert tm.char_model_params(66, 256, 1024) == 4_022_850  # TensorFlow's tutorial model
    # Reading in two halves while carrying the state equals reading everything at once.
    first, states = model(ids[:, :7], return_state=True)
    second = model(ids[:, 7:], states=states)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), logits, atol=1e-5)


def test_softmax_with_temperature():
    logits = np.array([2.0, 1.0, 0.0])
    p1 = tm.softmax_with_temperature(logits, 1.0)
    np.testing.assert_allclose(p1, np.exp(logits) / np.exp(logits).sum())
    cold, hot = tm.softmax_with_temperature(logits, 0.5), tm.softmax_with_temperature(logits, 2.0)
    assert cold[0] > p1[0] > hot[0] and hot[2] > p1[2] > cold[2]
    np.testing.assert_allclose(tm.softmax_with_temperature(logits, 1e-3), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(tm.softmax_with_temperature([1000.0, 0.0], 1.0).sum(), 1.0)
    with pytest.raises(ValueError):
        tm.softmax_with_temperature(logits, 0.0)


def test_sample_next_follows_probabilities_and_bans():
    rng = np.random.default_rng(0)
    logits = np.log([0.7, 0.2, 0.1])
    draws = np.array([tm.sample_next(logits, 1.0, rng) for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000, [0.7, 0.2, 0.1], atol=0.03)
    assert {tm.sample_next(logits, 1.0, rng, banned=[0]) for _ in range(200)} <= {1, 2}


def test_generate_text_is_reproducible_and_avoids_unk():
    ids_from_chars, chars_from_ids = td.char_lookups(TEXT)
    model = tm.CharModel(ids_from_chars.vocabulary_size(), embedding_dim=8, rnn_units=16)
    a = tm.generate_text(model, ids_from_chars, chars_from_ids, "First", 40, seed=3)
    b = tm.generate_text(model, ids_from_chars, chars_from_ids, "First", 40, seed=3)
    c = tm.generate_text(model, ids_from_chars, chars_from_ids, "First", 40, seed=4)
    assert a == b != c
    assert a.startswith("First") and len(a) == 45
    assert set(a) <= set(TEXT) and td.UNK not in a


# ------------------------------------------------------------------------- word level
def test_naive_tokens_glue_and_correct_tokens_round_trip():
    sample = "KING RICHARD II:\nGood morrow, cousin! Is't not so?"
    naive = sample.split()  # the lesson's first hypothesis
    assert "II:" in naive and "morrow," in naive and "\n" not in naive
    tokens = td.word_tokens(sample)
    assert tokens == ["KING", "RICHARD", "II", ":", "\n", "Good", "morrow", ",", "cousin", "!",
                      "Is't", "not", "so", "?"]
    assert td.join_words(tokens) == sample
    assert td.join_words(td.word_tokens(TEXT)) == TEXT


def test_word_lookups_keep_most_frequent():
    tokens = ["b", "a", "a", "c", "c", "c", "d"]
    ids_from_words, words_from_ids = td.word_lookups(tokens, max_words=2)
    assert ids_from_words.get_vocabulary() == [td.UNK, "c", "a"]
    assert ids_from_words(np.array(["c", "a", "b"])).numpy().tolist() == [1, 2, 0]
    assert words_from_ids(np.array([2, 0])).numpy().tolist() == [b"a", td.UNK.encode()]


def test_word_lstm_and_generation():
    model = tm.build_word_lstm(50, embedding_dim=8, units=16)
    assert tuple(model(np.ones((2, 7), dtype="int64")).shape) == (2, 7, 50)
    lstm = 4 * (16 * (8 + 16) + 16), 4 * (16 * (16 + 16) + 16)
    assert model.count_params() == 50 * 8 + sum(lstm) + 16 * 50 + 50 == tm.word_lstm_params(50, 8, 16)
    tokens = td.word_tokens(TEXT)
    ids_from_words, words_from_ids = td.word_lookups(tokens, max_words=100)
    model = tm.build_word_lstm(ids_from_words.vocabulary_size(), embedding_dim=8, units=16)
    out = tm.generate_words(model, ids_from_words, words_from_ids, "First Citizen", 10,
                            context=5, seed=0)
    assert out.startswith("First Citizen")
    assert len(td.word_tokens(out)) == 12 and td.UNK not in out
    assert out == tm.generate_words(model, ids_from_words, words_from_ids, "First Citizen", 10,
                                    context=5, seed=0)


def test_perplexity_and_bits_per_char():
    assert tm.perplexity(math.log(4)) == pytest.approx(4.0)
    # A character model: bits per character is the loss in bits.
    assert tm.bits_per_char(1.5, 1000, 1000) == pytest.approx(1.5 / math.log(2))
    # 5 nats per word over 1,000 words of a 5,500-character text.
    assert tm.bits_per_char(5.0, 1000, 5500) == pytest.approx(5000 / 5500 / math.log(2))
    with pytest.raises(ValueError):
        tm.bits_per_char(1.0, 0, 10)
