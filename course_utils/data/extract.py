"""Safe extraction of tar and zip archives: nothing may land outside the target folder."""

from __future__ import annotations

import posixpath
import stat
import tarfile
import zipfile
from pathlib import Path

from .errors import IntegrityError, UnsafeArchiveError


def _check_member_path(name: str, archive: Path) -> None:
    """Reject absolute paths and paths that climb out with '..'."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise UnsafeArchiveError(
            f"El archivo comprimido {archive.name} contiene una ruta absoluta ('{name}'). "
            "Lo rechazo: podría escribir fuera de la carpeta de datos."
        )
    if ".." in posixpath.normpath(normalized).split("/"):
        raise UnsafeArchiveError(
            f"El archivo comprimido {archive.name} contiene una ruta que sale de su carpeta "
            f"('{name}'). Lo rechazo: podría sobrescribir archivos tuyos."
        )


def _check_link_target(member: tarfile.TarInfo, archive: Path) -> None:
    """A link must point inside the extraction folder."""
    if member.issym():
        target = posixpath.join(posixpath.dirname(member.name), member.linkname)
    else:  # hard link: relative to the archive root
        target = member.linkname
    if member.linkname.startswith("/") or posixpath.normpath(target).startswith(".."):
        raise UnsafeArchiveError(
            f"El archivo comprimido {archive.name} contiene un enlace ('{member.name}' -> "
            f"'{member.linkname}') que apunta fuera de su carpeta. Lo rechazo."
        )


def extract_tar(archive: Path, target: Path) -> None:
    """Extract a (possibly compressed) tar archive into ``target`` after checking every member."""
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for member in members:
            _check_member_path(member.name, archive)
            if member.issym() or member.islnk():
                _check_link_target(member, archive)
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(
                    f"El archivo comprimido {archive.name} contiene '{member.name}', que no es "
                    "un archivo ni una carpeta (dispositivo o FIFO). Lo rechazo."
                )
        target.mkdir(parents=True, exist_ok=True)
        if hasattr(tarfile, "data_filter"):  # Python >= 3.12 and patched 3.10/3.11
            tar.extractall(target, members=members, filter="data")
        else:  # pragma: no cover - old interpreters; members were checked above
            tar.extractall(target, members=members)


def extract_zip(archive: Path, target: Path) -> None:
    """Extract a zip archive into ``target`` after checking every member."""
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:
            _check_member_path(info.filename, archive)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeArchiveError(
                    f"El archivo comprimido {archive.name} contiene un enlace simbólico "
                    f"('{info.filename}'). Lo rechazo."
                )
        target.mkdir(parents=True, exist_ok=True)
        zf.extractall(target, members=infos)


def extract(archive: Path, kind: str, target: Path) -> None:
    """Extract ``archive`` of ``kind`` ('tar' or 'zip') into ``target``."""
    try:
        if kind == "tar":
            extract_tar(archive, target)
        elif kind == "zip":
            extract_zip(archive, target)
        else:
            raise ValueError(f"tipo de archivo comprimido desconocido: {kind}")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise IntegrityError(
            f"No pude abrir {archive.name} como archivo {kind}: {exc}. "
            "Puede estar dañado; bórralo de la caché y vuelve a descargarlo."
        ) from exc
