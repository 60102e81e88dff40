"""Self-checked exercises: lessons register checkers, students call ``check``.

A lesson's module ``course_utils/checks/lNN_tema.py`` registers its checkers::

    from course_utils.exercises import Wrong, as_number, exercise

    @exercise(
        "01.nyquist",
        hint="la frecuencia de Nyquist es la mitad de la de muestreo.",
        worked_step="sr = 8000, así que Nyquist = 8000 / 2 = ...",
        solution=4000,
        explanation="Nyquist es sr / 2: con 8000 Hz, 4000 Hz.",
    )
    def nyquist(answer):
        value = as_number(answer)
        if value == 4000:
            return None                      # correct
        if value == 8000:
            raise Wrong("esa es la frecuencia de muestreo; Nyquist es la mitad.")
        return "revisa la definición de la frecuencia de Nyquist."

The notebook calls ``course_utils.check("01.nyquist", respuesta)``: it prints one
line of feedback in Spanish and returns ``None``. The hint appears after the first
wrong answer, the worked step after the second; ``course_utils.solution(id)``
prints the reference solution. Tests use :func:`is_correct`. A solution is a
value, a function (when the answer is a function) or :class:`Code` evaluated in
the lesson's variables. Modules in ``course_utils.checks`` are discovered automatically.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import numbers
import pkgutil
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Code", "Exercise", "Wrong", "as_integer", "as_number", "as_numbers", "best_validation", "check",
    "exercise",
    "get", "is_correct", "is_unanswered", "near", "reference_answer", "registered", "solution",
]

Checker = Callable[[Any], "str | None"]


class Wrong(Exception):
    """Raised by a checker to say the answer is wrong; its message is shown to the student."""


@dataclass(frozen=True)
class Code:
    """A reference solution written as code in the lesson's variables (e.g. ``np.std(a, ddof=1)``).

    ``source`` is an expression, or statements whose last line is an expression: its value
    is the answer.
    """

    source: str

    def evaluate(self, namespace: Mapping[str, Any] | None = None) -> Any:
        """The answer this code gives in ``namespace`` (a lesson's ``globals()``)."""
        scope = dict(namespace or {})
        tree = ast.parse(textwrap.dedent(self.source).strip(), mode="exec")
        if not tree.body or not isinstance(tree.body[-1], ast.Expr):
            raise ValueError("the last line of a Code solution must be an expression")
        last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, "<solución>", "exec"), scope)
        return eval(compile(last, "<solución>", "eval"), scope)


