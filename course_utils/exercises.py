"""Self-checked exercises: lessons register checkers, students call ``check``.

A lesson's module ``course_utils/checks/lNN_tema.py`` registers its checkers::

    from course_utils.exercises import Wrong, exercise

    @exercise("01.nyquist", hint="Recuerda la frecuencia de Nyquist: la mitad de la de muestreo.")
    def nyquist(answer):
        if answer == 4000:
            return None                      # correct
        if answer == 8000:
            raise Wrong("Esa es la frecuencia de muestreo; Nyquist es la mitad.")
        return "Revisa la definición de la frecuencia de Nyquist."

and the notebook calls ``course_utils.check("01.nyquist", respuesta)``, which
prints one line of feedback in Spanish and returns ``True`` only when correct.
Modules in ``course_utils.checks`` are discovered automatically.
"""

from __future__ import annotations

import importlib
import numbers
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Exercise", "Wrong", "check", "exercise", "get", "is_unanswered", "registered"]

Checker = Callable[[Any], "str | None"]


class Wrong(Exception):
    """Raised by a checker to say the answer is wrong; its message is shown to the student."""


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its identifier, checker and optional hint."""

    id: str
    checker: Checker
    hint: str | None = None


_REGISTRY: dict[str, Exercise] = {}
_DISCOVERY_ERRORS: dict[str, str] = {}
_discovered = False


def exercise(exercise_id: str, hint: str | None = None) -> Callable[[Checker], Checker]:
    """Decorator that registers ``checker`` under ``exercise_id`` (e.g. ``"01.nyquist"``).

    The checker receives the student's answer and returns ``None`` when it is
    correct, or a Spanish explanation of what is wrong (or raises :class:`Wrong`).
    """

    def register(checker: Checker) -> Checker:
        previous = _REGISTRY.get(exercise_id)
        if previous is not None and _qualname(previous.checker) != _qualname(checker):
            raise ValueError(
                f"Exercise id {exercise_id!r} is already registered by {_qualname(previous.checker)}"
            )
        _REGISTRY[exercise_id] = Exercise(exercise_id, checker, hint)
        return checker

    return register


def _qualname(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def _discover() -> None:
    """Import every module of ``course_utils.checks`` once (their decorators register checkers)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    from . import checks

    for info in pkgutil.iter_modules(checks.__path__, prefix=f"{checks.__name__}."):
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # a broken lesson module must not break the others
            _DISCOVERY_ERRORS[info.name] = f"{type(exc).__name__}: {exc}"


def registered() -> list[str]:
    """Identifiers of every known exercise, sorted."""
    _discover()
    return sorted(_REGISTRY)


def get(exercise_id: str) -> Exercise | None:
    """The registered exercise, or None."""
    _discover()
    return _REGISTRY.get(exercise_id)


def is_unanswered(answer: Any) -> bool:
    """True for ``None``, ``...`` or a tuple/list/dict that still contains ``...``."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, (tuple, list)):
        return any(item is Ellipsis for item in answer)
    if isinstance(answer, dict):
        return any(item is Ellipsis for item in answer.values())
    return False


def _unknown_message(exercise_id: str) -> str:
    lesson = str(exercise_id).split(".", 1)[0]
    same_lesson = [eid for eid in registered() if eid.split(".", 1)[0] == lesson]
    text = f"❓ Ejercicio {exercise_id}: no existe un ejercicio con ese identificador."
    if same_lesson:
        text += " Los de esta lección son: " + ", ".join(same_lesson) + "."
    else:
        text += " Revisa que lo escribiste igual que en el enunciado (por ejemplo \"01.nyquist\")."
    broken = [name for name in _DISCOVERY_ERRORS if f"l{lesson}_" in name]
    if broken:
        text += " (No se pudo cargar " + ", ".join(broken) + "; avisa a quien imparte el curso.)"
    return text


def _run_checker(item: Exercise, answer: Any) -> str | None:
    """The checker's verdict: None when correct, else an explanation (never raises)."""
    try:
        verdict = item.checker(answer)
    except Wrong as exc:
        return str(exc) or "la respuesta no es correcta."
    except AssertionError as exc:
        return str(exc) or "la respuesta no es correcta."
    except Exception as exc:
        return (
            "no se pudo revisar tu respuesta porque no tiene la forma esperada "
            f"({type(exc).__name__}: {exc}). Revisa el tipo y la forma que pide el enunciado."
        )
    if verdict is None or verdict is True:
        return None
    if verdict is False or not str(verdict).strip():
        return "la respuesta no es correcta."
    return str(verdict)


def as_number(answer: Any, example: str = "3.14") -> float:
    """``answer`` as a float, or ``Wrong`` with a Spanish explanation (for checkers)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong(f"escribe un número (por ejemplo {example}), no {type(answer).__name__}.")
    return float(answer)


def as_integer(answer: Any, what: str = "la respuesta") -> int:
    """``answer`` as an int (7 or 7.0), or ``Wrong`` with a Spanish explanation (for checkers)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong(f"{what} debe ser un número entero, no {type(answer).__name__}.")
    if float(answer) != int(answer):
        raise Wrong(f"{what} debe ser un número entero; recibí {answer!r}.")
    return int(answer)


def feedback(exercise_id: str, answer: Any) -> str | None:
    """The checker's verdict without printing: None when correct, else the explanation.

    Raises KeyError for an unknown id (``check`` prints a message instead).
    """
    item = get(exercise_id)
    if item is None:
        raise KeyError(f"{exercise_id} is not a registered exercise")
    return _run_checker(item, answer)


def check(exercise_id: str, answer: Any) -> bool:
    """Check ``answer`` for ``exercise_id``, print feedback in Spanish, return True if correct.

    Never raises: an unknown id, an unanswered exercise (``None`` or ``...``) or a
    checker that fails on an unexpected answer all print a message and return False.
    """
    item = get(exercise_id)
    if item is None:
        print(_unknown_message(exercise_id))
        return False
    if is_unanswered(answer):
        text = f"⏳ Ejercicio {exercise_id} aún sin responder: reemplaza ... por tu respuesta y vuelve a ejecutar la celda."
        if item.hint:
            text += f" Pista: {item.hint}"
        print(text)
        return False
    problem = _run_checker(item, answer)
    if problem is None:
        print(f"✅ Ejercicio {exercise_id}: ¡correcto!")
        return True
    print(f"❌ Ejercicio {exercise_id}: {problem}")
    return False
