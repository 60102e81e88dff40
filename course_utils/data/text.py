"""Tiny Shakespeare as model input (lesson 08): vocabularies, tokens and tf.data pipelines.

The data plumbing of lesson 08; the lesson itself writes the models, the sampling with
temperature and the text generation (``course_utils.models.text``, exported from its
``export:text`` cells).

- :func:`char_lookups` builds ``StringLookup`` layers from characters to ids and back;
  :func:`text_to_ids` and :func:`ids_to_text` use them;
- :func:`split_input_target` shifts a sequence by one (input ``x[:-1]``, target ``x[1:]``);
  :func:`sequence_dataset` cuts a long id sequence into shuffled batches of such pairs;
- :func:`word_tokens` / :func:`join_words` tokenize words, punctuation and line breaks and
  join them back; :func:`word_lookups` keeps the most frequent words.

Keras and TensorFlow are imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "UNK",
    "char_lookups",
    "text_to_ids",
    "ids_to_text",
    "split_input_target",
    "sequence_dataset",
    "word_tokens",
    "join_words",
    "word_lookups",
]

UNK = "[UNK]"
_WORD_RE = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*|\n|[^\sA-Za-z]")
_NO_SPACE_BEFORE = set(".,;:!?')-")


# -------------------------------------------------------------------- character level
def char_lookups(text: str) -> tuple[Any, Any]:
    """``(ids_from_chars, chars_from_ids)``: two ``keras.layers.StringLookup`` layers.

    The vocabulary is the sorted set of characters of ``text``; id 0 is reserved for
    unknown characters (``[UNK]``), so the model's output size is ``vocabulary_size()``,
    one more than the number of distinct characters.
    """
    if not text:
        raise ValueError("El texto está vacío: no hay caracteres para el vocabulario.")
    import keras

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


# ------------------------------------------------------------------------- word level
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
    import keras

    counts = Counter(tokens)
    vocabulary = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:max_words]
    ids_from_words = keras.layers.StringLookup(vocabulary=vocabulary, mask_token=None)
    words_from_ids = keras.layers.StringLookup(vocabulary=ids_from_words.get_vocabulary(),
                                               invert=True, mask_token=None)
    return ids_from_words, words_from_ids
