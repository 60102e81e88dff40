"""Attention from the formula, and small Transformer / LSTM classifiers for audio (lesson 09).

NumPy first, so every step can be read and checked:

- :func:`softmax`, :func:`scaled_dot_product_attention` (softmax(QKᵀ/√d_k)V with an
  optional boolean mask), :func:`causal_mask`, :func:`padding_mask`,
  :func:`self_attention` (matrix form) and :func:`multi_head_attention` with the weights
  of a Keras ``MultiHeadAttention`` layer (:class:`MHAWeights`), so both can be compared.
- :func:`positional_encoding` (sinusoidal, "Attention is all you need") and its plot.

Then Keras: :class:`PositionalEncoding`, :class:`TransformerEncoderBlock`,
:func:`transformer_classifier` (a small encoder over MFCC frames), :func:`lstm_classifier`
of a similar size, :func:`attention_model` (the attention weights of every encoder layer)
and helpers to standardise MFCC frames without touching the zero padding, so that
``Masking`` still recognises it.

Masks follow Keras: ``True`` (or 1) means "may attend", ``False`` means "ignore".
A query row whose keys are all masked gets all-zero weights, as in Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

__all__ = [
    "MHAWeights",
    "PositionalEncoding",
    "TransformerEncoderBlock",
    "apply_frame_scaler",
    "attention_model",
    "causal_mask",
    "fit_frame_scaler",
    "lstm_classifier",
    "mask_tokens",
    "masked_token_model",
    "multi_head_attention",
    "padding_mask",
    "plot_attention",
    "plot_positional_encoding",
    "positional_encoding",
    "scaled_dot_product_attention",
    "self_attention",
    "softmax",
    "transformer_classifier",
]

#: What masked scores become before the softmax (the same value Keras uses for float32).
MASKED_SCORE = -1e9


# -------------------------------------------------------------------------- NumPy
def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtract the maximum before exponentiating."""
    x = np.asarray(x, dtype=float)
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def scaled_dot_product_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                                 mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """softmax(Q Kᵀ / √d_k) V for (..., T, d_k) queries and (..., S, d_k) keys/(..., S, d_v) values.

    ``mask`` (broadcastable to (..., T, S)) is True where query t may look at key s.
    Returns (output (..., T, d_v), weights (..., T, S)); each weight row sums to 1
    (or to 0 if the whole row is masked).
    """
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"Q y K deben tener la misma dimensión d_k; tienen {q.shape[-1]} y {k.shape[-1]}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"K y V deben tener el mismo número de posiciones; tienen {k.shape[-2]} y {v.shape[-2]}.")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        weights = np.where(mask, softmax(np.where(mask, scores, MASKED_SCORE)), 0.0)
    else:
        weights = softmax(scores)
    return weights @ v, weights


def causal_mask(n: int) -> np.ndarray:
    """(n, n) boolean lower-triangular mask: position t sees positions 0..t (no future)."""
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    """(batch, n) boolean mask, True for the first ``lengths[b]`` (real) frames of each item."""
    lengths = np.asarray(lengths)
    if np.any(lengths < 0) or np.any(lengths > n):
        raise ValueError(f"Cada largo debe estar entre 0 y {n}; recibí {lengths.tolist()}.")
    return np.arange(n)[np.newaxis, :] < lengths[:, np.newaxis]


