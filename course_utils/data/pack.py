"""Pack a prepared folder into one zip: prepare once, upload to Drive, fetch with gdown."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from .integrity import file_hash

STORED_SUFFIXES = {".wav", ".flac", ".mp3", ".npy", ".npz", ".zip", ".gz", ".png", ".jpg"}


@dataclass(frozen=True)
class PackResult:
    archive: Path
    size: int
    sha256: str

    def manifest_snippet(self) -> str:
        """YAML to paste under ``files:`` in a manifest."""
        return (
            f"  - filename: {self.archive.name}\n"
            "    sources:\n"
            "      - gdrive: <id del archivo en tu Google Drive>\n"
            f"    size: {self.size}\n"
            f"    checksum: sha256:{self.sha256}\n"
            "    extract: zip\n"
        )


def pack(src_dir: str | os.PathLike, name: str, out_dir: str | os.PathLike | None = None,
         quiet: bool = False) -> PackResult:
    """Zip ``src_dir``'s contents (paths relative to it, sorted, fixed timestamps) as
    ``<out_dir>/<name>.zip``, written atomically."""
    src = Path(src_dir).expanduser().resolve()
    if not src.is_dir():
        raise FileNotFoundError(f"No existe la carpeta {src}: indica la carpeta que quieres empaquetar.")
    out = Path(out_dir).expanduser().resolve() if out_dir else Path.cwd()
    out.mkdir(parents=True, exist_ok=True)
    archive = out / (name if name.endswith(".zip") else f"{name}.zip")
    if archive.is_relative_to(src):
        raise ValueError("El archivo de salida no puede quedar dentro de la carpeta que empaquetas.")
    files = sorted(p for p in src.rglob("*") if p.is_file() and not p.is_symlink())
    if not files:
        raise ValueError(f"La carpeta {src} está vacía: no hay nada que empaquetar.")
    tmp = archive.with_name(archive.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for path in tqdm(files, desc=f"Empaquetando {archive.name}", unit="archivo", disable=quiet):
                info = zipfile.ZipInfo(path.relative_to(src).as_posix(), date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                stored = path.suffix.lower() in STORED_SUFFIXES
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                with open(path, "rb") as fh, zf.open(info, "w") as dest:
                    while chunk := fh.read(1 << 20):
                        dest.write(chunk)
        os.replace(tmp, archive)
    finally:
        tmp.unlink(missing_ok=True)
    return PackResult(archive, archive.stat().st_size, file_hash(archive))
