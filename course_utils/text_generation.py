"""Text generation with recurrent networks (lesson 08): vocabularies, datasets, models, sampling.

Character level:

- :func:`char_lookups` builds ``StringLookup`` layers from characters to ids and back;
  :func:`text_to_ids` and :func:`ids_to_text` use them;
- :func:`split_input_target` shifts a sequence by one (input ``x[:-1]``, target ``x[1:]``);
  :func:`sequence_dataset` cuts a long id sequence into shuffled batches of such pairs;
- :class:`CharModel` is a ``keras.Model`` subclass Embedding -> GRU -> Dense (logits) that can
  carry its recurrent state between calls; :func:`generate_text` samples from it one
  character at a time with a temperature.

Word level:

- :func:`naive_word_tokens` / :func:`glued_join` reproduce the coursework's mistake (split on
  spaces, then join the generated words with the character model's decoder, which adds no
  separator); :func:`word_tokens` / :func:`join_words` tokenize and detokenize correctly;
- :func:`word_lookups` keeps the most frequent words; :func:`build_word_lstm` is the
  Embedding -> LSTM -> LSTM -> Dense (logits) word model; :func:`generate_words` samples it.

Comparing the two: :func:`perplexity` and :func:`bits_per_char`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

__all__ = [
    "UNK",
    "char_lookups",
    "text_to_ids",
    "ids_to_text",
    "split_input_target",
    "sequence_dataset",
    "CharModel",
    "softmax_with_temperature",
    "sample_next",
    "generate_text",
    "naive_word_tokens",
    "glued_join",
    "word_tokens",
    "join_words",
    "word_lookups",
    "build_word_lstm",
    "generate_words",
    "perplexity",
    "bits_per_char",
]

UNK = "[UNK]"


# -------------------------------------------------------------------- character level
def char_lookups(text: str) -> tuple[Any, Any]:
    """``(ids_from_chars, chars_from_ids)``: two ``keras.layers.StringLookup`` layers.

    The vocabulary is the sorted set of characters of ``text``; id 0 is reserved for
    unknown characters (``[UNK]``), so the model's output size is ``vocabulary_size()``,
    one more than the number of distinct characters.
    """
    if not text:
        raise ValueError("El texto está vacío: no hay caracteres para el vocabulario.")
    vocabulary = sorted(set(text))
    ids_from_chars = keras.layers.StringLookup(vocabulary=vocabulary, mask_token=None)
    chars_from_ids = keras.layers.StringLookup(vocabulary=ids_from_chars.get_vocabulary(),
                                               invert=True, mask_token=None)
    return ids_from_chars, chars_from_ids


def text_to_ids(text: str, ids_from_chars: Any) -> np.ndarray:
    """Ids (int64) of every character of ``text``."""
    import tensorflow as tf

    return ids_from_chars(tf.strings.unicode_split(text, "UTF-8")).numpy()


def ids_to_text(ids: Sequence[int] | np.ndarray, chars_from_ids: Any) -> str:
    """Inverse of :func:`text_to_ids` (characters joined with no separator)."""
    import tensorflow as tf

    chars = chars_from_ids(tf.constant(np.asarray(ids, dtype=np.int64)))
    return tf.strings.reduce_join(chars, axis=-1).numpy().decode("utf-8")


def split_input_target(sequence: Any) -> tuple[Any, Any]:
    """``(sequence[:-1], sequence[1:])``: at every position the target is the next item."""
    return sequence[:-1], sequence[1:]


def sequence_dataset(ids: Sequence[int] | np.ndarray, seq_length: int, batch_size: int, *,
                     shuffle: bool = True, buffer_size: int = 10_000, seed: int = 0,
                     drop_remainder: bool = True):
    """``tf.data`` pipeline of (input, target) batches of shape (batch, seq_length).

    The id sequence is cut into consecutive windows of ``seq_length + 1`` items (the tail
    that does not fill one is dropped), each window is split by :func:`split_input_target`,
    windows are shuffled (with ``seed``) when ``shuffle`` and grouped in batches.
    """
    import tensorflow as tf

    ids = np.asarray(ids, dtype=np.int64)
    if seq_length <= 0 or batch_size <= 0:
        raise ValueError("`seq_length` y `batch_size` deben ser enteros positivos.")
    n_windows = len(ids) // (seq_length + 1)
    if n_windows == 0 or (drop_remainder and n_windows < batch_size):
        raise ValueError(
            f"Con {len(ids)} ids y seq_length={seq_length} hay {n_windows} secuencias, "
            f"pocas para lotes de {batch_size}: usa más texto, secuencias más cortas o lotes "
            "más chicos."
        )
    ds = tf.data.Dataset.from_tensor_slices(ids).batch(seq_length + 1, drop_remainder=True)
    ds = ds.map(split_input_target, num_parallel_calls=tf.data.AUTOTUNE)
    if shuffle:
        ds = ds.shuffle(min(buffer_size, n_windows), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


class CharModel(keras.Model):
    """Embedding -> GRU -> Dense: logits of the next character at every position.

    ``model(ids)`` returns logits (batch, time, vocab_size). With ``return_state=True`` it
    also returns the GRU state, which ``states=`` feeds back in, so generation can go one
    character at a time without re-reading the whole text.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 256, rnn_units: int = 1024,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.embedding_dim = int(embedding_dim)
        self.rnn_units = int(rnn_units)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = keras.layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state: bool = False, training: bool = False):
        x = self.embedding(inputs, training=training)
        if states is None:
            x, states = self.gru(x, training=training)
        else:
            x, states = self.gru(x, initial_state=states, training=training)
        logits = self.dense(x, training=training)
        return (logits, states) if return_state else logits

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embedding_dim": self.embedding_dim, "rnn_units": self.rnn_units}


