"""Keyword-spotting models of lessons 06 and 12 (transitional: the lessons write them now).

The data part moved to :mod:`course_utils.keyword_data`; its names are re-exported here so
old imports keep working until the lessons import ``course_utils.models.keywords``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from course_utils.keyword_data import (  # noqa: F401  (re-exported)
    WORDS,
    AudioFormat,
    batches,
    clip_dataset,
    encode_words,
    fix_length,
    load_clip,
    log_mel,
    lowpass_filter,
    resample,
    source_rate,
    speaker_split,
    with_log_mel,
)

if TYPE_CHECKING:  # pragma: no cover
    import keras

#: (filters, kernel size) of the six Conv1d blocks of the report.
SEED_BLOCKS: tuple[tuple[int, int], ...] = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (256, 4))

Padding = Literal["valid", "same"]
Norm = Literal["batch", "layer"] | None


# ---------------------------------------------------------------------------------- models
def conv_lengths(n_samples: int, blocks: Sequence[tuple[int, int]] = SEED_BLOCKS, *,
                 pool_size: int = 4, padding: Padding = "valid") -> list[int]:
    """Length after every Conv1D + MaxPool block: ``(N - F + 2P) / S + 1``, then ``// pool``.

    A length that reaches 0 means the network cannot take inputs that short.
    """
    lengths, n = [], int(n_samples)
    for _, kernel in blocks:
        n = n - kernel + 1 if padding == "valid" else n
        n = max(n, 0) // pool_size
        lengths.append(n)
    return lengths


def _conv1d_stack(x, blocks, *, padding: Padding, pool_size: int, norm: Norm, activation: str):
    from keras import layers

    for i, (filters, kernel) in enumerate(blocks, start=1):
        x = layers.Conv1D(filters, kernel, padding=padding, use_bias=norm is None,
                          name=f"conv{i}")(x)
        if norm is not None:
            x = _norm_layer(norm, f"norm{i}")(x)
        x = layers.Activation(activation, name=f"act{i}")(x)
        x = layers.MaxPooling1D(pool_size, name=f"pool{i}")(x)
    return x


def _norm_layer(norm: Norm, name: str):
    """BatchNorm with PyTorch's defaults (the report's framework): its ``momentum=0.1`` is
    Keras' ``momentum=0.9``; the running statistics settle in tens of steps, not hundreds."""
    from keras import layers

    if norm == "batch":
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    if norm == "layer":
        return layers.LayerNormalization(name=name)
    raise ValueError(f"norm debe ser 'batch', 'layer' o None; recibí {norm!r}.")


def seed_waveform_cnn(n_samples: int = 32_000, n_classes: int = 248) -> keras.Model:
    """The report's network, layer by layer, in Keras (no softmax: it ends in ``Linear``).

    Valid convolutions, six ``MaxPool(4)`` and ``Flatten -> Linear(1536, 248)``: the 1536
    = 256 x 6 only comes out for inputs of 28,767 to 32,862 samples (e.g. 2 s at 16 kHz).
    """
    import keras
    from keras import layers

    lengths = conv_lengths(n_samples)
    if lengths[-1] == 0:
        first_zero = lengths.index(0) + 1
        raise ValueError(
            f"Con {n_samples} muestras, el bloque {first_zero} de la red del reporte deja una "
            f"longitud de 0 (longitudes {lengths}): la entrada es demasiado corta. "
            "Usa padding='same' (build_waveform_cnn) o una entrada más larga.")
    inputs = keras.Input((n_samples, 1), name="waveform")
    x = _conv1d_stack(inputs, SEED_BLOCKS, padding="valid", pool_size=4, norm="batch",
                      activation="relu")
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(n_classes, name="linear")(x)
    return keras.Model(inputs, outputs, name="seed_cnn1d")


def build_waveform_cnn(n_classes: int = len(WORDS), *, n_samples: int = 8000,
                       blocks: Sequence[tuple[int, int]] = SEED_BLOCKS, width: float = 1.0,
                       padding: Padding = "same", pool_size: int = 4, norm: Norm = "batch",
                       activation: str = "relu", dropout: float = 0.2) -> keras.Model:
    """The report's six blocks adapted to 1 s at 8 kHz: 'same' padding keeps every length
    a multiple of the pooling (8000 -> 2000 -> 500 -> 125 -> 31 -> 7 -> 1 x 256).

    ``width`` multiplies every number of filters (small networks for quick runs).
    Ends in dropout and a softmax over ``n_classes``.
    """
    import keras
    from keras import layers

    blocks = [(max(1, round(f * width)), k) for f, k in blocks]
    lengths = conv_lengths(n_samples, blocks, pool_size=pool_size, padding=padding)
    if lengths[-1] == 0:
        raise ValueError(f"Con {n_samples} muestras la longitud llega a 0 (longitudes {lengths}); "
                         "usa menos bloques, un pooling menor o una entrada más larga.")
    inputs = keras.Input((n_samples, 1), name="waveform")
    x = _conv1d_stack(inputs, blocks, padding=padding, pool_size=pool_size, norm=norm,
                      activation=activation)
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name="cnn1d_waveform")


def build_spectrogram_cnn(n_classes: int = len(WORDS), *,
                          input_shape: tuple[int, int, int] = AudioFormat().log_mel_shape,
                          widths: Sequence[int] = (32, 64, 128, 128), convs_per_block: int = 1,
                          norm: Norm = "batch", activation: str = "relu", residual: bool = False,
                          dropout: float = 0.3, top_db: float = 80.0) -> keras.Model:
    """A 2D CNN on log-mel spectrograms in dB: blocks of 3x3 convolutions, then 2x2 pooling.

    - Input in dB (0 at the peak, ``-top_db`` floor) rescaled to [0, 1].
    - A block is ``convs_per_block`` x (Conv2D 3x3 + optional normalization + activation);
      with ``residual=True`` the block's input is added before its last activation
      (through a 1x1 convolution when the number of channels changes).
    - Global average pooling, dropout and a softmax over ``n_classes``.
    """
    import keras
    from keras import layers

    if convs_per_block < 1:
        raise ValueError(f"convs_per_block debe ser al menos 1; recibí {convs_per_block}.")
    inputs = keras.Input(input_shape, name="log_mel")
    x = layers.Rescaling(1.0 / top_db, offset=1.0, name="db_to_unit")(inputs)
    for b, filters in enumerate(widths, start=1):
        shortcut = x
        for c in range(1, convs_per_block + 1):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=norm is None,
                              name=f"b{b}_conv{c}")(x)
            if norm is not None:
                x = _norm_layer(norm, f"b{b}_norm{c}")(x)
            if c < convs_per_block or not residual:
                x = layers.Activation(activation, name=f"b{b}_act{c}")(x)
        if residual:
            if shortcut.shape[-1] != filters:
                shortcut = layers.Conv2D(filters, 1, name=f"b{b}_proj")(shortcut)
            x = layers.Add(name=f"b{b}_add")([x, shortcut])
            x = layers.Activation(activation, name=f"b{b}_act{convs_per_block}")(x)
        x = layers.MaxPooling2D(2, name=f"b{b}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name="cnn2d_log_mel" + ("_res" if residual else ""))
