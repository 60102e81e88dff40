"""Where datasets live on disk, and the lock that keeps concurrent fetches sound."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from filelock import FileLock

COLAB_CACHE = Path("/content/course_data")
DRIVE_CACHE = Path("/content/drive/MyDrive/course_data")


def in_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def cache_root() -> Path:
    """The cache folder: ``COURSE_DATA_DIR``, else ``/content/course_data`` on Colab,
    else the per-user cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``)/course_data."""
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        return Path(override).expanduser().resolve()
    if in_colab():
        return COLAB_CACHE
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser().resolve() / "course_data"


def downloads_dir() -> Path:
    """Verified downloads (archives and single files) live here, named by manifest ``filename``."""
    return cache_root() / "downloads"


def dataset_dir(name: str, synthetic: bool = False) -> Path:
    """Folder a dataset is extracted into (the manifest's ``root`` is relative to it)."""
    return cache_root() / ("synthetic" if synthetic else "real") / name


def dataset_lock(name: str, timeout: float = -1) -> FileLock:
    """A cross-process lock for one dataset, so parallel fetches end with one download."""
    lock_dir = cache_root() / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock_dir / f"{name}.lock"), timeout=timeout)


def use_drive_cache(mount: bool = True) -> Path:
    """Opt in to keeping the cache on Google Drive, so a new Colab session doesn't download again.

    Mounts Drive (it asks for your permission) only when you call this; sets ``COURSE_DATA_DIR``.
    """
    if not in_colab():
        raise RuntimeError("use_drive_cache() solo tiene sentido en Google Colab.")
    if mount and not Path("/content/drive/MyDrive").is_dir():
        from google.colab import drive  # type: ignore[import-not-found]

        drive.mount("/content/drive")
    DRIVE_CACHE.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_DATA_DIR"] = str(DRIVE_CACHE)
    print(f"Los datos se guardarán en tu Drive: {DRIVE_CACHE}")
    return DRIVE_CACHE
