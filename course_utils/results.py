"""Headline figures of a lesson (accuracy, AUC, sizes, timings) saved for the tests.

A lesson calls ``course_utils.record(accuracy=acc, n_params=model.count_params())``.
The figures are merged into ``$COURSE_RESULTS_DIR/<notebook stem>.json``; the
``full`` test selection compares them with the thresholds in the notebook's
metadata (``metadata.course.thresholds``).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["notebook_stem", "record", "results_dir", "results_path"]

#: Used when nothing tells which notebook is running (e.g. a plain Python shell).
FALLBACK_STEM = "sesion_interactiva"


def _checkout_root() -> Path | None:
    """The repository root when course_utils runs from a checkout (editable install)."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "course_utils"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def results_dir() -> Path:
    """``$COURSE_RESULTS_DIR``, else ``build/results`` in the checkout (or in the current folder)."""
    if os.environ.get("COURSE_RESULTS_DIR"):
        return Path(os.environ["COURSE_RESULTS_DIR"]).expanduser()
    root = _checkout_root() or Path.cwd()
    return root / "build" / "results"


def notebook_stem(notebook: str | None = None) -> str:
    """Name of the running notebook without folder or extension.

    An explicit ``notebook`` wins; then ``$COURSE_NOTEBOOK`` (set by the test
    harness), then ``$JPY_SESSION_NAME`` (set by Jupyter).
    """
    for candidate in (notebook, os.environ.get("COURSE_NOTEBOOK"), os.environ.get("JPY_SESSION_NAME")):
        if candidate:
            stem = Path(candidate).stem
            if stem:
                return stem
    return FALLBACK_STEM


def results_path(notebook: str | None = None) -> Path:
    """Where ``record()`` writes the figures of ``notebook`` (default: the running one)."""
    return results_dir() / f"{notebook_stem(notebook)}.json"


def _plain(name: str, value: Any) -> float | int | str | bool | None:
    """Convert a figure to a JSON value (NumPy scalars included); NaN and inf become null."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()  # NumPy / TensorFlow scalars
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    raise TypeError(
        f"record(): la cifra {name!r} debe ser un número o un texto, no {type(value).__name__}. "
        "Convierte tu valor, por ejemplo con float(...)."
    )


def record(*, notebook: str | None = None, mode: str | None = None, **figures: Any) -> Path:
    """Save headline figures of the running notebook and return the JSON file's path.

    Figures from earlier calls in the same run are kept (merged by name). ``mode``
    (e.g. ``"smoke"`` or ``"full"``; default ``$COURSE_MODE``) is stored too; a
    file written in another mode is replaced, not merged.
    """
    if not figures:
        raise ValueError("record() necesita al menos una cifra, por ejemplo record(accuracy=0.93).")
    values = {name: _plain(name, value) for name, value in figures.items()}
    mode = mode or os.environ.get("COURSE_MODE") or None
    path = results_path(notebook)
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("mode") != mode:
            data = {}
    data["notebook"] = path.stem
    data["mode"] = mode
    data["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    data["figures"] = {**data.get("figures", {}), **values}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