_NO_SOLUTION = object()


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its id, checker, hints and reference solution."""

    id: str
    checker: Checker
    hint: str | None = None
    worked_step: str | None = None
    solution: Any = _NO_SOLUTION
    explanation: str | None = None

    @property
    def has_solution(self) -> bool:
        return self.solution is not _NO_SOLUTION


_REGISTRY: dict[str, Exercise] = {}
_DISCOVERY_ERRORS: dict[str, str] = {}
_WRONG_TRIES: dict[str, int] = {}
_discovered = False


def exercise(
    exercise_id: str,
    hint: str | None = None,
    *,
    worked_step: str | None = None,
    solution: Any = _NO_SOLUTION,
    explanation: str | None = None,
) -> Callable[[Checker], Checker]:
    """Decorator that registers ``checker`` under ``exercise_id`` (e.g. ``"01.nyquist"``).

    The checker receives the student's answer and returns ``None`` when it is correct,
    or a Spanish explanation of what is wrong (or raises :class:`Wrong`). ``hint`` is
    shown after the first wrong answer, ``worked_step`` after the second; ``solution``
    and ``explanation`` are what :func:`solution` prints.
    """

    def register(checker: Checker) -> Checker:
        previous = _REGISTRY.get(exercise_id)
        if previous is not None and _qualname(previous.checker) != _qualname(checker):
            raise ValueError(
                f"Exercise id {exercise_id!r} is already registered by {_qualname(previous.checker)}"
            )
        _REGISTRY[exercise_id] = Exercise(
            exercise_id, checker, hint, worked_step, solution, explanation
        )
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


_EMPTY_BODY_OPS = frozenset({"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST", "POP_TOP",
                             "CACHE", "PRECALL", "NOT_TAKEN"})


def _is_empty_function(func: Any) -> bool:
    """True for a function whose body is still only ``...`` (and maybe a docstring or comments)."""
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
        node = tree.body[0]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return all(
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                and (stmt.value.value is Ellipsis or isinstance(stmt.value.value, str))
                for stmt in node.body
            ) and any(
                isinstance(stmt, ast.Expr) and stmt.value.value is Ellipsis for stmt in node.body
            )
    except (OSError, TypeError, SyntaxError, IndexError):
        pass
    import dis  # no source (e.g. exec'd code): a body that only returns None does nothing

    return not code.co_names and all(ins.opname in _EMPTY_BODY_OPS for ins in dis.get_instructions(code))


def is_unanswered(answer: Any) -> bool:
    """True for ``None``, ``...``, a tuple/list/dict that still contains ``...``, or a function
    whose body is still ``...``."""
    if answer is None or answer is Ellipsis:
        return True
    if inspect.isfunction(answer):
        return _is_empty_function(answer)
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


# --- helpers for checkers: fair reading of numbers and sequences ------------------------------

def _scalar(answer: Any) -> Any:
    """NumPy/TensorFlow scalars and 0-d or one-element arrays as plain Python numbers."""
    if hasattr(answer, "numpy") and callable(answer.numpy):  # a TensorFlow tensor
        answer = answer.numpy()
    if hasattr(answer, "ndim") and hasattr(answer, "item"):
        if getattr(answer, "ndim", None) == 0 or getattr(answer, "size", None) == 1:
            return answer.item()
    return answer


def as_number(answer: Any, example: str = "3.14") -> float:
    """``answer`` (int, float, NumPy scalar, 0-d array) as a float, or ``Wrong`` in Spanish."""
    value = _scalar(answer)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Wrong(f"escribe un número (por ejemplo {example}), no {type(answer).__name__}.")
    return float(value)


def as_integer(answer: Any, what: str = "la respuesta") -> int:
    """``answer`` as an int (7, 7.0, ``np.int64(7)``), or ``Wrong`` with a Spanish explanation."""
    value = _scalar(answer)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Wrong(f"{what} debe ser un número entero, no {type(answer).__name__}.")
    if float(value) != int(value):
        raise Wrong(f"{what} debe ser un número entero; recibí {answer!r}.")
    return int(value)


def as_numbers(answer: Any, length: int | None = None, what: str = "la respuesta") -> list[float]:
    """A tuple, list or 1-d array of numbers as a list of floats, or ``Wrong`` in Spanish."""
    if hasattr(answer, "tolist") and not isinstance(answer, (str, bytes)):
        answer = answer.tolist()
    if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, Sequence):
        raise Wrong(f"{what} debe ser una tupla, una lista o un arreglo de números.")
    values = [as_number(item) for item in answer]
    if length is not None and len(values) != length:
        raise Wrong(f"{what} debe tener {length} números; tiene {len(values)}.")
    return values


def near(answer: float, value: float, decimals: int) -> bool:
    """True when ``answer`` is ``value`` to ``decimals`` decimals (rounded either way)."""
    return abs(float(answer) - float(value)) <= 0.5 * 10.0 ** (-decimals) + 1e-9


def best_validation(value: Any, which: str, metric: str = "val_accuracy",
                    advice: str = "entrena con datos de validación") -> float:
    """The best ``metric`` of a Keras History (or its ``history`` dict), or the number given.

    For the open exercises: ``val_accuracy`` gives the highest value (a number in [0, 1]),
    a loss (``val_loss``) the lowest (finite, not negative). ``which`` names the run in the
    Spanish message; ``advice`` says how to get the metric when the History lacks it.
    """
    lower_is_better = "loss" in metric
    history = getattr(value, "history", value)
    if isinstance(history, Mapping):
        values = history.get(metric)
        if values is None or len(values) == 0:
            raise Wrong(f"el entrenamiento de «{which}» no tiene '{metric}': {advice}.")
        numbers = [as_number(v) for v in values]
        figure = min(numbers) if lower_is_better else max(numbers)
    else:
        figure = as_number(value, "0.25" if lower_is_better else "0.75")
    if lower_is_better and not (math.isfinite(figure) and figure >= 0):
        raise Wrong(f"la pérdida de «{which}» debe ser un número positivo; es {figure}.")
    if not lower_is_better and not 0.0 <= figure <= 1.0:
        raise Wrong(f"la exactitud de «{which}» debe estar entre 0 y 1; recibí {figure:g}.")
    return figure


# --- what the student calls --------------------------------------------------------------------

def feedback(exercise_id: str, answer: Any) -> str | None:
    """The checker's verdict without printing: None when correct, else the explanation.

    Raises KeyError for an unknown id (``check`` prints a message instead).
    """
    item = get(exercise_id)
    if item is None:
        raise KeyError(f"{exercise_id} is not a registered exercise")
    return _run_checker(item, answer)


def is_correct(exercise_id: str, answer: Any) -> bool:
    """True when ``answer`` is correct (nothing printed; an unknown id raises KeyError)."""
    if get(exercise_id) is None:
        raise KeyError(f"{exercise_id} is not a registered exercise")
    return not is_unanswered(answer) and feedback(exercise_id, answer) is None


def check(exercise_id: str, answer: Any) -> None:
    """Check ``answer`` for ``exercise_id`` and print feedback in Spanish (returns None).

    Never raises: an unknown id, an unanswered exercise (``None`` or ``...``) or a
    checker that fails on an unexpected answer all print a message. The hint comes
    after the first wrong answer, the worked step after the second, and from then on
    a pointer to :func:`solution`.
    """
    item = get(exercise_id)
    if item is None:
        print(_unknown_message(exercise_id))
        return
    if is_unanswered(answer):
        print(
            f"⏳ Ejercicio {exercise_id} aún sin responder: reemplaza cada ... por tu respuesta "
            "y vuelve a ejecutar la celda."
        )
        return
    problem = _run_checker(item, answer)
    if problem is None:
        print(f"✅ Ejercicio {exercise_id}: ¡correcto!")
        return
    tries = _WRONG_TRIES[exercise_id] = _WRONG_TRIES.get(exercise_id, 0) + 1
    lines = [f"❌ Ejercicio {exercise_id}: {problem}"]
    if tries == 1 and item.hint:
        lines.append(f"   Pista: {item.hint}")
    elif tries >= 2:
        step = item.worked_step or item.hint
        if step:
            lines.append(f"   Un paso más: {step}")
        if tries >= 3 and item.has_solution:
            lines.append(f'   Si te atascaste, course_utils.solution("{exercise_id}") muestra una solución.')
    print("\n".join(lines))


def reference_answer(exercise_id: str, namespace: Mapping[str, Any] | None = None) -> Any:
    """The reference solution's answer (a :class:`Code` solution runs in ``namespace``)."""
    item = get(exercise_id)
    if item is None:
        raise KeyError(f"{exercise_id} is not a registered exercise")
    if not item.has_solution:
        raise LookupError(f"{exercise_id} has no reference solution")
    if isinstance(item.solution, Code):
        return item.solution.evaluate(namespace)
    return item.solution


def _solution_text(value: Any) -> str:
    if isinstance(value, Code):
        return textwrap.dedent(value.source).strip()
    if callable(value):
        try:
            return textwrap.dedent(inspect.getsource(value)).strip()
        except (OSError, TypeError):
            return repr(value)
    return repr(value)


def solution(exercise_id: str) -> None:
    """Print the reference solution of ``exercise_id`` with a short Spanish explanation."""
    item = get(exercise_id)
    if item is None:
        print(_unknown_message(exercise_id))
        return
    if not item.has_solution:
        print(f"Ejercicio {exercise_id}: todavía no tiene una solución de referencia; avisa a quien imparte el curso.")
        return
    text = f"💡 Solución de referencia del ejercicio {exercise_id}:\n\n"
    text += textwrap.indent(_solution_text(item.solution), "    ")
    if item.explanation:
        text += f"\n\n{item.explanation}"
    print(text)
