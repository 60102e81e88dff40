"""Keyword spotting on mini speech commands: splits, ``tf.data`` input pipelines and models.

Lesson 06 compares a 1D CNN on raw waveforms (the summer-school report's network) with a 2D
CNN on log-mel spectrograms; lesson 12 reuses the same data and builders for controlled
training experiments; lesson 09 can reuse the input pipeline.

- Data: :func:`speaker_split` (no speaker on two sides), :func:`encode_words`,
  :func:`clip_dataset` (decode, resample to 8 kHz, fix 1 s, optional log-mel, cached) and
  :func:`batches` (shuffle, batch, prefetch).
- Signal ops in TensorFlow: :func:`lowpass_filter`, :func:`resample` (polyphase, the same
  filter as ``scipy.signal.resample_poly``), :func:`fix_length`, :func:`log_mel` (the same
  numbers as ``course_utils.audio.log_mel``).
- Models: :func:`seed_waveform_cnn` (the report's network, verbatim), :func:`build_waveform_cnn`
  (its 8 kHz / 1 s adaptation), :func:`build_spectrogram_cnn` (plain or residual, with or
  without normalization, any activation), :func:`conv_lengths` (the output-size formula).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import keras
    import tensorflow as tf

__all__ = [
    "WORDS",
    "SEED_BLOCKS",
    "AudioFormat",
    "speaker_split",
    "encode_words",
    "lowpass_filter",
    "resample",
    "fix_length",
    "log_mel",
    "source_rate",
    "load_clip",
    "clip_dataset",
    "with_log_mel",
    "batches",
    "conv_lengths",
    "seed_waveform_cnn",
    "build_waveform_cnn",
    "build_spectrogram_cnn",
]

#: The eight words of mini speech commands, in the order of the class indices.
WORDS: tuple[str, ...] = ("down", "go", "left", "no", "right", "stop", "up", "yes")

#: (filters, kernel size) of the six Conv1d blocks of the report (seed 003).
SEED_BLOCKS: tuple[tuple[int, int], ...] = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (256, 4))

Padding = Literal["valid", "same"]
Norm = Literal["batch", "layer"] | None
Feature = Literal["waveform", "log_mel"]


@dataclass(frozen=True)
class AudioFormat:
    """What the models see: ``n_samples`` at ``sample_rate``, and the log-mel settings."""

    sample_rate: int = 8000
    n_samples: int = 8000
    n_fft: int = 256
    hop_length: int = 128
    n_mels: int = 40
    top_db: float = 80.0

    @property
    def n_frames(self) -> int:
        """STFT frames with centred windows (librosa's default): ``1 + n_samples // hop``."""
        return 1 + self.n_samples // self.hop_length

    @property
    def waveform_shape(self) -> tuple[int, int]:
        return (self.n_samples, 1)

    @property
    def log_mel_shape(self) -> tuple[int, int, int]:
        """(mel bands, frames, channel): frequency on the rows, like the plots."""
        return (self.n_mels, self.n_frames, 1)


# ------------------------------------------------------------------------------------ splits
def speaker_split(speakers: Sequence[str] | pd.Series, *, val_size: float = 0.1,
                  test_size: float = 0.1, seed: int = 0) -> np.ndarray:
    """``"train"`` / ``"val"`` / ``"test"`` for every clip, with each speaker on one side only.

    ``speakers`` is the file-name hash before ``_nohash_`` (the ``speaker`` column of
    ``course_utils.datasets.speech_commands_table``). The sizes are fractions of the
    *speakers*; the split is reproducible for a given ``seed``.
    """
    from course_utils.splits import assert_group_disjoint, group_train_test_split

    groups = np.asarray(speakers).astype(str)
    if not (0 < val_size < 1 and 0 < test_size < 1 and val_size + test_size < 1):
        raise ValueError("val_size y test_size deben ser fracciones positivas que sumen menos de 1; "
                         f"recibí {val_size} y {test_size}.")
    rest, test = group_train_test_split(groups, test_size=test_size, seed=seed)
    inner_train, inner_val = group_train_test_split(
        groups[rest], test_size=val_size / (1 - test_size), seed=seed)
    split = np.full(len(groups), "train", dtype=object)
    split[rest[inner_val]] = "val"
    split[test] = "test"
    assert_group_disjoint(groups, *(np.flatnonzero(split == s) for s in ("train", "val", "test")))
    return split


def encode_words(words: Sequence[str] | pd.Series, vocabulary: Sequence[str] = WORDS) -> np.ndarray:
    """Class index (int32) of every word, in the order of ``vocabulary``."""
    index = {w: i for i, w in enumerate(vocabulary)}
    unknown = sorted(set(map(str, words)) - set(index))
    if unknown:
        raise ValueError(f"Palabras fuera del vocabulario {list(vocabulary)}: {unknown[:5]}.")
    return np.array([index[str(w)] for w in words], dtype=np.int32)


# ------------------------------------------------------------------------------ signal ops
def lowpass_filter(up: int, down: int, half_width: int = 10) -> np.ndarray:
    """Anti-aliasing FIR of a polyphase resampler by ``up / down`` (before the gain ``up``).

    The same design as ``scipy.signal.resample_poly``'s default: ``2 * half_width *
    max(up, down) + 1`` taps, cut-off at the lower Nyquist frequency, Kaiser window (beta 5).
    """
    from scipy.signal import firwin

    if up < 1 or down < 1:
        raise ValueError(f"up y down deben ser enteros positivos; recibí {up} y {down}.")
    max_rate = max(up, down)
    return firwin(2 * half_width * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))