def self_attention(x: np.ndarray, w_q: np.ndarray, w_k: np.ndarray, w_v: np.ndarray,
                   mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Self-attention in matrix form: Q = X W_q, K = X W_k, V = X W_v, then attention."""
    x = np.asarray(x, dtype=float)
    return scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, mask)


@dataclass(frozen=True)
class MHAWeights:
    """Weights of a multi-head attention layer, in the layout of ``keras.layers.MultiHeadAttention``.

    ``wq``, ``wk``, ``wv``: (d_model, heads, key_dim); ``bq``, ``bk``, ``bv``: (heads, key_dim);
    ``wo``: (heads, key_dim, d_out); ``bo``: (d_out,).
    """

    wq: np.ndarray
    bq: np.ndarray
    wk: np.ndarray
    bk: np.ndarray
    wv: np.ndarray
    bv: np.ndarray
    wo: np.ndarray
    bo: np.ndarray

    @property
    def num_heads(self) -> int:
        return self.wq.shape[1]

    @classmethod
    def from_keras(cls, layer) -> MHAWeights:
        """Read the weights of a built Keras ``MultiHeadAttention`` layer (with biases)."""
        weights = [np.asarray(w) for w in layer.get_weights()]
        if len(weights) != 8:
            raise ValueError("Se esperaban 8 tensores de pesos (capa construida y con sesgos, "
                             f"use_bias=True); la capa tiene {len(weights)}.")
        return cls(*weights)

    @classmethod
    def random(cls, d_model: int, num_heads: int, key_dim: int, seed: int = 0) -> MHAWeights:
        """Random weights (normal, scale 1/√d_model), handy to try the computation."""
        rng = np.random.default_rng(seed)
        s = 1 / np.sqrt(d_model)

        def proj():
            return rng.normal(scale=s, size=(d_model, num_heads, key_dim))

        def bias():
            return rng.normal(scale=0.1, size=(num_heads, key_dim))

        return cls(proj(), bias(), proj(), bias(), proj(), bias(),
                   rng.normal(scale=s, size=(num_heads, key_dim, d_model)),
                   rng.normal(scale=0.1, size=d_model))

    def to_keras(self, layer) -> None:
        """Copy these weights into a built Keras ``MultiHeadAttention`` layer."""
        layer.set_weights([self.wq, self.bq, self.wk, self.bk, self.wv, self.bv, self.wo, self.bo])


def multi_head_attention(query: np.ndarray, value: np.ndarray, weights: MHAWeights,
                         key: np.ndarray | None = None, mask: np.ndarray | None = None
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head attention as Keras computes it, for (batch, T, d) query and (batch, S, d) value.

    Each head h projects Q_h = query W_q[:, h] + b_q[h] (and K_h, V_h alike), runs
    scaled dot-product attention, and the heads are mixed back to d_out by W_o.
    ``mask`` is (batch, T, S) or broadcastable. Returns (output (batch, T, d_out),
    weights (batch, heads, T, S)).
    """
    key = value if key is None else key
    query, key, value = (np.asarray(a, dtype=float) for a in (query, key, value))
    w = weights
    # (batch, T, d) x (d, heads, k) -> (batch, heads, T, k)
    q = np.einsum("btd,dhk->bhtk", query, w.wq) + w.bq[None, :, None, :]
    k = np.einsum("bsd,dhk->bhsk", key, w.wk) + w.bk[None, :, None, :]
    v = np.einsum("bsd,dhk->bhsk", value, w.wv) + w.bv[None, :, None, :]
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        mask = mask[:, np.newaxis] if mask.ndim == 3 else mask  # add the heads axis
    heads, att = scaled_dot_product_attention(q, k, v, mask)
    out = np.einsum("bhtk,hko->bto", heads, w.wo) + w.bo
    return out, att


def positional_encoding(length: int, depth: int, base: float = 10_000.0) -> np.ndarray:
    """Sinusoidal positional encoding (length, depth): PE[p, 2i] = sin(p / base^(2i/depth)),
    PE[p, 2i+1] = cos(p / base^(2i/depth))."""
    if length <= 0 or depth <= 0:
        raise ValueError(f"`length` y `depth` deben ser positivos; recibí {length} y {depth}.")
    positions = np.arange(length)[:, np.newaxis]
    i = np.arange(depth)[np.newaxis, :]
    angles = positions / np.power(base, (2 * (i // 2)) / depth)
    return np.where(i % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float32)


# ------------------------------------------------------------------------- figures
def plot_positional_encoding(pe: np.ndarray, *, title: str, frame_ms: float | None = None, ax=None):
    """Heat map of a positional encoding (positions x dimensions)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2))
    extent = None
    ylabel = "Posición (frame)"
    if frame_ms is not None:
        extent = [-0.5, pe.shape[1] - 0.5, pe.shape[0] * frame_ms / 1000, 0]
        ylabel = "Tiempo del frame (s)"
    image = ax.imshow(pe, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, extent=extent,
                      interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="valor")
    ax.set_xlabel("Dimensión del embedding")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(False)
    return ax


def plot_attention(weights: np.ndarray, *, title: str, labels: Sequence[str] | None = None,
                   seconds_per_frame: float | None = None, ax=None):
    """Heat map of one attention matrix (queries x keys); time axes in seconds if given."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    if weights.ndim != 2:
        raise ValueError(f"Se esperaba una matriz (consultas, claves); la forma es {weights.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.6))
    extent = None
    unit = "posición"
    if seconds_per_frame is not None:
        t, s = weights.shape
        extent = [0, s * seconds_per_frame, t * seconds_per_frame, 0]
        unit = "tiempo (s)"
    image = ax.imshow(weights, cmap="viridis", aspect="auto", extent=extent, vmin=0,
                      interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="peso de atención")
    if labels is not None and seconds_per_frame is None:
        ax.set_xticks(range(len(labels)), labels, rotation=90)
        ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(f"Clave: {unit} que se mira")
    ax.set_ylabel(f"Consulta: {unit} que mira")
    ax.set_title(title)
    ax.grid(False)
    return ax


# --------------------------------------------------------------------------- Keras
@keras.saving.register_keras_serializable(package="course_utils")
class PositionalEncoding(layers.Layer):
    """Adds the sinusoidal positional encoding to (batch, T, d) inputs; keeps the Keras mask."""

    def __init__(self, base: float = 10_000.0, **kwargs):
        super().__init__(**kwargs)
        self.base = base
        self.supports_masking = True

    def build(self, input_shape):
        length, depth = int(input_shape[-2]), int(input_shape[-1])
        self.encoding = ops.convert_to_tensor(positional_encoding(length, depth, self.base))

    def call(self, inputs):
        return inputs + ops.cast(self.encoding, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "base": self.base}


@keras.saving.register_keras_serializable(package="course_utils")
class TransformerEncoderBlock(layers.Layer):
    """One Transformer encoder layer (post-norm, as in the original paper).

    x -> multi-head self-attention -> dropout -> add x -> LayerNorm -> feed-forward
    (``ff_dim`` ReLU units, then back to ``d_model``) -> dropout -> add -> LayerNorm.
    Padding frames (the Keras mask) are neither attended to nor attending; ``causal=True``
    also hides the future (position t sees 0..t), as in a decoder. Call with ``return_attention_scores=True`` to also get the (batch, heads, T, T) weights.
    """

    def __init__(self, d_model: int, num_heads: int, ff_dim: int, dropout: float = 0.1,
                 causal: bool = False, **kwargs):
        super().__init__(**kwargs)
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) debe ser múltiplo de num_heads ({num_heads}).")
        self.d_model, self.num_heads, self.ff_dim, self.dropout = d_model, num_heads, ff_dim, dropout
        self.causal = causal
        self.supports_masking = True
        self.attention = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                                   name="atencion")
        self.ff_in = layers.Dense(ff_dim, activation="relu", name="ff_entrada")
        self.ff_out = layers.Dense(d_model, name="ff_salida")
        self.norm_attention = layers.LayerNormalization(name="norma_atencion")
        self.norm_ff = layers.LayerNormalization(name="norma_ff")
        self.drop_attention = layers.Dropout(dropout)
        self.drop_ff = layers.Dropout(dropout)

    def call(self, x, mask=None, training=None, return_attention_scores=False):
        pair_mask = None
        if mask is not None:
            mask = ops.cast(mask, "bool")
            pair_mask = ops.logical_and(mask[:, :, None], mask[:, None, :])
        attended, scores = self.attention(x, x, attention_mask=pair_mask, use_causal_mask=self.causal,
                                          return_attention_scores=True, training=training)
        x = self.norm_attention(x + self.drop_attention(attended, training=training))
        x = self.norm_ff(x + self.drop_ff(self.ff_out(self.ff_in(x)), training=training))
        return (x, scores) if return_attention_scores else x

    def compute_mask(self, x, mask=None, return_attention_scores=False):
        return (mask, None) if return_attention_scores else mask

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "ff_dim": self.ff_dim, "dropout": self.dropout, "causal": self.causal}


def transformer_classifier(input_shape: tuple[int, int], n_classes: int, *, d_model: int = 64,
                           num_heads: int = 4, ff_dim: int = 128, num_layers: int = 2,
                           dropout: float = 0.1, name: str = "transformer") -> keras.Model:
    """A small Transformer encoder over (frames, features) sequences, e.g. MFCC frames.

    Masking (all-zero frames are padding) -> Dense(d_model) -> + positional encoding ->
    ``num_layers`` x :class:`TransformerEncoderBlock` (named ``bloque_1``...) -> average
    over the real frames -> softmax. See :func:`attention_model` for the attention
    weights. Not compiled.
    """
    inputs = keras.Input(shape=input_shape, name="mfcc")
    x = layers.Masking(mask_value=0.0, name="mascara_relleno")(inputs)
    x = layers.Dense(d_model, name="proyeccion")(x)
    x = PositionalEncoding(name="posicion")(x)
    x = layers.Dropout(dropout, name="dropout_entrada")(x)
    for i in range(1, num_layers + 1):
        x, _ = TransformerEncoderBlock(d_model, num_heads, ff_dim, dropout, name=f"bloque_{i}")(
            x, return_attention_scores=True)
    x = layers.GlobalAveragePooling1D(name="promedio_temporal")(x)
    x = layers.Dropout(dropout, name="dropout_salida")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="clases")(x)
    return keras.Model(inputs, outputs, name=name)


def mask_tokens(ids: np.ndarray, rate: float, mask_id: int, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BERT-style corruption of (n, length) token ids: hide a fraction ``rate`` of them.

    Returns (inputs with ``mask_id`` at the hidden positions, targets = the original ids,
    weights = 1.0 at hidden positions and 0.0 elsewhere, so only they count in the loss).
    At least one position per sequence is hidden. (BERT also swaps 10 % of the chosen
    tokens for random ones and keeps 10 % unchanged; this demo only masks.)
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"Se esperaban secuencias (n, largo); la forma es {ids.shape}.")
    if not 0.0 < rate < 1.0:
        raise ValueError(f"`rate` es una fracción en (0, 1); recibí {rate}.")
    rng = np.random.default_rng(seed)
    hidden = rng.random(ids.shape) < rate
    hidden[np.arange(len(ids)), rng.integers(0, ids.shape[1], len(ids))] = True
    inputs = np.where(hidden, mask_id, ids)
    return inputs, ids.copy(), hidden.astype(np.float32)


def masked_token_model(vocab_size: int, length: int, *, d_model: int = 64, num_heads: int = 4,
                       ff_dim: int = 128, num_layers: int = 1, causal: bool = False,
                       dropout: float = 0.0, name: str | None = None) -> keras.Model:
    """Embedding (vocabulary + the [MASK] id ``vocab_size``) -> positional encoding ->
    encoder blocks -> logits over the vocabulary at every position.

    ``causal=False`` is BERT's bidirectional encoder (each position sees both sides);
    ``causal=True`` only lets it see the left context, like a language model. Not compiled.
    """
    inputs = keras.Input(shape=(length,), dtype="int32", name="tokens")
    x = layers.Embedding(vocab_size + 1, d_model, name="embedding")(inputs)
    x = PositionalEncoding(name="posicion")(x)
    for i in range(1, num_layers + 1):
        x = TransformerEncoderBlock(d_model, num_heads, ff_dim, dropout, causal=causal,
                                    name=f"bloque_{i}")(x)
    outputs = layers.Dense(vocab_size, name="logits")(x)
    default = "causal" if causal else "bidireccional"
    return keras.Model(inputs, outputs, name=name or default)


def lstm_classifier(input_shape: tuple[int, int], n_classes: int, *, units: Sequence[int] = (64, 64),
                    dropout: float = 0.1, name: str = "lstm") -> keras.Model:
    """Stacked LSTMs over (frames, features) with the same padding mask; last state -> softmax."""
    inputs = keras.Input(shape=input_shape, name="mfcc")
    x = layers.Masking(mask_value=0.0, name="mascara_relleno")(inputs)
    for i, n in enumerate(units, start=1):
        x = layers.LSTM(n, return_sequences=i < len(units), name=f"lstm_{i}")(x)
    x = layers.Dropout(dropout, name="dropout_salida")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="clases")(x)
    return keras.Model(inputs, outputs, name=name)


