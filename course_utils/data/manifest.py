"""Dataset manifests: one YAML file per dataset, validated on load."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ManifestError

CHECKSUM_RE = re.compile(r"^(sha256|md5):([0-9a-f]+)$")
HEX_LENGTHS = {"sha256": 64, "md5": 32}
EXTRACT_KINDS = ("tar", "zip", "none")
NAME_RE = re.compile(r"^[a-z0-9_]+$")
FILENAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class Source:
    """Where a file can be downloaded from: a plain URL or a Google Drive file id."""

    kind: str  # "url" or "gdrive"
    value: str

    def describe(self) -> str:
        return f"Google Drive id {self.value}" if self.kind == "gdrive" else self.value


@dataclass(frozen=True)
class FileSpec:
    """One downloadable file of a dataset."""

    filename: str
    sources: tuple[Source, ...]
    extract: str
    target: str = "."
    size: int | None = None
    checksum: str | None = None  # "sha256:<hex>" or "md5:<hex>"

    @property
    def algorithm(self) -> str | None:
        return self.checksum.split(":", 1)[0] if self.checksum else None

    @property
    def digest(self) -> str | None:
        return self.checksum.split(":", 1)[1] if self.checksum else None


@dataclass(frozen=True)
class Manifest:
    """A dataset as declared in ``data_manifests/<name>.yaml``."""

    name: str
    title: str
    description: str
    homepage: str
    license: str
    citation: str
    files: tuple[FileSpec, ...]
    root: str
    layout: str
    synthetic_generator: str
    synthetic_seed: int = 0
    synthetic_params: dict[str, Any] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    path: Path | None = None

    @property
    def total_size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(sizes)  # type: ignore[misc]

    def to_dict(self) -> dict[str, Any]:
        """The manifest as plain data (for ``info --json``)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "homepage": self.homepage,
            "license": self.license,
            "citation": self.citation,
            "root": self.root,
            "layout": self.layout,
            "expect": list(self.expect),
            "files": [
                {
                    "filename": f.filename,
                    "sources": [{s.kind: s.value} for s in f.sources],
                    "size": f.size,
                    "checksum": f.checksum,
                    "extract": f.extract,
                    "target": f.target,
                }
                for f in self.files
            ],
            "synthetic": {
                "generator": self.synthetic_generator,
                "seed": self.synthetic_seed,
                "params": dict(self.synthetic_params),
            },
            "path": str(self.path) if self.path else None,
        }


def manifests_dir() -> Path:
    """Folder holding the manifests: ``COURSE_MANIFESTS_DIR``, the wheel's copy, or the checkout's."""
    override = os.environ.get("COURSE_MANIFESTS_DIR")
    if override:
        return Path(override)
    package_dir = Path(__file__).resolve().parents[1]
    for candidate in (package_dir / "data_manifests", package_dir.parent / "data_manifests"):
        if candidate.is_dir():
            return candidate
    raise ManifestError(
        "No encuentro la carpeta data_manifests/ (ni dentro del paquete ni junto a él). "
        "Reinstala course_utils o define COURSE_MANIFESTS_DIR."
    )


def list_datasets() -> list[str]:
    """Names of every dataset with a manifest, sorted."""
    return sorted(p.stem for p in manifests_dir().glob("*.yaml"))