def softmax_with_temperature(logits: Sequence[float] | np.ndarray, temperature: float
                             ) -> np.ndarray:
    """``softmax(logits / temperature)`` along the last axis (numerically stable).

    Temperature below 1 sharpens the distribution (the likeliest choice wins more often),
    above 1 flattens it (rare choices get more probability).
    """
    if not temperature > 0:
        raise ValueError(f"La temperatura debe ser positiva; recibí {temperature}.")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - np.max(z, axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample_next(logits: Sequence[float] | np.ndarray, temperature: float,
                rng: np.random.Generator, banned: Sequence[int] = ()) -> int:
    """Draw one id from ``softmax(logits / temperature)``; ``banned`` ids never come out."""
    logits = np.array(logits, dtype=np.float64)
    if logits.ndim != 1:
        raise ValueError(f"Se esperaba un vector de logits; la forma es {logits.shape}.")
    logits[list(banned)] = -np.inf
    return int(rng.choice(logits.size, p=softmax_with_temperature(logits, temperature)))


def generate_text(model: CharModel, ids_from_chars: Any, chars_from_ids: Any, prompt: str,
                  n_chars: int, *, temperature: float = 1.0, seed: int = 0) -> str:
    """``prompt`` followed by ``n_chars`` characters sampled one at a time.

    The prompt is read once; then every step feeds only the last character and the GRU
    state. ``[UNK]`` is never generated. Same seed, same text.
    """
    import tensorflow as tf

    if not prompt:
        raise ValueError("El texto inicial (prompt) no puede estar vacío.")
    rng = np.random.default_rng(seed)
    banned = [int(ids_from_chars(tf.constant(UNK)).numpy())]

    @tf.function(reduce_retracing=True)
    def step(ids, states):
        logits, states = model(ids, states=states, return_state=True)
        return logits[:, -1, :], states

    ids = tf.constant(text_to_ids(prompt, ids_from_chars)[np.newaxis, :])
    logits, states = model(ids, return_state=True)
    logits = logits[:, -1, :]
    generated = []
    for _ in range(int(n_chars)):
        next_id = sample_next(logits.numpy()[0], temperature, rng, banned)
        generated.append(next_id)
        logits, states = step(tf.constant([[next_id]], dtype=tf.int64), states)
    return prompt + ids_to_text(generated, chars_from_ids)


# ------------------------------------------------------------------------- word level
_WORD_RE = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*|\n|[^\sA-Za-z]")
_NO_SPACE_BEFORE = set(".,;:!?')-")


def naive_word_tokens(text: str) -> list[str]:
    """``text.split()``: punctuation stays stuck to words and line breaks are lost."""
    return text.split()


def glued_join(tokens: Sequence[str]) -> str:
    """Join tokens with no separator: what the character model's decoder does to words."""
    return "".join(tokens)


def word_tokens(text: str) -> list[str]:
    """Words (with inner apostrophes or hyphens), punctuation marks and ``"\\n"`` as tokens.

    >>> word_tokens("KING RICHARD II:\\nGood morrow, cousin!")
    ['KING', 'RICHARD', 'II', ':', '\\n', 'Good', 'morrow', ',', 'cousin', '!']
    """
    return _WORD_RE.findall(text)


def join_words(tokens: Sequence[str]) -> str:
    """Inverse of :func:`word_tokens` up to spacing: a space between words, none before
    punctuation or around line breaks."""
    out: list[str] = []
    for token in tokens:
        if out and out[-1] != "\n" and token != "\n" and token[0] not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(token)
    return "".join(out)


def word_lookups(tokens: Sequence[str], max_words: int) -> tuple[Any, Any]:
    """``(ids_from_words, words_from_ids)`` keeping the ``max_words`` most frequent tokens.

    Every other token maps to ``[UNK]`` (id 0); ties in frequency are broken alphabetically
    so the vocabulary does not depend on the order of the text.
    """
    if max_words <= 0:
        raise ValueError("`max_words` debe ser positivo.")
    counts = Counter(tokens)
    vocabulary = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:max_words]
    ids_from_words = keras.layers.StringLookup(vocabulary=vocabulary, mask_token=None)
    words_from_ids = keras.layers.StringLookup(vocabulary=ids_from_words.get_vocabulary(),
                                               invert=True, mask_token=None)
    return ids_from_words, words_from_ids


