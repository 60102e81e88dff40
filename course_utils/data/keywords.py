"""Speech Commands (mini) data for keyword spotting: split, labels and ``tf.data`` pipelines.

Lessons 06, 09 and 12 read the same clips the same way:

- :data:`WORDS` (the eight words, in class-index order), :func:`encode_words`,
  :func:`speaker_split` (no speaker on two sides).
- :func:`clip_dataset` (decode, resample to 8 kHz, fix 1 s, optional log-mel, cached),
  :func:`with_log_mel` and :func:`batches` (shuffle, batch, prefetch); :func:`load_clip`
  for one clip eagerly; :func:`source_rate`.
- Signal ops in TensorFlow: :func:`lowpass_filter`, :func:`resample` (polyphase, the same
  filter as ``scipy.signal.resample_poly``), :func:`fix_length`, :func:`log_mel` (the same
  numbers as ``course_utils.audio.log_mel``).

TensorFlow is imported inside the functions, so importing this module is cheap.
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
    import tensorflow as tf

__all__ = [
    "WORDS",
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
]

#: The eight words of mini speech commands, in the order of the class indices.
WORDS: tuple[str, ...] = ("down", "go", "left", "no", "right", "stop", "up", "yes")

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