def attention_model(model: keras.Model) -> keras.Model:
    """A model with the same input that returns the attention weights of every encoder
    block (or ``MultiHeadAttention`` layer called with ``return_attention_scores=True``)
    of ``model``: a list of (batch, heads, T, T) tensors, sharing the trained weights."""
    scores = [layer.output[1] for layer in model.layers
              if isinstance(layer, (TransformerEncoderBlock, layers.MultiHeadAttention))
              and isinstance(layer.output, (tuple, list))]
    if not scores:
        raise ValueError("El modelo no tiene capas de atención que devuelvan sus pesos "
                         "(return_attention_scores=True).")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, scores, name=f"{model.name}_atencion")


# --------------------------------------------------------------- frame standardising
def _real_frames(x: np.ndarray) -> np.ndarray:
    """(..., T) boolean: frames that are not all-zero padding."""
    return np.any(np.asarray(x) != 0, axis=-1)


def fit_frame_scaler(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of every feature over the real (non-padding) frames
    of a (clips, frames, features) training array."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"Se esperaba (clips, frames, características); la forma es {x.shape}.")
    frames = x[_real_frames(x)]
    if frames.size == 0:
        raise ValueError("Todos los frames son relleno (ceros): no hay nada que estandarizar.")
    return frames.mean(axis=0), frames.std(axis=0) + 1e-8


def apply_frame_scaler(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std on the real frames; padding frames stay exactly zero (for Masking)."""
    x = np.asarray(x, dtype=float)
    real = _real_frames(x)[..., np.newaxis]
    return np.where(real, (x - mean) / std, 0.0).astype(np.float32)
