"""Errors of the data layer. Their messages are for students: Spanish, with what to do next."""

from __future__ import annotations


class DataError(Exception):
    """Base class of every data-layer error."""


class ManifestError(DataError):
    """A manifest file is missing or invalid."""


class IntegrityError(DataError):
    """A downloaded file has the wrong size or checksum."""


class UnsafeArchiveError(DataError):
    """An archive tries to write outside its extraction folder."""


class SourceError(DataError):
    """One source could not deliver a file (network, HTTP, Drive quota...)."""


class LayoutError(DataError):
    """A dataset folder does not have the expected layout."""


class FetchError(DataError):
    """Every source of a file failed; the message lists each one and why."""

    def __init__(self, dataset: str, filename: str, failures: list[tuple[str, str]]):
        self.dataset = dataset
        self.filename = filename
        self.failures = failures
        lines = [f"No pude obtener '{filename}' del conjunto '{dataset}'."]
        if failures:
            lines.append("Probé estas fuentes, en este orden:")
            lines += [f"  {i}. {where}: {why}" for i, (where, why) in enumerate(failures, 1)]
        else:
            lines.append("Este archivo no tiene fuentes públicas y no hay un espejo configurado.")
        lines += [
            "Qué puedes hacer:",
            "  - Vuelve a intentarlo en unos minutos (las cuotas de Google Drive se liberan solas).",
            "  - Usa un espejo: define COURSE_DATA_MIRROR con una URL o una carpeta que tenga "
            f"'{filename}' (tu profesor puede darte una).",
            "  - Practica sin red con el gemelo sintético: fetch(..., source=\"synthetic\") o "
            "DATA_SOURCE = \"synthetic\" en la celda de parámetros.",
        ]
        super().__init__("\n".join(lines))
