"""Helpers for the course «Aprendizaje automático para audio».

The public API is imported lazily so that ``import course_utils`` stays fast:
TensorFlow is only loaded when ``setup()`` or ``seed_everything()`` runs.

- ``setup(seed=0, deterministic=False)`` -> ``CourseEnv``: first call of every lesson.
- ``seed_everything(seed, deterministic=False)``: seeds Python, NumPy and TensorFlow.
- ``record(**figures)``: saves a lesson's headline figures for the tests.
- ``check(exercise_id, answer)``: checks an exercise and prints feedback in Spanish.
- ``solution(exercise_id)``: prints an exercise's reference solution.
- Subpackages and modules (``data``, ``datasets``, ``exercises``, ``audio``...) load on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_LAZY_NAMES = {
    "CourseEnv": "env",
    "setup": "env",
    "seed_everything": "env",
    "record": "results",
    "check": "exercises",
    "solution": "exercises",
}

__all__ = ["CourseEnv", "check", "data", "datasets", "exercises", "record", "seed_everything", "setup", "solution"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import data, datasets, exercises
    from .env import CourseEnv, seed_everything, setup
    from .exercises import check, solution
    from .results import record


def __getattr__(name: str) -> Any:
    """Import public functions and submodules (``course_utils.data``...) on first access."""
    if name in _LAZY_NAMES:
        module = importlib.import_module(f".{_LAZY_NAMES[name]}", __name__)
        value = getattr(module, name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
