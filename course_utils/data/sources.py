"""Getting one file from one place: a URL (resumable, with HTTP ranges), a Drive id (through
gdown), or a local mirror folder."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import gdown
import requests
import urllib3
from gdown.exceptions import FileURLRetrievalError
from tqdm.auto import tqdm

from .errors import SourceError
from .manifest import FileSpec, Source

MIRROR_ENV = "COURSE_DATA_MIRROR"
DRIVE_QUOTA_HINTS = ("too many users", "cannot retrieve the public link", "quota")
READ_TIMEOUT = 60  # seconds without a byte before a download is abandoned
CONNECT_TIMEOUT = 15
CHUNK = 1 << 20
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


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
    """Copy (local) or download (Drive, through gdown) ``location`` to ``dest`` in one go;
    raise SourceError (Spanish) on failure. URLs go through :func:`download_resumable`."""
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
        raise SourceError(_http_error(exc)) from exc
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError
            ) as exc:
        raise SourceError(
            "no hubo conexión con el servidor o se cortó a mitad de la descarga "
            f"({type(exc).__name__}); lo recibido se descartó"
        ) from exc
    except Exception as exc:  # gdown.DownloadError and friends: their text is not ours to repeat
        if "incomplete" in str(exc).lower():
            raise SourceError("la descarga se cortó antes de terminar; lo recibido se descartó"
                              ) from exc
        raise SourceError(f"la descarga falló ({type(exc).__name__})") from exc
    if not dest.is_file():
        raise SourceError("la descarga terminó sin escribir el archivo")


def _http_error(exc: requests.HTTPError) -> str:
    status = exc.response.status_code if exc.response is not None else "?"
    return f"el servidor respondió con el error HTTP {status}"


# --- resumable HTTP downloads -------------------------------------------------------------------

def partial_path(partial_dir: Path, spec: FileSpec, url: str) -> Path:
    """Where the partial download of ``spec`` from ``url`` is kept between attempts."""
    key = hashlib.sha256(url.encode()).hexdigest()[:12]
    return partial_dir / f"{spec.filename}.{key}.part"


def _meta_path(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


def discard_partial(partial: Path) -> None:
    """Forget a partial download and its notes."""
    partial.unlink(missing_ok=True)
    _meta_path(partial).unlink(missing_ok=True)


def _read_meta(partial: Path) -> dict:
    try:
        return json.loads(_meta_path(partial).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass
class Transfer:
    """What one call of :func:`download_resumable` did."""

    resumed_from: int = 0  # bytes already on disk that the server agreed to continue
    received: int = 0  # bytes received in this call
    restarted: bool = False  # a partial existed but the server sent the whole file again


def download_resumable(url: str, partial: Path, spec: FileSpec, quiet: bool = False) -> Transfer:
    """Download ``url`` into ``partial``, continuing a previous partial with an HTTP range.

    The partial is continued only if it was left by the same URL for the same manifest entry,
    and the server answers 206 with the expected ``Content-Range`` (``If-Range`` with the
    ETag/Last-Modified it gave before, so a changed file is not spliced onto old bytes).
    Otherwise it starts over. On a cut connection the bytes received stay in ``partial``
    when the server accepts ranges (SourceError says so), and are deleted when it does not.
    The caller verifies the complete file (size and checksum) before using it.
    """
    meta = _read_meta(partial)
    start = partial.stat().st_size if partial.is_file() else 0
    if start and (meta.get("url") != url or meta.get("checksum") != spec.checksum
                  or (spec.size is not None and start > spec.size)):
        discard_partial(partial)
        start, meta = 0, {}
    transfer = Transfer()
    if spec.size is not None and start == spec.size:
        transfer.resumed_from = start
        return transfer  # already complete: the caller verifies it
    headers = {"Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
        validator = meta.get("etag") or meta.get("last_modified")
        if validator:
            headers["If-Range"] = validator
    try:
        response = requests.get(url, headers=headers, stream=True,
                                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SourceError(f"no hubo conexión con el servidor ({type(exc).__name__})") from exc
    with response:
        if response.status_code == 416 and start:  # our range is past the end: start over
            discard_partial(partial)
            return download_resumable(url, partial, spec, quiet)
        try:
            response.raise_for_status()
        except requests.HTTPError as exc:
            raise SourceError(_http_error(exc)) from exc
        offset = _resume_offset(response, start, spec)
        if start and offset == 0:
            transfer.restarted = True
            if not quiet:
                print(f"El servidor no continuó la descarga anterior de '{spec.filename}' "
                      "(no acepta rangos o el archivo cambió): empiezo de cero.", file=sys.stderr)
        transfer.resumed_from = offset
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else spec.size
        accepts_ranges = response.headers.get("Accept-Ranges", "").lower() == "bytes" or offset > 0
        partial.parent.mkdir(parents=True, exist_ok=True)
        _meta_path(partial).write_text(json.dumps({
            "url": url, "checksum": spec.checksum, "total": total,
            "etag": _strong_etag(response), "last_modified": response.headers.get("Last-Modified"),
        }), encoding="utf-8")
        desc = f"Descargando {spec.filename}" + (" (continuación)" if offset else "")
        try:
            with open(partial, "ab" if offset else "wb") as fh, tqdm(
                total=total, initial=offset, unit="B", unit_scale=True, desc=desc, disable=quiet
            ) as bar:
                for block in _blocks(response):
                    fh.write(block)
                    transfer.received += len(block)
                    bar.update(len(block))
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _cut(exc, partial, total, accepts_ranges) from exc
    have = partial.stat().st_size
    if total is not None and have < total:
        raise _cut(None, partial, total, accepts_ranges)
    return transfer


def _blocks(response: requests.Response):
    """The body as it arrives (``read1``: a cut connection loses none of the bytes received)."""
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 < 2
        yield from response.iter_content(CHUNK)
        return
    while block := raw.read1(CHUNK):
        yield block


def _resume_offset(response: requests.Response, start: int, spec: FileSpec) -> int:
    """``start`` when the server honoured our range exactly, else 0 (a full response)."""
    if not start or response.status_code != 206:
        return 0
    match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match[1]) != start:
        raise SourceError("el servidor respondió con un rango distinto del pedido")
    if spec.size is not None and match[3] != "*" and int(match[3]) != spec.size:
        raise SourceError(f"el servidor anuncia {int(match[3]):,} bytes y el manifiesto "
                          f"{spec.size:,}: el archivo cambió")
    return start


def _strong_etag(response: requests.Response) -> str | None:
    etag = response.headers.get("ETag")
    return None if etag is None or etag.startswith("W/") else etag


def _cut(exc: Exception | None, partial: Path, total: int | None, accepts_ranges: bool
         ) -> SourceError:
    """The Spanish, true account of an interrupted transfer (and keep or drop the bytes)."""
    have = partial.stat().st_size if partial.is_file() else 0
    share = f" ({have / total:.0%})" if total else ""
    of = f" de {total:,}" if total else ""
    if isinstance(exc, OSError) and not isinstance(exc, (requests.RequestException,
                                                         urllib3.exceptions.HTTPError)):
        what = f"no pude escribir en el disco ({exc.strerror or exc}; ¿se llenó?)"
    else:
        what = "la conexión se cortó"
    if have and accepts_ranges:
        return SourceError(f"{what} tras recibir {have:,}{of} bytes{share}; lo recibido quedó en "
                           f"{partial} y el próximo intento continúa desde ahí")
    discard_partial(partial)
    return SourceError(f"{what} tras recibir {have:,}{of} bytes{share}; este servidor no "
                       "permite continuar una descarga, así que lo recibido se descartó")


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
