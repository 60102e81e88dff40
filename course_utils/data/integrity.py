"""Size and checksum verification, with a marker so verified files are not hashed again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tqdm.auto import tqdm

from .errors import IntegrityError
from .manifest import FileSpec

CHUNK = 1 << 20
PROGRESS_THRESHOLD = 64 << 20  # show a bar when hashing files above 64 MB


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, with a progress bar for large files."""
    digest = hashlib.new(algorithm)
    size = path.stat().st_size
    with open(path, "rb") as fh, tqdm(
        total=size, unit="B", unit_scale=True, desc=f"Verificando {path.name}",
        disable=size < PROGRESS_THRESHOLD, leave=False,
    ) as bar:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
            bar.update(len(chunk))
    return digest.hexdigest()


def verify_file(path: Path, spec: FileSpec) -> str:
    """Check size and checksum of ``path`` against ``spec``; return the file's sha256.

    Raises IntegrityError with a Spanish explanation when they do not match.
    """
    size = path.stat().st_size
    if spec.size is not None and size != spec.size:
        raise IntegrityError(
            f"'{spec.filename}' mide {size:,} bytes y debería medir {spec.size:,}: "
            "la descarga está incompleta o el archivo no es el esperado."
        )
    sha256 = file_hash(path, "sha256")
    if spec.checksum:
        actual = sha256 if spec.algorithm == "sha256" else file_hash(path, spec.algorithm)
        if actual != spec.digest:
            raise IntegrityError(
                f"La suma de verificación de '{spec.filename}' no coincide "
                f"(esperaba {spec.algorithm}:{spec.digest}, obtuve {spec.algorithm}:{actual}). "
                "El archivo está dañado o fue modificado, así que no lo usaré."
            )
    return sha256


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def write_marker(path: Path, spec: FileSpec, sha256: str) -> None:
    """Record that ``path`` was verified (size, mtime and hashes), atomically."""
    stat = path.stat()
    data = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256,
            "checksum": spec.checksum}
    tmp = marker_path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, marker_path(path))


def has_valid_marker(path: Path, spec: FileSpec) -> bool:
    """True when ``path`` was verified before and has not changed since (no re-hash needed)."""
    marker = marker_path(path)
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    stat = path.stat()
    return (
        data.get("size") == stat.st_size
        and data.get("mtime_ns") == stat.st_mtime_ns
        and data.get("checksum") == spec.checksum
        and (spec.size is None or spec.size == stat.st_size)
    )


def invalidate(path: Path) -> None:
    """Forget a cached file and its marker."""
    for p in (marker_path(path), path):
        p.unlink(missing_ok=True)
