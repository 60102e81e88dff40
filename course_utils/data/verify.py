"""Re-hash cached downloads of a dataset (``python -m course_utils verify NAME``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .errors import IntegrityError
from .integrity import file_hash, marker_path, verify_file, write_marker
from .manifest import load_manifest


@dataclass(frozen=True)
class FileStatus:
    filename: str
    path: Path
    status: str  # "ok", "missing" or "bad"
    detail: str


def verify(name: str) -> list[FileStatus]:
    """Hash every cached file of ``name`` again, ignoring markers. A bad file is removed."""
    manifest = load_manifest(name)
    report = []
    for spec in manifest.files:
        path = cache.downloads_dir() / spec.filename
        if not path.is_file():
            report.append(FileStatus(spec.filename, path, "missing", "no está en la caché"))
            continue
        try:
            sha256 = verify_file(path, spec)
            if not spec.checksum:
                recorded = _recorded_sha(path)
                if recorded and recorded != sha256:
                    raise IntegrityError(
                        f"'{spec.filename}' cambió desde que se descargó (sha256 {recorded} "
                        f"entonces, {sha256} ahora)."
                    )
            write_marker(path, spec, sha256)
            detail = spec.checksum or f"sha256:{sha256} (sin suma publicada)"
            report.append(FileStatus(spec.filename, path, "ok", detail))
        except IntegrityError as exc:
            path.unlink(missing_ok=True)
            marker_path(path).unlink(missing_ok=True)
            report.append(FileStatus(spec.filename, path, "bad", f"{exc} Lo borré de la caché."))
    return report


def _recorded_sha(path: Path) -> str | None:
    try:
        return json.loads(marker_path(path).read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError):
        return None


__all__ = ["FileStatus", "verify", "file_hash"]
