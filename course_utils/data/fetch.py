"""``fetch``: a dataset's root folder, real (downloaded, verified, extracted, cached) or synthetic."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import uuid
import warnings
from pathlib import Path
from typing import Any

from . import cache
from .errors import DataError, FetchError, IntegrityError, LayoutError, SourceError
from .extract import extract
from .integrity import has_valid_marker, invalidate, verify_file, write_marker
from .manifest import FileSpec, Manifest, load_manifest
from .sources import discard_partial, download_resumable, locations, partial_path, retrieve

SOURCES = ("real", "synthetic")


class UnverifiedDownloadWarning(UserWarning):
    """A file was downloaded from a source that publishes no checksum."""


def fetch(
    name: str,
    source: str | os.PathLike = "real",
    *,
    path: str | os.PathLike | None = None,
    synthetic_params: dict[str, Any] | None = None,
    quiet: bool = False,
) -> Path:
    """Return the root folder of dataset ``name``.

    - ``source="real"``: downloads every file of the manifest once (mirror first, then each
      source), checks size and checksum, extracts safely, and caches; later calls return at once.
    - ``source="synthetic"``: builds (once) the small deterministic twin with the real layout.
    - ``source=<folder>`` (a path, or ``path=<folder>``): use a copy you already have (Kaggle
      input, Google Drive, a classroom share), checked against the manifest's layout.
    """
    manifest = load_manifest(name)
    if path is None and is_folder_source(source):
        path = source
    if path is not None:
        return _use_local_folder(manifest, Path(path), quiet=quiet)
    if source == "synthetic":
        return build_twin(manifest, synthetic_params, quiet=quiet)
    target = cache.dataset_dir(manifest.name)
    with cache.dataset_lock(manifest.name):
        if not _installed(manifest, target):
            _clean_leftovers(target)
            layout_broken = not _layout_ok(manifest, target / manifest.root)
            for spec in manifest.files:
                if layout_broken or not _file_installed(spec, target):
                    archive = ensure_download(manifest, spec, quiet=quiet)
                    _install(archive, spec, target)
        root = target / manifest.root
        _check_layout(manifest, root)
    if not quiet:
        print(f"Conjunto real «{manifest.title}» listo en {root}")
    return root


def ensure_download(manifest: Manifest, spec: FileSpec, quiet: bool = False) -> Path:
    """The verified file ``downloads/<filename>``, downloading it if needed. Never returns a
    partial, corrupt or tampered file.

    A download from a URL that is cut keeps its bytes under ``downloads/.partial/`` (one
    partial per source) and the next call continues it with an HTTP range request; the
    complete file is still checked (size and checksum) before it is used.
    """
    final = cache.downloads_dir() / spec.filename
    if has_valid_marker(final, spec):
        return final
    if final.exists():  # present but never verified, or changed since: check it again
        try:
            write_marker(final, spec, verify_file(final, spec))
            return final
        except IntegrityError as exc:
            if not quiet:
                print(f"El archivo en caché no es válido; lo descargo de nuevo. ({exc})",
                      file=sys.stderr)
            invalidate(final)

    partial_dir = cache.downloads_dir() / ".partial"
    partial_dir.mkdir(parents=True, exist_ok=True)
    failures: list[tuple[str, str]] = []
    kept: list[str] = []
    drive_tried = False
    for location in locations(spec):
        drive_tried = drive_tried or location.kind == "gdrive"
        try:
            if location.kind == "url":
                sha256 = _download_url(location.value, spec, partial_dir, final, quiet)
            else:
                sha256 = _retrieve_whole(location, spec, partial_dir, final, quiet)
        except (SourceError, IntegrityError) as exc:
            failures.append((location.describe(), str(exc)))
            if not quiet:
                print(f"Falló {location.describe()}: {exc}", file=sys.stderr)
            if location.kind == "url" and partial_path(partial_dir, spec, location.value).is_file():
                kept.append(str(partial_path(partial_dir, spec, location.value)))
            continue
        write_marker(final, spec, sha256)
        if not spec.checksum:
            warnings.warn(
                f"Nadie publica una suma de verificación para '{spec.filename}'. La descarga "
                f"tiene sha256:{sha256} ({final.stat().st_size:,} bytes); anótala en el "
                "manifiesto para detectar cambios en el futuro.",
                UnverifiedDownloadWarning,
                stacklevel=2,
            )
        return final
    raise FetchError(manifest.name, spec.filename, failures, drive_tried=drive_tried, kept=kept)


def _retrieve_whole(location, spec: FileSpec, partial_dir: Path, final: Path, quiet: bool) -> str:
    """A local copy or a Drive download in one go (nothing kept if it fails); its sha256."""
    attempt_dir = partial_dir / uuid.uuid4().hex  # gdown keeps its own partial files here
    attempt_dir.mkdir()
    tmp = attempt_dir / spec.filename
    try:
        retrieve(location, tmp, quiet=quiet)
        sha256 = verify_file(tmp, spec)
        os.replace(tmp, final)
        return sha256
    finally:
        shutil.rmtree(attempt_dir, ignore_errors=True)


def _download_url(url: str, spec: FileSpec, partial_dir: Path, final: Path, quiet: bool) -> str:
    """Download (or continue) ``url`` into its partial, verify it, move it to ``final``."""
    partial = partial_path(partial_dir, spec, url)
    transfer = download_resumable(url, partial, spec, quiet)
    try:
        sha256 = verify_file(partial, spec)
    except IntegrityError:
        discard_partial(partial)  # bad bytes are never kept
        if not transfer.resumed_from:
            raise
        if not quiet:  # the kept part did not add up: once more, from zero
            print(f"'{spec.filename}' continuado no pasó la verificación; lo descargo de nuevo "
                  "desde cero.", file=sys.stderr)
        download_resumable(url, partial, spec, quiet)
        try:
            sha256 = verify_file(partial, spec)
        except IntegrityError:
            discard_partial(partial)
            raise
    os.replace(partial, final)
    discard_partial(partial)  # its notes
    return sha256


# --- installation (extraction) -------------------------------------------------------------

def _install_marker(spec: FileSpec, target: Path) -> Path:
    return target / ".installed" / f"{spec.filename}.json"


def _file_installed(spec: FileSpec, target: Path) -> bool:
    marker = _install_marker(spec, target)
    if not marker.is_file():
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return data.get("checksum") == spec.checksum and (target / spec.target).exists()


def _installed(manifest: Manifest, target: Path) -> bool:
    return all(_file_installed(s, target) for s in manifest.files) and _layout_ok(
        manifest, target / manifest.root
    )


def _clean_leftovers(target: Path) -> None:
    """Remove half-extracted folders a crash may have left."""
    if target.is_dir():
        for leftover in target.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()


def _install(archive: Path, spec: FileSpec, target: Path) -> None:
    """Extract (or copy) a verified file into the dataset folder; write its marker last."""
    dest = target / spec.target
    tmp = target / f".tmp-{spec.filename}-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    try:
        if spec.extract == "none":
            staged = tmp / dest.name
            shutil.copyfile(archive, staged)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, dest)
        else:
            extract(archive, spec.extract, tmp)
            dest.mkdir(parents=True, exist_ok=True)
            for entry in sorted(tmp.iterdir()):
                final = dest / entry.name
                if final.is_dir() and not final.is_symlink():
                    shutil.rmtree(final)
                elif final.exists() or final.is_symlink():
                    final.unlink()
                os.replace(entry, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    marker = _install_marker(spec, target)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"checksum": spec.checksum, "target": spec.target}),
                      encoding="utf-8")


# --- layout checks and local folders ----------------------------------------------------------

def _layout_ok(manifest: Manifest, root: Path) -> bool:
    return root.is_dir() and all((root / e).exists() for e in manifest.expect)


def _check_layout(manifest: Manifest, root: Path) -> None:
    missing = [e for e in manifest.expect if not (root / e).exists()]
    if not root.is_dir() or missing:
        raise LayoutError(
            f"La carpeta {root} no tiene la estructura de «{manifest.title}»: "
            f"falta {', '.join(missing) or 'la carpeta misma'}. Estructura esperada: "
            f"{manifest.layout}"
        )


def is_folder_source(source: str | os.PathLike) -> bool:
    """True when ``source`` names a folder rather than ``"real"`` or ``"synthetic"``."""
    return not (isinstance(source, str) and source in SOURCES)


def _use_local_folder(manifest: Manifest, folder: Path, quiet: bool = False) -> Path:
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise LayoutError(
            f"No existe la carpeta {folder}. DATA_SOURCE (o source) debe ser 'real', "
            f"'synthetic' o la ruta de una carpeta con «{manifest.title}»; revisa la ruta "
            "(en Colab, monta primero Google Drive)."
        )
    for candidate in (folder / manifest.root, folder):
        if _layout_ok(manifest, candidate):
            empty = [e for e in manifest.expect
                     if (candidate / e).is_dir() and not any((candidate / e).iterdir())]
            if empty:
                raise LayoutError(
                    f"La carpeta {candidate} tiene la estructura de «{manifest.title}», pero "
                    f"{', '.join(empty)} está vacía. Copia ahí los archivos del conjunto "
                    f"(estructura esperada: {manifest.layout})."
                )
            if not quiet:
                print(f"Uso tu carpeta de «{manifest.title}»: {candidate}")
            return candidate
    _check_layout(manifest, folder / manifest.root)
    raise AssertionError("unreachable")  # pragma: no cover


# --- synthetic twins ---------------------------------------------------------------------------

def build_twin(manifest: Manifest, overrides: dict[str, Any] | None = None, quiet: bool = False) -> Path:
    """Build (once, cached) the deterministic synthetic twin of a dataset; return its root."""
    from .twins import GENERATORS

    generator = GENERATORS.get(manifest.synthetic_generator)
    if generator is None:
        raise DataError(f"No hay generador sintético '{manifest.synthetic_generator}' "
                        f"para el conjunto '{manifest.name}'.")
    params = {**manifest.synthetic_params, **(overrides or {})}
    key = _twin_key(manifest, params)
    folder = cache.dataset_dir(manifest.name, synthetic=True)
    if overrides:
        folder = folder.with_name(f"{folder.name}-{key[:10]}")
    marker = folder / ".twin.json"
    with cache.dataset_lock(f"synthetic-{folder.name}"):
        if not (marker.is_file() and json.loads(marker.read_text()).get("key") == key):
            tmp = folder.with_name(f".tmp-{folder.name}-{uuid.uuid4().hex}")
            try:
                generator(tmp, params, manifest.synthetic_seed)
                (tmp / ".twin.json").write_text(json.dumps({"key": key, "params": params}))
                if folder.exists():
                    shutil.rmtree(folder)
                os.replace(tmp, folder)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        root = folder / manifest.root
        _check_layout(manifest, root)
    if not quiet:
        print(f"⚠️  Gemelo SINTÉTICO de «{manifest.title}»: datos generados para practicar sin red. "
              f"Las cifras que obtengas no son las del conjunto real. Carpeta: {root}")
    return root


def _twin_key(manifest: Manifest, params: dict[str, Any]) -> str:
    """Changes whenever the params, the seed or the twins' code change."""
    from . import twins

    digest = hashlib.sha256()
    digest.update(json.dumps({"seed": manifest.synthetic_seed, "params": params,
                              "generator": manifest.synthetic_generator},
                             sort_keys=True, default=str).encode())
    for source_file in sorted(Path(twins.__file__).parent.glob("*.py")):
        digest.update(source_file.read_bytes())
    return digest.hexdigest()
