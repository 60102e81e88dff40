"""Getting one file from one place: a URL or Drive id (through gdown), or a local mirror folder."""

from __future__ import annotations

import inspect
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import gdown
import requests
from gdown.exceptions import FileURLRetrievalError
from tqdm.auto import tqdm

from .errors import SourceError
from .manifest import FileSpec, Source

MIRROR_ENV = "COURSE_DATA_MIRROR"
DRIVE_QUOTA_HINTS = ("too many users", "cannot retrieve the public link", "quota")
READ_TIMEOUT = 60  # seconds without a byte before a download is abandoned


@dataclass(frozen=True)
class Location:
    """A concrete place to get a file from: a URL, a Drive id or a local file."""

    kind: str  # "url", "gdrive" or "local"
    value: str
    label: str  # how the error report names it

    def describe(self) -> str:
        return self.label


def mirror_location(spec: FileSpec, mirror: str | None = None) -> Location | None:
    """The file on the mirror named by ``COURSE_DATA_MIRROR`` (URL prefix or folder), if set."""
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return None
    if mirror.startswith(("http://", "https://")):
        return Location("url", mirror.rstrip("/") + "/" + spec.filename, f"espejo {mirror}")
    folder = Path(mirror.removeprefix("file://")).expanduser()
    return Location("local", str(folder / spec.filename), f"espejo local {folder}")


def locations(spec: FileSpec) -> list[Location]:
    """Every place to try for ``spec``, the mirror first."""
    found = []
    mirror = mirror_location(spec)
    if mirror:
        found.append(mirror)
    for src in spec.sources:
        found.append(_from_source(src))
    return found


def _from_source(src: Source) -> Location:
    if src.kind == "gdrive":
        return Location("gdrive", src.value, f"Google Drive (id {src.value})")
    return Location("url", src.value, src.value)


def retrieve(location: Location, dest: Path, quiet: bool = False) -> None:
    """Copy or download ``location`` to ``dest``; raise SourceError (Spanish) on failure."""
    try:
        if location.kind == "local":
            _copy_local(Path(location.value), dest, quiet)
        elif location.kind == "gdrive":
            _gdown(dest, quiet, id=location.value)
        else:
            _gdown(dest, quiet, url=location.value)
    except SourceError:
        raise
    except FileURLRetrievalError as exc:
        raise SourceError(explain_drive_error(str(exc))) from exc
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise SourceError(f"el servidor respondió con el error HTTP {status}") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SourceError(
            "no hubo conexión con el servidor o se cortó a mitad de la descarga "
            f"({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # gdown.DownloadError and friends
        raise SourceError(f"la descarga falló: {type(exc).__name__}: {exc}") from exc
    if not dest.is_file():
        raise SourceError("la descarga terminó sin escribir el archivo")


def explain_drive_error(message: str) -> str:
    """Spanish explanation of a gdown/Drive error, recognising the quota and permission cases."""
    lowered = message.lower()
    if any(hint in lowered for hint in DRIVE_QUOTA_HINTS):
        return (
            "Google Drive limitó las descargas de este archivo (\"Too many users have viewed or "
            "downloaded this file recently\") o no es público. No es un error tuyo: la cuota se "
            "libera en unas horas; mientras tanto pruebo otra fuente."
        )
    return f"Google Drive no entregó el archivo: {message}"


def _gdown(dest: Path, quiet: bool, **target: str) -> None:
    kwargs: dict = {"output": str(dest), "quiet": quiet}
    params = inspect.signature(gdown.download).parameters
    if "timeout" in params:  # gdown >= 6
        kwargs["timeout"] = (15, READ_TIMEOUT)
    if "url" in target:
        kwargs["use_cookies"] = False
    gdown.download(**target, **kwargs)


def _copy_local(src: Path, dest: Path, quiet: bool) -> None:
    if not src.is_file():
        raise SourceError(f"no existe el archivo {src}")
    size = src.stat().st_size
    with open(src, "rb") as fin, open(dest, "wb") as fout, tqdm(
        total=size, unit="B", unit_scale=True, desc=f"Copiando {src.name}", disable=quiet
    ) as bar:
        while chunk := fin.read(1 << 20):
            fout.write(chunk)
            bar.update(len(chunk))
    shutil.copystat(src, dest)
