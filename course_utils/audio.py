"""Audio preprocessing: the lecture's 8-step MFCC pipeline and helpers around it.

The eight steps of the gender-from-voice lecture, one small function each:

1. :func:`load` at a fixed sample rate,
2. :func:`remove_silence` in memory (``librosa.effects.split`` / ``trim``),
3. :func:`mfcc`,
4. :func:`cut` to ``max_frames``,
5. :func:`scale` to [-1, 1],
6. :func:`pad` to ``max_frames`` (at the end, or centred like ``librosa.util.pad_center``),
7. :func:`to_time_major` (time, n_mfcc) for recurrent models,
8. :func:`add_channel` for CNNs,

composed by :class:`MFCCPipeline`, a frozen (hashable, picklable) configuration that is
callable and can report the shape after every step. Around it: durations and a Pareto
table, fixed-window chunking, mean spectral contrast (a noise flag), STFT / log-mel
spectrograms, and :func:`extract_features` to run any extractor over many files
serially, in parallel (joblib) and/or cached on disk.

A file that cannot be used (empty, not audio, a header without samples, a truncated WAV)
raises :class:`AudioFileError`, whose Spanish message names the file and says what to do;
:func:`audit` checks a whole dataset first and returns one row per file.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import struct
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import joblib
import librosa
import numpy as np
import pandas as pd
import soundfile as sf
from tqdm.auto import tqdm

__all__ = [
    "AudioFileError",
    "audit",
    "describe_audit",
    "read",
    "load",
    "remove_silence",
    "mfcc",
    "cut",
    "scale",
    "pad",
    "to_time_major",
    "add_channel",
    "MFCCPipeline",
    "duration",
    "durations",
    "pareto_table",
    "count_chunks",
    "chunk",
    "max_contrast_bands",
    "mean_spectral_contrast",
    "stft_db",
    "log_mel",
    "file_hash",
    "extract_features",
    "default_cache_dir",
]

PadSide = Literal["end", "center"]
SilenceMode = Literal["split", "trim"]
PathLike = str | os.PathLike

# Bump when the on-disk cache format or the meaning of a cached feature changes.
CACHE_VERSION = 1

ADVICE_BROKEN = (
    "Suele pasar cuando una descarga o una copia se interrumpe (o el disco se llenó): vuelve a "
    "descargar el conjunto o quita ese archivo de la tabla. course_utils.audio.audit(rutas) "
    "revisa todos los archivos y te dice cuáles no sirven."
)
ADVICE_NOT_AUDIO = (
    "Revisa que la ruta apunte a un archivo de audio (WAV, FLAC, MP3, OGG) y no a un texto, una "
    "página HTML de error o un comprimido; si hay varios así, course_utils.audio.audit(rutas) "
    "los encuentra y puedes quitarlos de la tabla."
)


class AudioFileError(ValueError):
    """An audio file that cannot be used: empty, not audio, no samples, truncated, not finite.

    ``path`` is the file and ``problem`` the short Spanish reason (what :func:`audit` shows).
    """

    def __init__(self, path: PathLike, problem: str, advice: str = ADVICE_BROKEN):
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"No puedo usar el archivo de audio {self.path}: {problem}. {advice}")

    def __reduce__(self):  # rebuilt as is in the parent process (joblib workers)
        return (type(self), (self.path, self.problem, self.advice))


# --------------------------------------------------------------------------- helpers
def _as_signal(y: np.ndarray, name: str = "y") -> np.ndarray:
    """Validate a mono float signal (1-D, non-empty, finite)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            f"`{name}` debe ser una señal mono 1-D, pero tiene forma {y.shape}. "
            "Si es estéreo, usa librosa.to_mono(y) o carga con mono=True."
        )
    if y.size == 0:
        raise ValueError(f"`{name}` está vacía (0 muestras): revisa el archivo o el recorte previo.")
    if not np.issubdtype(y.dtype, np.floating):
        y = y.astype(np.float32)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"`{name}` contiene NaN o infinitos: limpia la señal antes de seguir.")
    return y


def _as_features(features: np.ndarray) -> np.ndarray:
    features = np.asarray(features)
    if features.ndim != 2:
        raise ValueError(
            "Se esperaba una matriz 2-D (coeficientes, frames), pero la forma es "
            f"{features.shape}. Aplica este paso antes de transponer o agregar el canal."
        )
    return features