def resample(y: tf.Tensor, orig_sr: int, target_sr: int) -> tf.Tensor:
    """Resample a 1-D float signal by ``target_sr / orig_sr`` inside TensorFlow.

    Zero-insertion by ``up``, the low-pass of :func:`lowpass_filter` (zero phase) and
    keeping every ``down``-th sample: ``ceil(len(y) * up / down)`` samples, the numbers
    ``scipy.signal.resample_poly`` gives. Removing frequencies above the new Nyquist
    first is what prevents aliasing.
    """
    import tensorflow as tf

    if orig_sr == target_sr:
        return tf.convert_to_tensor(y, tf.float32)
    g = math.gcd(int(orig_sr), int(target_sr))
    up, down = int(target_sr) // g, int(orig_sr) // g
    taps = lowpass_filter(up, down) * up
    half = (len(taps) - 1) // 2
    x = tf.reshape(tf.convert_to_tensor(y, tf.float32), [-1])
    if up > 1:  # insert up - 1 zeros after every sample
        x = tf.reshape(tf.stack([x] + [tf.zeros_like(x)] * (up - 1), axis=1), [-1])
    x = tf.pad(x, [[half, half]])[tf.newaxis, :, tf.newaxis]
    kernel = tf.constant(taps[::-1, np.newaxis, np.newaxis], tf.float32)
    return tf.nn.conv1d(x, kernel, stride=down, padding="VALID")[0, :, 0]


def fix_length(y: tf.Tensor, n_samples: int) -> tf.Tensor:
    """Cut to ``n_samples``, or pad zeros at the end up to it."""
    import tensorflow as tf

    y = y[:n_samples]
    y = tf.pad(y, [[0, n_samples - tf.shape(y)[0]]])
    return tf.ensure_shape(y, [n_samples])


def _mel_basis(fmt: AudioFormat) -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=fmt.sample_rate, n_fft=fmt.n_fft, n_mels=fmt.n_mels)


def log_mel(y: tf.Tensor, fmt: AudioFormat = AudioFormat()) -> tf.Tensor:
    """Log-mel spectrogram in dB (0 dB at the clip's peak), shape (n_mels, frames).

    Computed with TensorFlow ops so it runs inside ``tf.data`` (in parallel, without
    Python), with the same definition as ``course_utils.audio.log_mel`` (librosa):
    centred Hann windows, power spectrum, Slaney mel filters, ``power_to_db`` with
    ``ref=max`` and a floor ``top_db`` below the peak.
    """
    import tensorflow as tf

    half = fmt.n_fft // 2
    y = tf.pad(tf.convert_to_tensor(y, tf.float32), [[half, half]])
    spec = tf.signal.stft(y, frame_length=fmt.n_fft, frame_step=fmt.hop_length,
                          fft_length=fmt.n_fft, window_fn=tf.signal.hann_window)
    power = tf.math.square(tf.abs(spec))
    mel = tf.matmul(power, tf.constant(_mel_basis(fmt).T, tf.float32))
    db = 10.0 * tf.math.log(tf.maximum(mel, 1e-10)) / math.log(10.0)
    db = db - tf.reduce_max(db)
    db = tf.maximum(db, -float(fmt.top_db))
    return tf.transpose(db)