def build_word_lstm(vocab_size: int, *, embedding_dim: int = 128, units: int = 256,
                    n_layers: int = 2, dropout: float = 0.2, name: str = "word_lstm"):
    """Embedding -> ``n_layers`` x LSTM (whole sequences) -> Dense logits over the words."""
    from keras import layers

    stack: list[Any] = [keras.Input(shape=(None,), dtype="int64"),
                        layers.Embedding(vocab_size, embedding_dim)]
    for _ in range(n_layers):
        stack.append(layers.LSTM(units, return_sequences=True, dropout=dropout))
    stack.append(layers.Dense(vocab_size, name="logits"))
    return keras.Sequential(stack, name=name)


def generate_words(model: Any, ids_from_words: Any, words_from_ids: Any, prompt: str,
                   n_words: int, *, context: int, temperature: float = 1.0, seed: int = 0
                   ) -> str:
    """``prompt`` followed by ``n_words`` sampled tokens, detokenized with :func:`join_words`.

    A stateless model re-reads the last ``context`` tokens at every step. ``[UNK]`` is
    never generated.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    tokens = word_tokens(prompt)
    if not tokens:
        raise ValueError("El texto inicial (prompt) no tiene palabras.")
    ids = list(ids_from_words(tf.constant(tokens)).numpy())
    banned = [int(ids_from_words(tf.constant(UNK)).numpy())]

    @tf.function(reduce_retracing=True)
    def last_logits(window):
        return model(window)[:, -1, :]

    for _ in range(int(n_words)):
        window = tf.constant([ids[-context:]], dtype=tf.int64)
        ids.append(sample_next(last_logits(window).numpy()[0], temperature, rng, banned))
    words = [w.decode("utf-8") for w in words_from_ids(tf.constant(ids, dtype=tf.int64)).numpy()]
    return join_words(words)


# ----------------------------------------------------------------------- comparisons
def perplexity(loss_nats: float) -> float:
    """``exp(loss)``: the number of equally likely choices the model is as unsure as."""
    return float(math.exp(loss_nats))


def bits_per_char(loss_nats_per_token: float, n_tokens: int, n_chars: int) -> float:
    """Cross-entropy of a text in bits per character, whatever the model's unit.

    A model with mean loss ``L`` nats per token spends ``L * n_tokens / ln 2`` bits on a
    text of ``n_tokens`` tokens; dividing by the ``n_chars`` characters of that same text
    puts character and word models on one scale (for a character model it is ``L / ln 2``).
    """
    if n_tokens <= 0 or n_chars <= 0:
        raise ValueError("`n_tokens` y `n_chars` deben ser positivos.")
    return float(loss_nats_per_token * n_tokens / (n_chars * math.log(2)))
