"""Código de la lección 09_atencion_y_transformers.ipynb (celdas con la etiqueta export:attention).

Generado por `make notebooks` a partir de notebooks/09_atencion_y_transformers.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import numpy as np


def positional_encoding(length: int, depth: int, base: float = 10_000.0) -> np.ndarray:
    """Codificación posicional sinusoidal (length, depth):
    PE[p, 2i] = sin(p / base^(2i/depth)) y PE[p, 2i+1] = cos(p / base^(2i/depth))."""
    if length <= 0 or depth <= 0:
        raise ValueError(f"`length` y `depth` deben ser positivos; recibí {length} y {depth}.")
    positions = np.arange(length)[:, np.newaxis]
    i = np.arange(depth)[np.newaxis, :]
    angles = positions / np.power(base, (2 * (i // 2)) / depth)
    return np.where(i % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float32)


import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="course_utils")
class PositionalEncoding(layers.Layer):
    """Suma la codificación posicional sinusoidal a entradas (lote, T, d); conserva la máscara."""

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
    """Un bloque codificador del Transformer (normalización después, como el artículo original).

    x → autoatención multicabeza → dropout → + x → LayerNorm → red densa por frame
    (`ff_dim` ReLU y de vuelta a `d_model`) → dropout → + → LayerNorm.
    Los frames de relleno (la máscara de Keras) no miran ni son mirados; `causal=True` además
    oculta el futuro, como en un decodificador. Con `return_attention_scores=True` devuelve
    también los pesos (lote, cabezas, T, T).
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
        if mask is not None:  # el par (t, s) vale si los dos frames son reales
            mask = ops.cast(mask, "bool")
            pair_mask = ops.logical_and(mask[:, :, None], mask[:, None, :])
        attended, scores = self.attention(x, x, attention_mask=pair_mask, use_causal_mask=self.causal,
                                          return_attention_scores=True, training=training)
        x = self.norm_attention(x + self.drop_attention(attended, training=training))  # residual
        x = self.norm_ff(x + self.drop_ff(self.ff_out(self.ff_in(x)), training=training))
        return (x, scores) if return_attention_scores else x

    def compute_mask(self, x, mask=None, return_attention_scores=False):
        return (mask, None) if return_attention_scores else mask

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "ff_dim": self.ff_dim, "dropout": self.dropout, "causal": self.causal}


import keras
from keras import layers


def transformer_classifier(input_shape, n_classes: int, *, d_model: int = 64, num_heads: int = 4,
                           ff_dim: int = 128, num_layers: int = 2, dropout: float = 0.1,
                           name: str = "transformer") -> keras.Model:
    """Un codificador Transformer pequeño sobre secuencias (frames, coeficientes), sin compilar.

    Masking (los frames todo ceros son relleno) → Dense(d_model) → + codificación posicional →
    `num_layers` bloques codificadores (`bloque_1`, ...) → promedio de los frames reales → softmax.
    """
    inputs = keras.Input(shape=input_shape, name="mfcc")
    x = layers.Masking(mask_value=0.0, name="mascara_relleno")(inputs)
    x = layers.Dense(d_model, name="proyeccion")(x)
    x = PositionalEncoding(name="posicion")(x)
    x = layers.Dropout(dropout, name="dropout_entrada")(x)
    for i in range(1, num_layers + 1):
        x, _ = TransformerEncoderBlock(d_model, num_heads, ff_dim, dropout, name=f"bloque_{i}")(
            x, return_attention_scores=True)
    x = layers.GlobalAveragePooling1D(name="promedio_temporal")(x)  # respeta la máscara
    x = layers.Dropout(dropout, name="dropout_salida")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="clases")(x)
    return keras.Model(inputs, outputs, name=name)


def lstm_classifier(input_shape, n_classes: int, *, units=(64, 64), dropout: float = 0.1,
                    name: str = "lstm") -> keras.Model:
    """LSTM apiladas sobre (frames, coeficientes) con la misma máscara; el último estado → softmax."""
    inputs = keras.Input(shape=input_shape, name="mfcc")
    x = layers.Masking(mask_value=0.0, name="mascara_relleno")(inputs)
    for i, n in enumerate(units, start=1):
        x = layers.LSTM(n, return_sequences=i < len(units), name=f"lstm_{i}")(x)
    x = layers.Dropout(dropout, name="dropout_salida")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="clases")(x)
    return keras.Model(inputs, outputs, name=name)


def attention_model(model: keras.Model) -> keras.Model:
    """Un modelo con la misma entrada que devuelve los pesos de atención de cada bloque de
    `model` (una lista de tensores (lote, cabezas, T, T)), con los mismos pesos entrenados."""
    scores = [layer.output[1] for layer in model.layers
              if isinstance(layer, (TransformerEncoderBlock, layers.MultiHeadAttention))
              and isinstance(layer.output, (tuple, list))]
    if not scores:
        raise ValueError("El modelo no tiene capas de atención que devuelvan sus pesos "
                         "(return_attention_scores=True).")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, scores, name=f"{model.name}_atencion")


import keras
import numpy as np
from keras import layers


def mask_tokens(ids, rate: float, mask_id: int, vocab_size: int, seed: int = 0):
    """Corrupción de BERT para secuencias de ids (n, largo): elige una fracción `rate` de posiciones
    (al menos una por secuencia); de ellas, el 80 % pasa a `mask_id`, el 10 % a un id al azar
    (entre 0 y vocab_size − 1) y el 10 % queda igual.

    Devuelve (entradas corruptas, objetivos = los ids originales, pesos = 1.0 en las posiciones
    elegidas y 0.0 en las demás: solo ellas cuentan en la pérdida).
    """
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"Se esperaban secuencias (n, largo); la forma es {ids.shape}.")
    if not 0.0 < rate < 1.0:
        raise ValueError(f"`rate` es una fracción en (0, 1); recibí {rate}.")
    rng = np.random.default_rng(seed)
    chosen = rng.random(ids.shape) < rate
    chosen[np.arange(len(ids)), rng.integers(0, ids.shape[1], len(ids))] = True
    fate = rng.random(ids.shape)  # decide qué le pasa a cada posición elegida
    inputs = ids.copy()
    inputs[chosen & (fate < 0.8)] = mask_id
    swapped = chosen & (fate >= 0.8) & (fate < 0.9)
    inputs[swapped] = rng.integers(0, vocab_size, size=int(swapped.sum()))
    return inputs, ids.copy(), chosen.astype(np.float32)


def masked_token_model(vocab_size: int, length: int, *, d_model: int = 64, num_heads: int = 4,
                       ff_dim: int = 128, num_layers: int = 1, causal: bool = False,
                       dropout: float = 0.0, name: str | None = None) -> keras.Model:
    """Embedding (vocabulario + el id de [MASK], `vocab_size`) → codificación posicional →
    bloques codificadores → logits sobre el vocabulario en cada posición. Sin compilar.

    `causal=False` es el codificador bidireccional de BERT (cada posición ve los dos lados);
    `causal=True` solo ve el contexto de la izquierda, como un modelo de lenguaje.
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
