"""Per-clip feature vectors for classical models: statistics over time of frame features.

Classical models (SVM, k-NN, random forests, XGBoost...) need one fixed-length vector per
clip, whatever its duration. :class:`ClipFeatures` summarises the frames of a clip by their
mean and standard deviation over time, in named groups that lessons can use alone or fuse:

- ``"mfcc"``: ``n_mfcc`` MFCC means, then ``n_mfcc`` standard deviations;
- ``"spectral"``: centroid, bandwidth, 85 % roll-off, flatness, zero-crossing rate and RMS
  energy (mean and standard deviation of each);
- ``"contrast"``: spectral contrast per octave band (as many bands as the sample rate allows,
  up to 6), mean and standard deviation;
- ``"chroma"``: the 12 pitch classes (C, C#, ..., B), mean and standard deviation.

Silence is trimmed at both ends first (``top_db``), so that it doesn't drag the means.
:func:`feature_frame` runs the extractor over many files (cached on disk and optionally in
parallel, through :func:`course_utils.audio.extract_features`) and returns a named table.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import librosa
import numpy as np
import pandas as pd

from course_utils import audio

__all__ = ["GROUPS", "PITCH_CLASSES", "SPECTRAL_DESCRIPTORS", "ClipFeatures", "feature_frame"]

#: Feature groups in the order they appear in the vector.
GROUPS = ("mfcc", "spectral", "contrast", "chroma")
SPECTRAL_DESCRIPTORS = ("centroid", "bandwidth", "rolloff", "flatness", "zcr", "rms")
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: Bump when the meaning of a feature changes: it is part of the cache key.
FEATURES_VERSION = 1


def _mean_std(frames: np.ndarray) -> np.ndarray:
    """Mean over time of each row, then standard deviation over time of each row."""
    return np.concatenate([frames.mean(axis=1), frames.std(axis=1)])


@dataclass(frozen=True)
class ClipFeatures:
    """Extractor of one flat vector per clip; call it on a path or on a signal at ``sr``.

    >>> fx = ClipFeatures(sr=8000, groups=("mfcc", "spectral"))
    >>> fx.n_features, fx.names[:2]
    (52, ['mfcc_media_01', 'mfcc_media_02'])

    Frozen (hashable, picklable), so :func:`course_utils.audio.extract_features` can ship it
    to worker processes and key its cache on every parameter.
    """

    sr: int = 8000
    groups: tuple[str, ...] = ("mfcc", "spectral")
    n_mfcc: int = 20
    n_fft: int = 256
    hop_length: int = 80
    n_mels: int = 40
    top_db: float | None = 60.0
    chroma_n_fft: int = 1024
    version: int = field(default=FEATURES_VERSION, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.groups, str) or not self.groups:
            raise ValueError(
                f"`groups` debe ser una tupla no vacía de grupos {GROUPS}; recibí {self.groups!r}."
            )
        unknown = [g for g in self.groups if g not in GROUPS]
        if unknown:
            raise ValueError(f"Grupos desconocidos {unknown}: los disponibles son {GROUPS}.")
        if len(set(self.groups)) != len(self.groups):
            raise ValueError(f"`groups` repite grupos: {self.groups!r}.")
        object.__setattr__(self, "groups", tuple(self.groups))
        for name in ("sr", "n_mfcc", "n_fft", "hop_length", "n_mels", "chroma_n_fft"):
            audio._positive_int(getattr(self, name), name)
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"`n_mfcc` ({self.n_mfcc}) no puede superar `n_mels` ({self.n_mels}).")

    # ------------------------------------------------------------------ layout
    @property
    def n_contrast_bands(self) -> int:
        """Octave bands of the spectral contrast at this sample rate (at most 6)."""
        return min(6, audio.max_contrast_bands(self.sr))

    def group_names(self, group: str) -> list[str]:
        """Column names of one group (Spanish: ``media`` = mean, ``desv`` = std)."""
        if group == "mfcc":
            rows = [f"mfcc_{{}}_{k:02d}" for k in range(1, self.n_mfcc + 1)]
        elif group == "spectral":
            rows = [f"{name}_{{}}" for name in SPECTRAL_DESCRIPTORS]
        elif group == "contrast":
            rows = [f"contraste_{{}}_b{k}" for k in range(self.n_contrast_bands + 1)]
        elif group == "chroma":
            rows = [f"chroma_{{}}_{pc}" for pc in PITCH_CLASSES]
        else:
            raise ValueError(f"Grupo desconocido {group!r}: los disponibles son {GROUPS}.")
        return [r.format("media") for r in rows] + [r.format("desv") for r in rows]

    @property
    def names(self) -> list[str]:
        """Names of every component of the vector, in order."""
        return [name for group in self.groups for name in self.group_names(group)]

    @property
    def n_features(self) -> int:
        return len(self.names)

    def columns(self) -> dict[str, list[str]]:
        """Group -> its column names (to select one group of a :func:`feature_frame`)."""
        return {group: self.group_names(group) for group in self.groups}

    # -------------------------------------------------------------- extraction
    def _signal(self, source: audio.PathLike | np.ndarray) -> np.ndarray:
        y = (audio._as_signal(source, "source") if isinstance(source, np.ndarray)
             else audio.load(source, self.sr))
        if self.top_db is not None:
            y = audio.remove_silence(y, top_db=self.top_db, frame_length=self.n_fft,
                                     hop_length=self.hop_length, mode="trim")
        if len(y) < self.n_fft:  # very short clip: at least one full window
            y = np.pad(y, (0, self.n_fft - len(y)))
        return y

    def _group(self, group: str, y: np.ndarray) -> np.ndarray:
        sr, n_fft, hop = self.sr, self.n_fft, self.hop_length
        if group == "mfcc":
            return _mean_std(audio.mfcc(y, sr, n_mfcc=self.n_mfcc, n_fft=n_fft, hop_length=hop,
                                        n_mels=self.n_mels))
        if group == "spectral":
            power = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop)) ** 2
            magnitude = np.sqrt(power)
            frames = np.vstack([
                librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft),
                librosa.feature.spectral_bandwidth(S=magnitude, sr=sr, n_fft=n_fft),
                librosa.feature.spectral_rolloff(S=magnitude, sr=sr, n_fft=n_fft,
                                                 roll_percent=0.85),
                librosa.feature.spectral_flatness(S=magnitude),
                librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop),
                librosa.feature.rms(S=magnitude, frame_length=n_fft, hop_length=hop),
            ])
            return _mean_std(frames)
        if group == "contrast":
            return _mean_std(librosa.feature.spectral_contrast(
                y=y, sr=sr, n_fft=n_fft, hop_length=hop, n_bands=self.n_contrast_bands))
        if group == "chroma":
            if len(y) < self.chroma_n_fft:
                y = np.pad(y, (0, self.chroma_n_fft - len(y)))
            chroma = librosa.feature.chroma_stft(y=y, sr=sr, n_fft=self.chroma_n_fft,
                                                 hop_length=hop, tuning=0.0)
            return _mean_std(chroma)
        raise ValueError(f"Grupo desconocido {group!r}: los disponibles son {GROUPS}.")

    def __call__(self, source: audio.PathLike | np.ndarray) -> np.ndarray:
        """The feature vector (float32, length :attr:`n_features`) of one clip."""
        y = self._signal(source)
        vector = np.concatenate([self._group(group, y) for group in self.groups])
        return vector.astype(np.float32)


def feature_frame(paths: Iterable[audio.PathLike], extractor: ClipFeatures | None = None, *,
                  n_jobs: int = 1, cache: bool | str | os.PathLike = True,
                  progress: bool = True) -> pd.DataFrame:
    """One row per file, one named column per feature (``extractor.names``).

    ``cache=True`` keeps every clip's vector under ``course_utils.audio.default_cache_dir()``
    (a second run only reads them); ``n_jobs`` worker processes share the work.
    """
    extractor = extractor if extractor is not None else ClipFeatures()
    if not isinstance(extractor, ClipFeatures):
        raise TypeError("`extractor` debe ser un ClipFeatures(...); para otras funciones usa "
                        "course_utils.audio.extract_features.")
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("No hay archivos: revisa la tabla del dataset (¿filtraste todo?).")
    matrix = audio.extract_features(paths, extractor, n_jobs=n_jobs, cache=cache,
                                    progress=progress, desc="Calculando características")
    return pd.DataFrame(matrix, columns=extractor.names)
