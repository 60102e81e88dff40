"""FLEURS language-identification data (lesson 07): windows, contrasts, splits, spectrograms.

The data plumbing of lesson 07; the lesson itself writes the noise threshold and the two
models (``course_utils.models.language``, exported from its ``export:language`` cells).

- :func:`load_chunks` cuts every recording of a table into fixed windows (4 s at 16 kHz) and
  returns the windows with one table row per window;
- :func:`chunk_contrasts` computes the mean spectral contrast of every window (the lesson
  flags noise-like windows with a threshold read from these values);
- :func:`grouped_splits` makes train / validation / test indices where a group (the sentence
  id, which also keeps every window of a recording together) never crosses two splits, and
  :func:`leak_report` measures how much a naive split leaks;
- :func:`spectrogram` computes the log-magnitude STFT with the coursework's frame 255 and
  step 128, so 4 s at 16 kHz give shape (500, 129), and :func:`standardize_windows`
  removes each window's gain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from course_utils import audio, splits

__all__ = [
    "SAMPLE_RATE",
    "WINDOW_S",
    "FRAME_LENGTH",
    "FRAME_STEP",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "load_chunks",
    "chunk_contrasts",
    "grouped_splits",
    "leak_report",
    "spectrogram_shape",
    "spectrogram",
    "spectrograms",
    "standardize_windows",
]

SAMPLE_RATE = 16000
WINDOW_S = 4.0
FRAME_LENGTH = 255
FRAME_STEP = 128
LANGUAGES = ("es_419", "fr_fr", "en_us", "ja_jp")
LANGUAGE_NAMES = {"es_419": "español", "fr_fr": "francés", "en_us": "inglés", "ja_jp": "japonés"}


# ------------------------------------------------------------------------------ chunks
def load_chunks(table: pd.DataFrame, *, window_s: float = WINDOW_S, sr: int = SAMPLE_RATE,
                dtype: Any = np.float32, progress: bool = True) -> tuple[np.ndarray, pd.DataFrame]:
    """Load every recording of ``table`` (column ``path``) and cut it in ``window_s`` windows.

    Windows do not overlap and an incomplete tail is dropped, so a recording shorter than one
    window gives none. Returns ``(chunks, chunk_table)``: ``chunks`` has shape
    (n_chunks, window samples); ``chunk_table`` repeats the recording's columns for each of
    its windows and adds ``recording`` (the row label in ``table``), ``chunk`` (position in
    the recording) and ``start_s``.
    """
    if "path" not in table.columns:
        raise ValueError("La tabla necesita una columna 'path' con la ruta de cada grabación.")
    window = round(window_s * sr)
    pieces: list[np.ndarray] = []
    rows: list[dict[str, Any]] = []
    for label, row in tqdm(table.iterrows(), total=len(table), desc="Cortando en ventanas",
                           unit="grabación", disable=not progress):
        y = audio.load(row["path"], sr)
        windows = audio.chunk(y, sr, window_s)
        if len(windows) == 0:
            continue
        pieces.append(windows.astype(dtype, copy=False))
        base = row.to_dict()
        for k in range(len(windows)):
            rows.append({**base, "recording": label, "chunk": k, "start_s": k * window / sr})
    chunks = np.concatenate(pieces) if pieces else np.zeros((0, window), dtype=dtype)
    return chunks, pd.DataFrame(rows, columns=[*table.columns, "recording", "chunk", "start_s"])


def chunk_contrasts(chunks: np.ndarray, sr: int = SAMPLE_RATE, *, progress: bool = True
                    ) -> np.ndarray:
    """Mean spectral contrast (dB) of every window (``course_utils.audio.mean_spectral_contrast``)."""
    chunks = np.asarray(chunks)
    if chunks.ndim != 2:
        raise ValueError(f"Se esperaban ventanas de forma (n, muestras); la forma es {chunks.shape}.")
    return np.array([
        audio.mean_spectral_contrast(c.astype(np.float32), sr)
        for c in tqdm(chunks, desc="Contraste espectral", unit="ventana", disable=not progress)
    ])


# ------------------------------------------------------------------------------ splits
def grouped_splits(groups: Sequence | np.ndarray, *, labels: Sequence | np.ndarray | None = None,
                   val_size: float = 0.15, test_size: float = 0.15, seed: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices (train, val, test) with every group on one side only.

    Without ``labels``, sizes are fractions of the groups
    (``course_utils.splits.group_train_test_split`` twice). With ``labels``, scikit-learn's
    ``StratifiedGroupKFold`` also keeps the class proportions similar in the three parts;
    then each part is one fold, so sizes are rounded to ``1 / k`` (0.15 -> one of 7 folds);
    with fewer groups (or rows of the largest class) than folds, ``k`` drops to that number, and
    with a single row per class the groups are split without stratifying. Either way the result is checked with ``assert_group_disjoint``.
    """
    groups = np.asarray(groups)
    if not (0 < val_size < 1 and 0 < test_size < 1 and val_size + test_size < 1):
        raise ValueError("`val_size` y `test_size` son fracciones positivas que suman menos de 1.")
    n_groups = len(np.unique(groups))
    if n_groups < 3:
        raise ValueError(f"Hay {n_groups} grupo(s) (frases): hacen falta al menos 3 para separar "
                         "entrenamiento, validación y prueba sin que un grupo cruce. Usa una copia "
                         "con más frases (o más grabaciones por idioma).")
    if labels is None:
        rest, test = splits.group_train_test_split(groups, test_size=test_size, seed=seed)
        inner_val = val_size / (1 - test_size)
        train_r, val_r = splits.group_train_test_split(groups[rest], test_size=inner_val, seed=seed)
    else:
        from sklearn.model_selection import StratifiedGroupKFold

        labels = np.asarray(labels)
        if labels.shape != groups.shape:
            raise ValueError("`labels` y `groups` deben tener el mismo largo.")

        def one_fold(idx: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
            largest_class = int(np.unique(labels[idx], return_counts=True)[1].max())
            k = min(max(2, round(1 / size)), len(np.unique(groups[idx])), largest_class)
            if k < 2:  # one row per class: nothing to stratify, split the groups only
                keep, held = splits.group_train_test_split(groups[idx], test_size=size, seed=seed)
                return np.sort(keep), np.sort(held)
            folds = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
            keep, held = next(folds.split(np.zeros(len(idx)), labels[idx], groups[idx]))
            return np.sort(keep), np.sort(held)

        rest, test = one_fold(np.arange(len(groups)), test_size)
        train_r, val_r = one_fold(rest, val_size / (1 - test_size))
        test = np.sort(test)
    train, val = rest[train_r], rest[val_r]
    splits.assert_group_disjoint(groups, train, val, test)
    return train, val, test


def leak_report(table: pd.DataFrame, train: Sequence[int] | np.ndarray,
                test: Sequence[int] | np.ndarray,
                columns: Sequence[str] = ("recording", "id")) -> pd.Series:
    """Share of test rows whose value in each column also appears among the training rows.

    With ``columns=("recording", "id")`` it answers: how many test windows have a sibling
    window of the same recording in training, and how many share the sentence id.
    """
    train_rows = table.iloc[np.asarray(train, dtype=int)]
    test_rows = table.iloc[np.asarray(test, dtype=int)]
    if len(test_rows) == 0:
        raise ValueError("La partición de prueba está vacía.")
    return pd.Series({c: float(test_rows[c].isin(set(train_rows[c])).mean()) for c in columns},
                     name="fracción de prueba que se filtra")


# ------------------------------------------------------------------------ spectrograms
def spectrogram_shape(n_samples: int, frame_length: int = FRAME_LENGTH,
                      frame_step: int = FRAME_STEP) -> tuple[int, int]:
    """(frames, bins) of :func:`spectrogram`: ``ceil(n / step)`` frames (the end is padded)
    and ``fft // 2 + 1`` bins, where ``fft`` is the power of two at least ``frame_length``."""
    fft = 1 << (int(frame_length) - 1).bit_length()
    return -(-int(n_samples) // int(frame_step)), fft // 2 + 1


def spectrogram(waveforms: np.ndarray, *, frame_length: int = FRAME_LENGTH,
                frame_step: int = FRAME_STEP, log: bool = True, eps: float = 1e-6) -> np.ndarray:
    """Magnitude STFT (natural log of it when ``log``) of one window (n,) or a batch (b, n).

    ``tf.signal.stft`` with ``pad_end=True``: frames of ``frame_length`` samples every
    ``frame_step`` samples, FFT size the next power of two (256 for 255), so a 4 s window at
    16 kHz (64,000 samples) gives (500, 129): time in rows, frequency in columns.
    """
    import tensorflow as tf

    waveforms = np.asarray(waveforms, dtype=np.float32)
    if waveforms.ndim not in (1, 2) or waveforms.shape[-1] < frame_length:
        raise ValueError(
            f"Se esperaba una señal (n,) o un lote (b, n) con n ≥ {frame_length} muestras; "
            f"la forma es {waveforms.shape}."
        )
    stft = tf.signal.stft(waveforms, frame_length=frame_length, frame_step=frame_step,
                          pad_end=True)
    magnitude = tf.abs(stft)
    if log:
        magnitude = tf.math.log(magnitude + eps)
    return magnitude.numpy()


def spectrograms(chunks: np.ndarray, *, batch_size: int = 256, dtype: Any = np.float32,
                 progress: bool = True, **kwargs: Any) -> np.ndarray:
    """:func:`spectrogram` of many windows in batches (bounded memory), as one array."""
    chunks = np.asarray(chunks)
    if chunks.ndim != 2:
        raise ValueError(f"Se esperaban ventanas de forma (n, muestras); la forma es {chunks.shape}.")
    frames, bins = spectrogram_shape(chunks.shape[1], kwargs.get("frame_length", FRAME_LENGTH),
                                     kwargs.get("frame_step", FRAME_STEP))
    out = np.empty((len(chunks), frames, bins), dtype=dtype)
    for start in tqdm(range(0, len(chunks), batch_size), desc="Espectrogramas", unit="lote",
                      disable=not progress):
        out[start:start + batch_size] = spectrogram(chunks[start:start + batch_size], **kwargs)
    return out


def standardize_windows(x: np.ndarray, *, eps: float = 1e-6, batch_size: int = 512) -> np.ndarray:
    """Standardize every example by its own mean and standard deviation, in place.

    A log spectrogram shifts as a whole when the recording is louder or softer; removing each
    window's mean and dividing by its spread keeps the spectral shape and drops the gain. It
    uses no statistics of other examples, so it cannot leak between splits. Works in batches
    so a large ``float16`` array is never copied whole; returns ``x``.
    """
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"Se esperaba un lote de ejemplos (n, ...); la forma es {x.shape}.")
    axes = tuple(range(1, x.ndim))
    for start in range(0, len(x), batch_size):
        block = x[start:start + batch_size].astype(np.float32)
        mean = block.mean(axis=axes, keepdims=True)
        std = block.std(axis=axes, keepdims=True)
        x[start:start + batch_size] = (block - mean) / (std + eps)
    return x