def load_manifest(name: str) -> Manifest:
    """Load and validate ``<manifests_dir>/<name>.yaml``."""
    path = manifests_dir() / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(list_datasets()) or "(ninguno)"
        raise ManifestError(f"No hay un manifiesto para el conjunto '{name}'. Conjuntos disponibles: {known}.")
    return _load_cached(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load_cached(path: Path, _mtime: int) -> Manifest:
    return parse_manifest_file(path)


def parse_manifest_file(path: Path) -> Manifest:
    """Parse one manifest file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: no es YAML válido: {exc}") from exc
    return parse_manifest(data, path)


def parse_manifest(data: Any, path: Path | None = None) -> Manifest:
    """Validate plain data against the manifest schema."""
    where = str(path) if path else "<manifiesto>"

    def fail(field_name: str, problem: str) -> ManifestError:
        return ManifestError(f"{where}: campo '{field_name}': {problem}")

    def text(obj: dict, key: str, prefix: str = "", required: bool = True) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                raise fail(prefix + key, "falta (es obligatorio)")
            return ""
        if not isinstance(value, str) or not value.strip():
            raise fail(prefix + key, f"debe ser un texto no vacío, no {value!r}")
        return value.strip()

    if not isinstance(data, dict):
        raise ManifestError(f"{where}: el manifiesto debe ser un mapa YAML (clave: valor).")
    known = {"name", "title", "description", "homepage", "license", "citation", "files", "root",
             "layout", "expect", "synthetic"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise fail(unknown[0], f"clave desconocida (las válidas son: {', '.join(sorted(known))})")

    name = text(data, "name")
    if not NAME_RE.match(name):
        raise fail("name", "usa solo minúsculas, dígitos y guion bajo")
    if path is not None and path.stem != name:
        raise fail("name", f"'{name}' no coincide con el nombre del archivo '{path.stem}'")

    raw_files = data.get("files")
    if not isinstance(raw_files, list) or not raw_files:
        raise fail("files", "debe ser una lista con al menos un archivo")
    files = tuple(_parse_file(entry, i, fail) for i, entry in enumerate(raw_files))
    names = [f.filename for f in files]
    if len(set(names)) != len(names):
        raise fail("files", "hay dos archivos con el mismo 'filename'")

    root = text(data, "root")
    if Path(root).is_absolute() or ".." in Path(root).parts:
        raise fail("root", "debe ser una ruta relativa dentro del conjunto")

    expect = data.get("expect", [])
    if not isinstance(expect, list) or not all(isinstance(e, str) and e for e in expect):
        raise fail("expect", "debe ser una lista de rutas relativas a la raíz")

    synthetic = data.get("synthetic")
    if not isinstance(synthetic, dict):
        raise fail("synthetic", "falta el bloque con 'generator', 'seed' y 'params'")
    generator = text(synthetic, "generator", "synthetic.")
    seed = synthetic.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise fail("synthetic.seed", "debe ser un entero")
    params = synthetic.get("params") or {}
    if not isinstance(params, dict):
        raise fail("synthetic.params", "debe ser un mapa de parámetros")

    return Manifest(
        name=name,
        title=text(data, "title"),
        description=text(data, "description"),
        homepage=text(data, "homepage"),
        license=text(data, "license"),
        citation=text(data, "citation"),
        files=files,
        root=root,
        layout=text(data, "layout"),
        synthetic_generator=generator,
        synthetic_seed=seed,
        synthetic_params=params,
        expect=tuple(expect),
        path=path,
    )


def _parse_file(entry: Any, index: int, fail) -> FileSpec:
    prefix = f"files[{index}]."
    if not isinstance(entry, dict):
        raise fail(f"files[{index}]", "cada archivo debe ser un mapa")
    unknown = sorted(set(entry) - {"filename", "sources", "size", "checksum", "extract", "target"})
    if unknown:
        raise fail(prefix + unknown[0], "clave desconocida")
    filename = entry.get("filename")
    if not isinstance(filename, str) or not FILENAME_RE.match(filename):
        raise fail(prefix + "filename", "debe ser un nombre de archivo simple (letras, dígitos, . _ -)")

    raw_sources = entry.get("sources")
    if not isinstance(raw_sources, list):
        raise fail(prefix + "sources", "debe ser una lista (puede estar vacía si solo hay espejo)")
    sources = []
    for j, src in enumerate(raw_sources):
        if not isinstance(src, dict) or len(src) != 1:
            raise fail(f"{prefix}sources[{j}]", "debe ser {url: ...} o {gdrive: <id>}")
        (kind, value), = src.items()
        if kind not in ("url", "gdrive") or not isinstance(value, str) or not value:
            raise fail(f"{prefix}sources[{j}]", "debe ser {url: ...} o {gdrive: <id>}")
        if kind == "url" and not value.startswith(("http://", "https://")):
            raise fail(f"{prefix}sources[{j}].url", "debe empezar con http:// o https://")
        sources.append(Source(kind, value))

    size = entry.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
        raise fail(prefix + "size", "debe ser un entero positivo (bytes)")

    checksum = entry.get("checksum")
    if checksum is not None:
        match = CHECKSUM_RE.match(str(checksum))
        if not match or len(match.group(2)) != HEX_LENGTHS[match.group(1)]:
            raise fail(prefix + "checksum", "debe ser 'sha256:<64 hex>' o 'md5:<32 hex>'")

    extract = entry.get("extract")
    if extract not in EXTRACT_KINDS:
        raise fail(prefix + "extract", f"debe ser uno de {', '.join(EXTRACT_KINDS)}")
    target = entry.get("target", ".")
    if not isinstance(target, str) or Path(target).is_absolute() or ".." in Path(target).parts:
        raise fail(prefix + "target", "debe ser una ruta relativa dentro del conjunto")
    if extract == "none" and target == ".":
        raise fail(prefix + "target", "un archivo sin extraer necesita un 'target' con su nombre")
    return FileSpec(filename=filename, sources=tuple(sources), extract=extract, target=target,
                    size=size, checksum=checksum)