def _at_least(y: np.ndarray, n: int) -> np.ndarray:
    """Zero-pad ``y`` at the end to ``n`` samples (one full analysis window)."""
    return np.pad(y, (0, n - len(y))) if len(y) < n else y


def _positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` debe ser un entero positivo; recibí {value!r}.")
    return int(value)


# ----------------------------------------------------------------------- reading files
def _wav_data_shortfall(path: Path) -> tuple[int, int] | None:
    """(bytes the WAV header announces, bytes present) when the data chunk is cut short.

    A shortfall of at most 1 % (some writers miscount the size) is tolerated: libsndfile reads
    what is there."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        while len(chunk := fh.read(8)) == 8:
            name, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if name == b"data":
                if size in (0, 0xFFFFFFFF):  # streamed WAV: size never filled in
                    return None
                present = path.stat().st_size - fh.tell()
                return (size, present) if present < size - max(64, size // 100) else None
            fh.seek(size + (size & 1), os.SEEK_CUR)
    return None


def _check_file(path: Path) -> None:
    """FileNotFoundError if missing; AudioFileError if empty or a truncated WAV."""
    if not path.is_file():
        raise FileNotFoundError(
            f"No encontré el archivo de audio {path}. Revisa la ruta o vuelve a "
            "descargar el dataset con course_utils.data.fetch(...)."
        )
    if path.stat().st_size == 0:
        raise AudioFileError(path, "está vacío (0 bytes)")
    shortfall = _wav_data_shortfall(path)
    if shortfall is not None:
        announced, present = shortfall
        if present == 0:
            raise AudioFileError(
                path, "tiene encabezado pero ninguna muestra de audio (el encabezado anuncia "
                      f"{announced:,} bytes de muestras y no hay ninguno)")
        raise AudioFileError(
            path, f"está truncado: el encabezado anuncia {announced:,} bytes de muestras y "
                  f"solo hay {present:,}")


def _audioread(path: Path, offset: float, duration: float | None,
               cause: Exception) -> tuple[np.ndarray, int]:
    """Decode with audioread what soundfile cannot read, (channels, frames) float32."""
    with warnings.catch_warnings():  # audioread imports modules deprecated in Python 3.11+
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioread

        try:
            with audioread.audio_open(str(path)) as f:
                sr, channels = int(f.samplerate), int(f.channels)
                raw = b"".join(f)
        except Exception as exc:
            raise AudioFileError(
                path, "no es audio o está en un formato que no sé leer (soundfile dice "
                      f"«{getattr(cause, 'error_string', cause)}»)", ADVICE_NOT_AUDIO) from exc
    data = (np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0)
    data = data[: len(data) // channels * channels].reshape(-1, channels).T
    start = int(round(offset * sr))
    stop = None if duration is None else start + int(round(duration * sr))
    return np.ascontiguousarray(data[:, start:stop]), sr


def read(path: PathLike, *, offset: float = 0.0, duration: float | None = None
         ) -> tuple[np.ndarray, int]:
    """The file's samples at its own rate, shape (channels, frames) float32, and that rate.

    soundfile (libsndfile: WAV, FLAC, OGG, MP3...) first, audioread only for what soundfile
    cannot open. Raises :class:`AudioFileError` for a file that cannot be used.
    """
    path = Path(path)
    _check_file(path)
    try:
        with sf.SoundFile(path) as f:
            sr = int(f.samplerate)
            if f.frames == 0:
                raise AudioFileError(
                    path, "tiene encabezado pero ninguna muestra de audio (0 muestras)")
            start = int(round(offset * sr))
            if start:
                f.seek(min(start, f.frames))
            frames = -1 if duration is None else int(round(duration * sr))
            data = f.read(frames, dtype="float32", always_2d=True).T
    except sf.SoundFileError as exc:
        if "not recognised" in str(exc).lower() or "unsupported" in str(exc).lower():
            data, sr = _audioread(path, offset, duration, exc)
        else:
            raise AudioFileError(
                path, f"está dañado o truncado (soundfile dice «{getattr(exc, 'error_string', exc)}»)"
            ) from exc
    if data.shape[1] == 0:
        raise AudioFileError(path, "no tiene muestras de audio"
                             + (f" después de offset={offset} s" if offset else ""))
    if not np.all(np.isfinite(data)):
        raise AudioFileError(path, "tiene muestras NaN o infinitas")
    return data, sr


# ----------------------------------------------------------------------- the 8 steps
def load(path: PathLike, sr: int = 16000, *, mono: bool = True, offset: float = 0.0,
         duration: float | None = None) -> np.ndarray:
    """Step 1: read an audio file as float32 resampled to ``sr`` (like librosa.load).

    Mono (the mean of the channels) unless ``mono=False``, which gives (channels, samples)
    for a multichannel file. Raises :class:`AudioFileError` (Spanish, naming the file) for a
    file that is empty, not audio, without samples or truncated.
    """
    _positive_int(sr, "sr")
    data, native = read(path, offset=offset, duration=duration)
    y = data.mean(axis=0) if mono or data.shape[0] == 1 else data
    if native != sr:
        y = librosa.resample(y, orig_sr=native, target_sr=sr)
    return np.ascontiguousarray(y, dtype=np.float32)


def remove_silence(y: np.ndarray, *, top_db: float = 60.0, frame_length: int = 2048,
                   hop_length: int = 512, mode: SilenceMode = "split") -> np.ndarray:
    """Step 2: drop the frames quieter than ``top_db`` below the peak, in memory.

    ``mode="split"`` keeps every non-silent interval (``librosa.effects.split``) and joins
    them, so pauses inside the clip go too; ``mode="trim"`` only cuts the leading and
    trailing silence (``librosa.effects.trim``). A signal that is silent everywhere is
    returned unchanged (there is nothing to tell apart), with a warning.
    """
    y = _as_signal(y)
    if top_db <= 0:
        raise ValueError(f"`top_db` debe ser positivo (dB bajo el pico); recibí {top_db}.")
    _positive_int(frame_length, "frame_length")
    _positive_int(hop_length, "hop_length")
    if not np.any(y):
        warnings.warn("La señal es silencio puro: la devuelvo sin cambios.", stacklevel=2)
        return y
    if mode == "trim":
        trimmed, _ = librosa.effects.trim(y, top_db=top_db, frame_length=frame_length,
                                          hop_length=hop_length)
        return trimmed
    if mode != "split":
        raise ValueError(f"`mode` debe ser 'split' o 'trim'; recibí {mode!r}.")
    intervals = librosa.effects.split(y, top_db=top_db, frame_length=frame_length,
                                      hop_length=hop_length)
    return np.concatenate([y[start:end] for start, end in intervals])


def mfcc(y: np.ndarray, sr: int, *, n_mfcc: int = 40, n_fft: int = 2048, hop_length: int = 512,
         n_mels: int = 128, **kwargs) -> np.ndarray:
    """Step 3: MFCC matrix of shape (n_mfcc, frames) (librosa.feature.mfcc).

    A clip shorter than one window (``n_fft`` samples) is zero-padded to one window first.
    """
    y = _at_least(_as_signal(y), n_fft)
    _positive_int(sr, "sr")
    _positive_int(n_mfcc, "n_mfcc")
    if n_mfcc > n_mels:
        raise ValueError(
            f"`n_mfcc` ({n_mfcc}) no puede superar `n_mels` ({n_mels}): la DCT de "
            f"{n_mels} bandas mel da como máximo {n_mels} coeficientes."
        )
    return librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop_length,
                                n_mels=n_mels, **kwargs)


def cut(features: np.ndarray, max_frames: int) -> np.ndarray:
    """Step 4: keep at most the first ``max_frames`` frames (last axis)."""
    features = _as_features(features)
    return features[:, : _positive_int(max_frames, "max_frames")]


def scale(features: np.ndarray, *, axis: int | None = None) -> np.ndarray:
    """Step 5: divide by the largest absolute value so everything lies in [-1, 1].

    ``axis=None`` (default) uses one factor for the whole matrix, which keeps the
    relation between frames, as the lecture's slide describes. ``axis=0`` scales every
    frame (column) separately: that is what the lecture's code does, because it is the
    default of ``librosa.util.normalize``. An all-zero input stays all zeros.
    """
    features = _as_features(features)
    if axis not in (None, 0, 1):
        raise ValueError(f"`axis` debe ser None, 0 o 1; recibí {axis!r}.")
    return librosa.util.normalize(features, norm=np.inf, axis=axis, fill=False)


def pad(features: np.ndarray, max_frames: int, *, side: PadSide = "end") -> np.ndarray:
    """Step 6: zero-pad the frame axis up to ``max_frames``.

    ``side="end"`` appends zeros after the last frame (the lecture's slide);
    ``side="center"`` splits them before and after, exactly like the lecture's code
    ``librosa.util.pad_center(x, size=max_frames)``.
    """
    features = _as_features(features)
    max_frames = _positive_int(max_frames, "max_frames")
    n = features.shape[-1]
    if n > max_frames:
        raise ValueError(
            f"La matriz tiene {n} frames, más que max_frames={max_frames}: "
            "recórtala primero con cut(features, max_frames)."
        )
    if side == "center":
        return librosa.util.pad_center(features, size=max_frames, axis=-1)
    if side == "end":
        return np.pad(features, [(0, 0), (0, max_frames - n)])
    raise ValueError(f"`side` debe ser 'end' o 'center'; recibí {side!r}.")


def to_time_major(features: np.ndarray) -> np.ndarray:
    """Step 7: transpose (n_mfcc, frames) to (frames, n_mfcc), time as rows.

    A plain transpose keeps the frames in order. The lecture used ``np.rot90``, which
    also reverses time (its first row is the last frame).
    """
    return np.ascontiguousarray(_as_features(features).T)


def add_channel(x: np.ndarray) -> np.ndarray:
    """Step 8: append a channel axis of size 1, e.g. (frames, n_mfcc) -> (frames, n_mfcc, 1)."""
    return np.asarray(x)[..., np.newaxis]


# ---------------------------------------------------------------------- the pipeline
@dataclass(frozen=True)
class MFCCPipeline:
    """The lecture's 8 steps with every knob explicit; call it on a path or a signal.

    >>> pipe = MFCCPipeline(sr=8000, n_fft=512, hop_length=128, n_mels=40, max_frames=50)
    >>> x = pipe("recordings/0_george_0.wav")     # doctest: +SKIP
    >>> x.shape                                   # doctest: +SKIP
    (50, 40, 1)

    ``top_db=None`` skips silence removal; ``time_major=False`` keeps (n_mfcc, frames);
    ``channel=False`` drops step 8. Being frozen, it is hashable and picklable, so
    :func:`extract_features` can ship it to worker processes and key a cache on it.
    """

    sr: int = 16000
    top_db: float | None = 60.0
    silence_mode: SilenceMode = "split"
    n_mfcc: int = 40
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    max_frames: int = 300
    scale_axis: int | None = None
    pad_side: PadSide = "end"
    time_major: bool = True
    channel: bool = True

    def __post_init__(self) -> None:
        for name in ("sr", "n_mfcc", "n_fft", "hop_length", "n_mels", "max_frames"):
            _positive_int(getattr(self, name), name)
        if self.pad_side not in ("end", "center"):
            raise ValueError(f"`pad_side` debe ser 'end' o 'center'; recibí {self.pad_side!r}.")
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"`n_mfcc` ({self.n_mfcc}) no puede superar `n_mels` ({self.n_mels}).")

    def steps(self) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
        """Steps 2-8 as (Spanish name, function of the previous output)."""
        steps: list[tuple[str, Callable[[np.ndarray], np.ndarray]]] = []
        if self.top_db is not None:
            steps.append(("2. quitar silencios", lambda y: remove_silence(
                y, top_db=self.top_db, frame_length=self.n_fft, hop_length=self.hop_length,
                mode=self.silence_mode)))
        steps += [
            ("3. MFCC", lambda y: mfcc(y, self.sr, n_mfcc=self.n_mfcc, n_fft=self.n_fft,
                                       hop_length=self.hop_length, n_mels=self.n_mels)),
            ("4. recortar", lambda m: cut(m, self.max_frames)),
            ("5. escalar a [-1, 1]", lambda m: scale(m, axis=self.scale_axis)),
            ("6. rellenar con ceros", lambda m: pad(m, self.max_frames, side=self.pad_side)),
        ]
        if self.time_major:
            steps.append(("7. transponer (tiempo, coef.)", to_time_major))
        if self.channel:
            steps.append(("8. agregar canal", add_channel))
        return steps

    def _signal(self, source: PathLike | np.ndarray) -> np.ndarray:
        if isinstance(source, np.ndarray):
            return _as_signal(source, "source")
        return load(source, self.sr)

    def trace(self, source: PathLike | np.ndarray) -> list[tuple[str, tuple[int, ...]]]:
        """Run every step and return (step name, output shape) pairs."""
        x = self._signal(source)
        shapes = [("1. cargar", x.shape)]
        for name, step in self.steps():
            x = step(x)
            shapes.append((name, x.shape))
        return shapes

    def __call__(self, source: PathLike | np.ndarray) -> np.ndarray:
        """Features of one clip (a path, or a 1-D signal already at ``self.sr``)."""
        x = self._signal(source)
        for _, step in self.steps():
            x = step(x)
        return x.astype(np.float32, copy=False)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of every output, whatever the clip length."""
        shape: tuple[int, ...] = (self.n_mfcc, self.max_frames)
        if self.time_major:
            shape = shape[::-1]
        return (*shape, 1) if self.channel else shape


# -------------------------------------------------------------------------- durations
def duration(path: PathLike) -> float:
    """Duration in seconds read from the file header (no decoding when possible).

    Raises :class:`AudioFileError` for a file that cannot be used (see :func:`load`)."""
    path = Path(path)
    _check_file(path)
    try:
        info = sf.info(path)
    except sf.SoundFileError:
        data, sr = read(path)  # audioread, or the Spanish error
        return data.shape[1] / sr
    if info.frames <= 0:
        raise AudioFileError(path, "tiene encabezado pero ninguna muestra de audio (0 muestras)")
    return info.frames / info.samplerate


def durations(paths: Iterable[PathLike], *, progress: bool = True) -> np.ndarray:
    """Durations in seconds of many files, with a progress bar."""
    paths = list(paths)
    return np.array([duration(p) for p in tqdm(paths, desc="Midiendo duraciones",
                                                 unit="archivo", disable=not progress)])


def pareto_table(values: Sequence[float] | np.ndarray, bin_width: float = 1.0) -> pd.DataFrame:
    """Histogram bins sorted by count (largest first) with the cumulative share (Pareto).

    Columns: ``start``, ``end`` (bin edges), ``count``, ``share`` and ``cumulative`` (both
    fractions of all values). Empty bins are left out.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise ValueError("No hay valores para el diagrama de Pareto.")
    if bin_width <= 0:
        raise ValueError(f"`bin_width` debe ser positivo; recibí {bin_width}.")
    start = math.floor(values.min() / bin_width) * bin_width
    n_bins = max(1, math.floor((values.max() - start) / bin_width) + 1)
    edges = start + bin_width * np.arange(n_bins + 1)
    counts, _ = np.histogram(values, bins=edges)
    table = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})
    table = table[table["count"] > 0].sort_values(["count", "start"], ascending=[False, True])
    table["share"] = table["count"] / values.size
    table["cumulative"] = table["share"].cumsum()
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- chunking
def count_chunks(n_samples: int, window: int, hop: int, *, pad_last: bool = False) -> int:
    """How many windows of ``window`` samples, every ``hop`` samples, fit in ``n_samples``."""
    window, hop = _positive_int(window, "window"), _positive_int(hop, "hop")
    if n_samples <= 0:
        return 0
    if pad_last:
        return 1 + max(0, math.ceil((n_samples - window) / hop))
    return 0 if n_samples < window else 1 + (n_samples - window) // hop


def chunk(y: np.ndarray, sr: int, window_s: float, *, overlap: float = 0.0,
          pad_last: bool = False) -> np.ndarray:
    """Cut a signal into windows of ``window_s`` seconds: shape (n_chunks, window samples).

    Consecutive windows share ``overlap`` (a fraction in [0, 1)) of their samples. The
    incomplete tail is dropped unless ``pad_last=True``, which zero-pads it into one last
    window. A signal shorter than one window gives 0 chunks (or 1 padded chunk).
    """
    y = _as_signal(y)
    _positive_int(sr, "sr")
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"`overlap` es una fracción en [0, 1); recibí {overlap}.")
    window = round(window_s * sr)
    if window <= 0:
        raise ValueError(f"La ventana de {window_s} s a {sr} Hz no tiene muestras.")
    hop = max(1, round(window * (1.0 - overlap)))
    n = count_chunks(len(y), window, hop, pad_last=pad_last)
    if n == 0:
        return np.zeros((0, window), dtype=y.dtype)
    needed = (n - 1) * hop + window
    if needed > len(y):
        y = np.pad(y, (0, needed - len(y)))
    frames = librosa.util.frame(y[:needed], frame_length=window, hop_length=hop, axis=0)
    return np.array(frames)


# ------------------------------------------------------------------ spectral features
def max_contrast_bands(sr: int, fmin: float = 200.0) -> int:
    """Largest ``n_bands`` that ``librosa.feature.spectral_contrast`` accepts at ``sr``."""
    nyquist = sr / 2
    if fmin >= nyquist:
        raise ValueError(f"`fmin`={fmin} Hz no está por debajo de Nyquist ({nyquist} Hz).")
    n = 1
    while fmin * 2 ** n < nyquist:  # librosa needs every lower edge below Nyquist
        n += 1
    return n


def mean_spectral_contrast(y: np.ndarray, sr: int, *, n_fft: int = 2048, hop_length: int = 512,
                           fmin: float = 200.0, n_bands: int | None = None) -> float:
    """Mean spectral contrast (dB) over bands and frames: low for noise-like clips.

    ``n_bands=None`` uses up to 6 bands, fewer when the sample rate is too low for them.
    """
    y = _at_least(_as_signal(y), n_fft)
    limit = max_contrast_bands(sr, fmin)
    if n_bands is None:
        n_bands = min(6, limit)
    elif n_bands > limit:
        raise ValueError(
            f"Con sr={sr} Hz y fmin={fmin} Hz caben como máximo {limit} bandas; pediste {n_bands}."
        )
    contrast = librosa.feature.spectral_contrast(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length,
                                                 fmin=fmin, n_bands=n_bands)
    return float(contrast.mean())


def stft_db(y: np.ndarray, *, n_fft: int = 2048, hop_length: int | None = None,
            win_length: int | None = None, window: str = "hann", top_db: float | None = 80.0
            ) -> np.ndarray:
    """Spectrogram: log-magnitude (dB, 0 dB at the peak) of the STFT, (1 + n_fft // 2, frames).

    A clip shorter than ``n_fft`` is zero-padded to one window."""
    y = _at_least(_as_signal(y), n_fft)
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                                    window=window))
    return librosa.amplitude_to_db(magnitude, ref=np.max, top_db=top_db)


def log_mel(y: np.ndarray, sr: int, *, n_fft: int = 2048, hop_length: int = 512,
            n_mels: int = 128, fmax: float | None = None, top_db: float | None = 80.0
            ) -> np.ndarray:
    """Log-mel spectrogram in dB (0 dB at the peak), shape (n_mels, frames); a clip shorter
    than ``n_fft`` is zero-padded to one window."""
    y = _at_least(_as_signal(y), n_fft)
    power = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length,
                                           n_mels=n_mels, fmax=fmax)
    return librosa.power_to_db(power, ref=np.max, top_db=top_db)


# -------------------------------------------------------------------------- the audit
def _is_clipped(data: np.ndarray, level: float = 0.99, share: float = 1e-3) -> bool:
    """Flat tops: at least ``share`` of the samples sit at full scale next to an equal one."""
    flat = (np.abs(data[:, 1:]) >= level) & (np.abs(np.diff(data, axis=1)) < 1e-6)
    return bool(flat.sum() >= max(3, share * data.size))


def _audit_one(path: Path, min_duration_s: float, silence_db: float) -> dict:
    row = {"path": str(path), "ok": True, "problem": "", "duration_s": np.nan,
           "sample_rate": pd.NA, "channels": pd.NA}
    try:
        data, sr = read(path)
    except (AudioFileError, FileNotFoundError) as exc:
        row.update(ok=False, problem=getattr(exc, "problem", "no existe el archivo"))
        try:  # what the header still tells, if anything
            info = sf.info(path)
            row.update(sample_rate=int(info.samplerate), channels=int(info.channels))
        except Exception:
            pass
        return row
    problems = []
    seconds = data.shape[1] / sr
    if seconds < min_duration_s:
        problems.append(f"más corto que la ventana de análisis ({seconds * 1000:.0f} ms < "
                        f"{min_duration_s * 1000:.0f} ms): se rellenará con ceros")
    peak = float(np.max(np.abs(data)))
    peak_db = 20 * math.log10(peak) if peak > 0 else -math.inf
    if peak_db < silence_db:
        problems.append("silencio" + (" puro (todo ceros)" if peak == 0 else
                                      f" (pico de {peak_db:.0f} dBFS)"))
    elif _is_clipped(data):
        problems.append("saturado (recortado a escala completa)")
    row.update(problem="; ".join(problems), duration_s=seconds, sample_rate=sr,
               channels=int(data.shape[0]))
    return row


def _audit_chunk(paths: list[Path], min_duration_s: float, silence_db: float) -> list[dict]:
    return [_audit_one(p, min_duration_s, silence_db) for p in paths]


def audit(paths: Iterable[PathLike], *, n_jobs: int = 1, progress: bool = True,
          min_duration_s: float = 2048 / 16000, silence_db: float = -60.0) -> pd.DataFrame:
    """Check every file before training: one row per file, in order.

    Columns: ``path``, ``ok`` (False when the file cannot be used: missing, empty, not
    audio, no samples, truncated), ``problem`` (Spanish, empty when none; also notes usable
    but suspicious clips: shorter than ``min_duration_s``, the default analysis window of
    :class:`MFCCPipeline`, 2048 samples at 16 kHz; silent, peak below ``silence_db`` dBFS;
    clipped), ``duration_s``, ``sample_rate`` and ``channels`` (as the file stores them).
    ``n_jobs`` worker processes share the reading (joblib; -1 uses every core).
    """
    paths = [Path(p) for p in paths]
    bar = tqdm(total=len(paths), desc="Revisando audios", unit="archivo", disable=not progress)
    rows: list[dict] = []
    if n_jobs == 1:
        for p in paths:
            rows.append(_audit_one(p, min_duration_s, silence_db))
            bar.update()
    else:
        workers = joblib.effective_n_jobs(n_jobs)
        size = max(1, min(64, math.ceil(len(paths) / (8 * workers))))
        jobs = (joblib.delayed(_audit_chunk)(paths[i:i + size], min_duration_s, silence_db)
                for i in range(0, len(paths), size))
        for chunk_rows in joblib.Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
            rows.extend(chunk_rows)
            bar.update(len(chunk_rows))
    bar.close()
    table = pd.DataFrame(rows, columns=["path", "ok", "problem", "duration_s", "sample_rate",
                                        "channels"])
    table["ok"] = table["ok"].astype(bool)
    for column in ("sample_rate", "channels"):
        table[column] = table[column].astype("Int64")
    return table


def _reason(problem: str) -> str:
    return re.split(r"[:(]", problem, maxsplit=1)[0].strip()


def describe_audit(report: pd.DataFrame) -> str:
    """A Spanish summary of an :func:`audit` table: how many files are unusable and why, and
    how many usable ones carry a warning (counted by reason)."""
    def counted(problems: pd.Series) -> str:
        reasons = pd.Series([_reason(part) for text in problems for part in text.split("; ")
                             if part])
        return "; ".join(f"{reason}: {n}" for reason, n in reasons.value_counts().items())

    bad = report[~report["ok"]]
    warned = report[report["ok"] & (report["problem"] != "")]
    text = f"Revisé {len(report)} archivo{'' if len(report) == 1 else 's'}: "
    text += ((f"1 no se puede usar ({counted(bad['problem'])})" if len(bad) == 1 else
              f"{len(bad)} no se pueden usar ({counted(bad['problem'])})") if len(bad)
             else "ninguno está roto")
    text += ((f"; 1 se puede usar pero conviene mirarlo ({counted(warned['problem'])})."
              if len(warned) == 1 else
              f"; {len(warned)} se pueden usar pero conviene mirarlos "
              f"({counted(warned['problem'])}).")
             if len(warned) else "; ninguno tiene advertencias.")
    return text


# --------------------------------------------------------- feature extraction at scale
def default_cache_dir() -> Path:
    """``<course data cache>/features`` (``course_utils.data.cache_root()``), next to the datasets."""
    from course_utils.data.cache import cache_root

    return cache_root() / "features"


def file_hash(path: PathLike) -> str:
    """Content hash (BLAKE2b, 32 hex digits) of a file: the cache key of its features."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _save_atomic(target: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``target`` (.npy) so that readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, array)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _extract_one(path: Path, extractor: Callable[[Path], np.ndarray], cache_dir: Path | None,
                 content_hash: str | None) -> np.ndarray:
    """Features of one file, read from / written to ``cache_dir/<content_hash>.npy`` if cached."""
    target = None if cache_dir is None or content_hash is None else cache_dir / f"{content_hash}.npy"
    if target is not None:
        try:
            return np.load(target)
        except (FileNotFoundError, ValueError, EOFError, OSError):
            pass
    try:
        features = np.asarray(extractor(path))
    except (AudioFileError, FileNotFoundError):
        raise  # their message already names the file
    except Exception as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+: say which file, keep the original error
            exc.add_note(f"Ocurrió al extraer las características de {path}.")
        raise
    if target is not None:
        _save_atomic(target, features)
    return features


def _extract_chunk(paths: list[Path], extractor: Callable[[Path], np.ndarray],
                   cache_dir: Path | None, hashes: list[str | None]) -> list[np.ndarray]:
    return [_extract_one(p, extractor, cache_dir, h) for p, h in zip(paths, hashes)]


def extract_features(paths: Iterable[PathLike], extractor: Callable[[Path], np.ndarray], *,
                     n_jobs: int = 1, cache: bool | PathLike = False, stack: bool = True,
                     progress: bool = True, desc: str = "Extrayendo características"
                     ) -> np.ndarray | list[np.ndarray]:
    """Apply ``extractor`` (e.g. an :class:`MFCCPipeline`) to every file, in order.

    - ``n_jobs``: worker processes (joblib/loky); 1 runs in this process, -1 uses every core.
    - ``cache``: False (no cache), True (``default_cache_dir()``) or a folder. Each file's
      features go to ``<folder>/<extractor hash>/<file content hash>.npy``, so a later run
      only computes files it has not seen, and changing a parameter of the extractor or the
      bytes of a file recomputes. With ``stack=True`` the stacked result is also saved
      (``batch-<hash of all contents>.npy``): repeating the same call is a single read. The
      extractor hash covers its parameters (and a function's name), not its code: if you
      edit a function, delete its cache folder.
    - ``stack``: return one array (all outputs must share a shape) or a list.
    """
    paths = [Path(p) for p in paths]
    if not callable(extractor):
        raise TypeError("`extractor` debe ser invocable: una función o un MFCCPipeline(...).")
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"No encontré {len(missing)} de {len(paths)} archivos (el primero: {missing[0]}). "
            "Revisa las rutas de la tabla del dataset."
        )
    cache_dir: Path | None = None
    hashes: list[str | None] = [None] * len(paths)
    batch: Path | None = None
    if cache is not False:
        base = default_cache_dir() if cache is True else Path(cache)
        try:
            token = joblib.hash((extractor, CACHE_VERSION))
        except Exception as exc:  # lambdas and local functions cannot be named
            raise TypeError(
                "Para usar la caché, el extractor tiene que poder identificarse: usa una función "
                "definida con def a nivel de módulo o de cuaderno, un functools.partial o un "
                "objeto como MFCCPipeline(...), no una lambda ni una función anidada."
            ) from exc
        cache_dir = base / token
        cache_dir.mkdir(parents=True, exist_ok=True)
        hashes = [file_hash(p) for p in paths]
        if stack and paths:
            key = hashlib.blake2b("\n".join(hashes).encode(), digest_size=16).hexdigest()
            batch = cache_dir / f"batch-{key}.npy"

    bar = tqdm(total=len(paths), desc=desc, unit="clip", disable=not progress)
    if batch is not None:
        try:
            stacked = np.load(batch)
            bar.update(len(paths))
            bar.close()
            return stacked
        except (FileNotFoundError, ValueError, EOFError, OSError):
            pass
    if n_jobs == 1:
        results = []
        for p, h in zip(paths, hashes):
            results.append(_extract_one(p, extractor, cache_dir, h))
            bar.update()
    else:
        # Ship files in chunks: one task per file would cost more in messages than in work.
        workers = joblib.effective_n_jobs(n_jobs)
        size = max(1, min(64, math.ceil(len(paths) / (8 * workers))))
        jobs = (joblib.delayed(_extract_chunk)(paths[i:i + size], extractor, cache_dir,
                                               hashes[i:i + size])
                for i in range(0, len(paths), size))
        results = []
        for chunk_results in joblib.Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
            results.extend(chunk_results)
            bar.update(len(chunk_results))
    bar.close()

    if not stack:
        return results
    if not results:
        return np.zeros((0,), dtype=np.float32)
    shapes = {r.shape for r in results}
    if len(shapes) > 1:
        raise ValueError(
            f"Las salidas tienen formas distintas ({sorted(shapes)[:3]}...): no puedo apilarlas. "
            "Fija max_frames en el extractor o usa stack=False."
        )
    stacked = np.stack(results)
    if batch is not None:
        _save_atomic(batch, stacked)
    return stacked
