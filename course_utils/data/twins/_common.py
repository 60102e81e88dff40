"""Helpers shared by the twin generators: parameters, per-item random streams, file writers."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf


def resolve_params(name: str, params: Mapping[str, Any] | None, defaults: Mapping[str, Any]) -> dict:
    """Defaults updated with ``params``; an unknown key is an error (it is surely a typo).

    Keys starting with ``_`` are ignored: callers use them to tell cached variants apart.
    """
    params = {k: v for k, v in (params or {}).items() if not k.startswith("_")}
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(
            f"El gemelo sintético '{name}' no conoce los parámetros {unknown}. "
            f"Parámetros válidos: {sorted(defaults)}."
        )
    return {**defaults, **params}


def _key(part: int | str) -> int:
    return zlib.crc32(part.encode()) if isinstance(part, str) else int(part)


def item_rng(seed: int, *keys: int | str) -> np.random.Generator:
    """An independent random stream for one item, fixed by the seed and the item's keys.

    Deriving one stream per file (instead of drawing everything from one stream) keeps a file
    identical when other parameters (e.g. the number of files) change.
    """
    return np.random.default_rng([_key(seed), *(_key(k) for k in keys)])


def hex_id(rng: np.random.Generator, digits: int = 8) -> str:
    """A random lowercase hexadecimal identifier such as ``'0ab3f21c'``."""
    return "".join(rng.choice(list("0123456789abcdef"), size=digits))


def write_audio(path: Path, audio: np.ndarray, sr: int, fmt: str = "WAV") -> None:
    """Write mono audio as 16-bit PCM (WAV/FLAC) or MP3, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    audio = np.clip(np.asarray(audio, dtype=np.float64), -1.0, 1.0)
    if fmt == "MP3":
        # Variable bit rate at a low-bitrate setting (like crowd-sourced clips); faster to encode.
        sf.write(str(path), audio.astype(np.float32), sr, format="MP3", subtype="MPEG_LAYER_III",
                 compression_level=0.9)
    else:
        pcm = np.round(audio * 32767).astype(np.int16)
        sf.write(str(path), pcm, sr, format=fmt, subtype="PCM_16")


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with Unix newlines, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