# ------------------------------------------------------------------------ input pipelines
def source_rate(paths: Sequence[str | Path]) -> int:
    """The one sample rate shared by every WAV file (read from the headers)."""
    import soundfile as sf

    if len(paths) == 0:
        raise ValueError("No hay archivos: revisa la tabla del dataset.")
    rates = {sf.info(str(p)).samplerate for p in paths}
    if len(rates) != 1:
        raise ValueError(f"Los archivos tienen frecuencias de muestreo distintas {sorted(rates)}: "
                         "remuestréalos primero a una sola.")
    return rates.pop()


def load_clip(path: str | Path, fmt: AudioFormat = AudioFormat()) -> np.ndarray:
    """One clip as the pipeline sees it (8 kHz, fixed length), computed eagerly: for plots
    and listening, without building a dataset."""
    import tensorflow as tf

    audio, sr = tf.audio.decode_wav(tf.io.read_file(str(path)), desired_channels=1)
    y = resample(audio[:, 0], int(sr), fmt.sample_rate)
    return fix_length(y, fmt.n_samples).numpy()


def clip_dataset(paths: Sequence[str | Path], labels: Sequence[int] | np.ndarray, *,
                 feature: Feature = "waveform", fmt: AudioFormat = AudioFormat(),
                 cache: bool | str = True) -> tf.data.Dataset:
    """Unbatched ``(x, label)`` pairs, one per WAV file, decoded in parallel.

    Every clip is read and decoded (``tf.audio.decode_wav``), resampled to
    ``fmt.sample_rate`` and cut or zero-padded to ``fmt.n_samples``. ``feature="waveform"``
    gives x of shape ``fmt.waveform_shape``; ``"log_mel"`` gives ``fmt.log_mel_shape``.
    ``cache=True`` keeps the results in memory after the first full pass (a string: a
    cache file), so later epochs skip decoding. Iterate it to the end once before
    taking parts of it (``take``), or TensorFlow discards the partial cache.
    """
    import tensorflow as tf

    paths = [str(p) for p in paths]
    labels = np.asarray(labels, dtype=np.int32)
    if len(paths) != len(labels):
        raise ValueError(f"Hay {len(paths)} rutas y {len(labels)} etiquetas: deben coincidir.")
    if feature not in ("waveform", "log_mel"):
        raise ValueError(f"feature debe ser 'waveform' o 'log_mel'; recibí {feature!r}.")
    orig_sr = source_rate(paths)

    def load(path: tf.Tensor, label: tf.Tensor):
        audio, sr = tf.audio.decode_wav(tf.io.read_file(path), desired_channels=1)
        tf.debugging.assert_equal(sr, orig_sr, message="frecuencia de muestreo inesperada")
        y = fix_length(resample(audio[:, 0], orig_sr, fmt.sample_rate), fmt.n_samples)
        return y[:, tf.newaxis], label

    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if feature == "log_mel":
        return with_log_mel(ds, fmt, cache=bool(cache))
    if cache:
        ds = ds.cache("" if cache is True else str(cache))
    return ds


def with_log_mel(waveforms: tf.data.Dataset, fmt: AudioFormat = AudioFormat(), *,
                 cache: bool = True) -> tf.data.Dataset:
    """Turn a waveform dataset of :func:`clip_dataset` into log-mel spectrograms (cached).

    Decoding happens once: the spectrograms are computed from the waveforms already in
    memory, so a lesson can train on both representations.
    """
    import tensorflow as tf

    def to_log_mel(x: tf.Tensor, label: tf.Tensor):
        return log_mel(x[:, 0], fmt)[..., tf.newaxis], label

    ds = waveforms.map(to_log_mel, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.cache() if cache else ds


def batches(ds: tf.data.Dataset, batch_size: int, *, shuffle: bool = False, seed: int = 0
            ) -> tf.data.Dataset:
    """Shuffle (training: a new order every epoch), batch and prefetch a clip dataset."""
    import tensorflow as tf

    if batch_size < 1:
        raise ValueError(f"batch_size debe ser un entero positivo; recibí {batch_size}.")
    if shuffle:
        n = int(ds.cardinality())
        ds = ds.shuffle(n if n > 0 else 10_000, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


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
