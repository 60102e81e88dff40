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
    """Every source of a file failed; the message lists each one and why.

    ``drive_tried``: a Google Drive source was among them (only then is its quota mentioned).
    ``kept``: partial downloads kept under the cache's ``downloads/.partial/``, which the
    next attempt continues (and still verifies in full before use).
    """

    def __init__(self, dataset: str, filename: str, failures: list[tuple[str, str]], *,
                 drive_tried: bool = False, kept: list[str] | None = None):
        self.dataset = dataset
        self.filename = filename
        self.failures = failures
        self.drive_tried = drive_tried
        self.kept = list(kept or [])
        lines = [f"No pude obtener '{filename}' del conjunto '{dataset}'."]
        if failures:
            lines.append("Probé estas fuentes, en este orden:")
            lines += [f"  {i}. {where}: {why}" for i, (where, why) in enumerate(failures, 1)]
        else:
            lines.append("Este archivo no tiene fuentes públicas y no hay un espejo configurado.")
        lines.append("Qué puedes hacer:")
        if self.kept:
            lines.append(
                "  - Vuelve a ejecutar la celda: lo que ya bajó quedó guardado ("
                + ", ".join(self.kept) + ") y la descarga continúa desde ahí; el archivo "
                "completo se verifica antes de usarlo.")
        else:
            lines.append("  - Vuelve a intentarlo en unos minutos (puede ser un corte pasajero de "
                         "la red o del servidor).")
        if drive_tried:
            lines.append("  - Si Google Drive limitó las descargas, esa cuota se libera sola en "
                         "unas horas.")
        lines += [
            "  - Usa un espejo: define COURSE_DATA_MIRROR con una URL o una carpeta que tenga "
            f"'{filename}' (tu profesor puede darte una).",
            "  - Practica sin red con el gemelo sintético: fetch(..., source=\"synthetic\") o "
            "DATA_SOURCE = \"synthetic\" en la celda de parámetros.",
        ]
        super().__init__("\n".join(lines))

    def __reduce__(self):
        return (_rebuild_fetch_error, (self.dataset, self.filename, self.failures,
                                       self.drive_tried, self.kept))


def _rebuild_fetch_error(dataset, filename, failures, drive_tried, kept) -> FetchError:
    return FetchError(dataset, filename, failures, drive_tried=drive_tried, kept=kept)
