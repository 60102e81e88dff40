"""Execute lesson notebooks with papermill and explain failures; used by ``tests/test_notebooks.py``.

- :func:`run_notebook` executes one notebook with injected parameters into an
  output copy and raises :class:`NotebookFailure` with a readable message
  (notebook, cell, error and traceback) when a cell fails.
- :func:`check_thresholds` compares recorded figures with the notebook's
  ``metadata.course.thresholds``.
- :func:`select_shard` keeps the notebooks of one shard (``NOTEBOOK_SHARD=i/n``).
- :func:`solutions_copy` makes the solutions run's copy of a lesson (each
  ``course_utils.check("ID", NAME)`` preceded by ``NAME = reference_answer("ID", globals())``),
  :func:`exercise_failures` reads an executed copy's verdicts and
  :func:`run_solutions` does both around :func:`run_notebook` (``make test-solutions``).
- :func:`real_data_mirror` finds the classroom mirror that ``make test-real`` needs; run as
  ``python tools/notebook_harness.py mirror`` it prints the mirror, or one line saying why the
  real-data run is skipped (exit status 3).
"""

from __future__ import annotations

import contextlib
import copy
import keyword
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = ROOT / "build"
SMOKE_PARAMETERS = {"SMOKE": True, "DATA_SOURCE": "synthetic"}
FULL_PARAMETERS = {"SMOKE": False, "DATA_SOURCE": "real"}
REAL_SMOKE_PARAMETERS = {"SMOKE": True, "DATA_SOURCE": "real"}
SMOKE_BUDGET_S = 60.0
# `make test-solutions`: every lesson in smoke mode with the reference solutions filled in; its
# transformed copies, executed copies and figures stay in build/solutions/ (apart from the smoke run).
SOLUTIONS_DIR = BUILD_DIR / "solutions"
# `make test-real`: the lessons whose real data the classroom mirror holds, and how each runs
# ("full": full parameters, thresholds of metadata.course.thresholds; "real-smoke": quick sizes
# on the real data, thresholds of metadata.course.thresholds_real_smoke). Listed in the order they
# run: the two longest (10, 03) start together on `make test-real`'s two workers.
REAL_RUNS = {
    "10_ensambles_fusion_y_reproducibilidad": "full",
    "00_bienvenida_y_entorno": "full",
    "03_machine_learning_clasico": "full",
    "01_fundamentos_del_audio": "full",
    "02_preprocesamiento": "full",
    "08_generacion_de_texto": "real-smoke",
}
REAL_DATASETS = ("fsdd", "tiny_shakespeare")  # what those lessons fetch from the mirror
MIRROR_ENV = "COURSE_DATA_MIRROR"
DEFAULT_MIRROR = Path("..") / "shared" / "data"  # beside the checkout, relative to ROOT
NOTEBOOK_SECONDS = "notebook_seconds"  # user property carrying (name, mode, seconds)
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class IPCKernelManager(AsyncKernelManager):
    """Kernel manager talking over Unix sockets: parallel workers can't clash on TCP ports."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _unique_socket_prefix(self) -> str:
        # jupyter_client's default ("kernel-ipc" in the working directory) is shared by every
        # kernel started in the same folder; give each kernel its own socket files.
        return str(Path(tempfile.gettempdir()) / f"course-kernel-{uuid.uuid4().hex[:12]}")


class NotebookFailure(Exception):
    """A notebook did not run to the end; the message says where and why."""

    def __init__(self, message: str, seconds: float = float("nan")) -> None:
        super().__init__(message)
        self.seconds = seconds


def strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


def select_shard(paths: list[Path], spec: str | None) -> list[Path]:
    """Notebooks of shard ``i/n`` (1-based): every n-th notebook starting at the i-th."""
    if not spec:
        return list(paths)
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"NOTEBOOK_SHARD must look like i/n with 1 <= i <= n, got {spec!r}")
    i, n = int(match.group(1)), int(match.group(2))
    return [p for k, p in enumerate(sorted(paths)) if k % n == i - 1]


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Temporarily set environment variables (inherited by the kernel papermill starts)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def kernel_environment(notebook: Path, mode: str, results_dir: Path) -> dict[str, str]:
    """Environment of a notebook's kernel: which notebook and mode, where results and data go."""
    env = {
        "COURSE_NOTEBOOK": notebook.stem,
        "COURSE_MODE": mode,
        "COURSE_RESULTS_DIR": str(results_dir),
        # Headless, and figures still land in the executed copy (plain Agg would drop them).
        "MPLBACKEND": INLINE_BACKEND,
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if mode in ("smoke", "solutions") and not os.environ.get("COURSE_DATA_DIR"):
        # Synthetic twins are built once per checkout and shared by every worker.
        env["COURSE_DATA_DIR"] = str(BUILD_DIR / "course_data")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if workers > 1:
        threads = str(max(1, (os.cpu_count() or 1) // workers))
        for var in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "OPENBLAS_NUM_THREADS"):
            env.setdefault(var, os.environ.get(var, threads))
    return env


def _source_cell_index(nb: Any, cell_index: int) -> int:
    """Index in the committed notebook (papermill's injected cell shifts the executed copy)."""
    injected = sum(
        1
        for cell in nb.cells[:cell_index]
        if "injected-parameters" in cell.get("metadata", {}).get("tags", [])
    )
    return cell_index - injected


def describe_failure(notebook: Path, output: Path, error: Any) -> str:
    """Readable report of a ``PapermillExecutionError``: notebook, cell, error, traceback."""
    import nbformat

    cell_index = error.cell_index
    with contextlib.suppress(Exception):
        cell_index = _source_cell_index(nbformat.read(output, as_version=4), error.cell_index)
    source = "\n".join("    " + line for line in (error.source or "").splitlines()[:12])
    traceback = strip_ansi("\n".join(error.traceback or [])).strip()
    return (
        f"{notebook.name}: cell {cell_index + 1} (index {cell_index}, In [{error.exec_count}]) raised "
        f"{error.ename}: {strip_ansi(str(error.evalue))}\n"
        f"--- cell source ---\n{source}\n"
        f"--- traceback ---\n{traceback}\n"
        f"--- executed copy: {output}"
    )


def run_notebook(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    mode: str = "smoke",
    results_dir: Path | None = None,
    cwd: Path | None = None,
    timeout: float | None = 600,
    start_timeout: float = 120,
    attempts: int = 2,
) -> float:
    """Execute ``notebook`` into ``output`` with ``parameters``; return the seconds it took.

    Raises :class:`NotebookFailure` when a cell fails. A kernel that fails to
    start is retried (``attempts`` in all).
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    results_dir = results_dir or BUILD_DIR / "results"
    output.parent.mkdir(parents=True, exist_ok=True)
    env = kernel_environment(notebook, mode, results_dir)
    start = time.perf_counter()
    for attempt in range(1, attempts + 1):
        try:
            with patched_environ(env):
                papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=dict(parameters),
                    cwd=str(cwd or notebook.parent),
                    kernel_name="python3",
                    kernel_manager_class=IPCKernelManager,
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=timeout,
                    start_timeout=start_timeout,
                )
            return time.perf_counter() - start
        except PapermillExecutionError as exc:
            elapsed = time.perf_counter() - start
            raise NotebookFailure(describe_failure(notebook, output, exc), elapsed) from None
        except (CellTimeoutError, DeadKernelError) as exc:
            message = f"{notebook.name}: {type(exc).__name__}: {strip_ansi(str(exc))}"
            raise NotebookFailure(message, time.perf_counter() - start) from None
        except Exception as exc:  # kernel start-up problems: try once more
            if attempt == attempts:
                message = f"{notebook.name}: could not run ({type(exc).__name__}: {strip_ansi(str(exc))})"
                raise NotebookFailure(message, time.perf_counter() - start) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def run_parameters(mode: str) -> dict[str, Any]:
    """Parameters injected for a run mode: smoke, solutions (smoke sizes), full or real-smoke."""
    return dict({"smoke": SMOKE_PARAMETERS, "solutions": SMOKE_PARAMETERS, "full": FULL_PARAMETERS,
                 "real-smoke": REAL_SMOKE_PARAMETERS}[mode])


def thresholds_for(metadata: Mapping[str, Any], mode: str) -> dict[str, Any]:
    """The thresholds a run in ``mode`` must meet (none for the synthetic smoke run)."""
    key = {"full": "thresholds", "real-smoke": "thresholds_real_smoke"}.get(mode)
    return dict(metadata.get("course", {}).get(key, {})) if key else {}


# --- the solutions run (issue 18): each exercise answered with its reference solution ---------

# An exercise line: `course_utils.check("ID", NAME)` alone on its line (a comment may follow).
CHECK_LINE_RE = re.compile(
    r"""^(?P<indent>[ \t]*)course_utils\.check\(\s*(?P<q>["'])(?P<id>[^"'\s]+)(?P=q)\s*,"""
    r"""\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*(?:#.*)?$"""
)
# Any other call of check (to report it): course_utils.check(, exercises.check( or a bare check(.
ANY_CHECK_RE = re.compile(r"(?:\bcourse_utils\.|\bexercises\.|(?<![\w.]))check\s*\(")
# The id of any check call, whatever its answer (to know which exercises a cell has).
CHECK_ID_RE = re.compile(r"""\bcheck\(\s*(["'])(?P<id>[^"'\s]+)\1""")
# What course_utils.check prints: "✅ Ejercicio ID: ...", "❌ Ejercicio ID: ...",
# "⏳ Ejercicio ID aún sin responder...", "❓ Ejercicio ID: no existe...".
VERDICT_RE = re.compile(r"^(?P<mark>✅|❌|⏳|❓) Ejercicio (?P<id>[^\s:]+)")
REFERENCE_LINE = '{indent}{name} = course_utils.exercises.reference_answer("{id}", globals())'


class SolutionsCopyError(ValueError):
    """A lesson's check calls can't be answered automatically; the message names each cell."""


def _code_part(line: str) -> str:
    """``line`` without a trailing comment (good enough to spot calls; strings rarely hold '#')."""
    return "" if line.lstrip().startswith("#") else line


def exercise_ids(nb: Any) -> list[str]:
    """Exercise ids of the ``check`` calls in ``nb``'s code cells, in order, without repeats."""
    ids: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            for match in CHECK_ID_RE.finditer(_code_part(line)):
                if match.group("id") not in ids:
                    ids.append(match.group("id"))
    return ids


def solutions_copy(nb: Any, name: str = "notebook", skip: Collection[str] = ()) -> Any:
    """A copy of ``nb`` where each exercise is answered with its reference solution.

    Before every line ``course_utils.check("ID", NAME)`` (NAME a plain variable name, alone on
    its line) the copy has ``NAME = course_utils.exercises.reference_answer("ID", globals())``
    with the same indentation; everything else is unchanged (ids in ``skip`` stay as committed).
    Any other call of ``check`` (an expression as the answer, a call inside an ``if``, two on
    one line) raises :class:`SolutionsCopyError` naming ``name`` (the notebook) and each cell.
    """
    problems = []
    out = copy.deepcopy(nb)
    for index, cell in enumerate(out.cells):
        if cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.split("\n"):
            match = CHECK_LINE_RE.match(line)
            if match and not keyword.iskeyword(match.group("name")):
                if match.group("id") not in skip:
                    lines.append(REFERENCE_LINE.format(**match.groupdict()))
            elif ANY_CHECK_RE.search(_code_part(line)):
                problems.append(
                    f"{name}: cell {index + 1} (index {index}): {line.strip()!r}: write each check "
                    'on its own line as course_utils.check("ID", nombre), with the answer in a '
                    "variable, so the solutions run can fill that variable in"
                )
            lines.append(line)
        cell.source = "\n".join(lines)
    if problems:
        raise SolutionsCopyError("\n".join(problems))
    return out


def _stream_lines(cell: Any) -> list[str]:
    """What a cell printed (its stream outputs), line by line."""
    parts = [o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"]
    return strip_ansi("".join("".join(p) if isinstance(p, list) else p for p in parts)).splitlines()


def exercise_verdicts(nb: Any) -> dict[str, list[str]]:
    """Every verdict ``check`` printed in an executed notebook, by exercise id, in order.

    A verdict is its first line (``✅ Ejercicio ID: ...``) plus the indented lines after it
    (the hint, the worked step).
    """
    verdicts: dict[str, list[str]] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        current: list[str] | None = None  # the verdict whose indented lines may follow
        for line in _stream_lines(cell):
            match = VERDICT_RE.match(line)
            if match:
                current = verdicts.setdefault(match.group("id"), [])
                current.append(line.rstrip())
            elif current is not None and line[:1] in (" ", "\t") and line.strip():
                current[-1] += "\n" + line.rstrip()
            else:
                current = None
    return verdicts


def exercise_failures(nb: Any) -> dict[str, str]:
    """Exercises of an executed notebook that did not report ✅, with what was printed.

    The exercises are the ids of the notebook's ``check`` calls and of every verdict printed;
    an exercise fails when one of its verdicts is not ✅ or when none was printed.
    """
    verdicts = exercise_verdicts(nb)
    ids = exercise_ids(nb)
    failures = {}
    for exercise_id in ids + [i for i in verdicts if i not in ids]:
        printed = verdicts.get(exercise_id, [])
        bad = [v for v in printed if not v.startswith("✅")]
        if bad:
            failures[exercise_id] = "\n".join(bad)
        elif not printed:
            failures[exercise_id] = "no verdict printed (check did not run or printed nothing)"
    return failures


def missing_solutions(ids: list[str]) -> dict[str, str]:
    """Ids that are not registered or have no reference solution (the run would stop there)."""
    from course_utils import exercises

    missing = {}
    for exercise_id in ids:
        item = exercises.get(exercise_id)
        if item is None:
            missing[exercise_id] = ("not a registered exercise (or its lesson's checks module "
                                    "does not import)")
        elif not item.has_solution:
            missing[exercise_id] = "no reference solution (solution=... in its @exercise)"
    return missing


def run_solutions(notebook: Path, build: Path = SOLUTIONS_DIR, timeout: float | None = 600
                  ) -> tuple[float, dict[str, str]]:
    """Run ``notebook``'s solutions copy in smoke mode: ``(seconds, failures)``.

    The copy is written to ``build/input/`` and executed into ``build/notebooks/`` (from the
    lessons' folder, figures in ``build/results/``). ``failures`` maps each exercise that did not
    report ✅ to what it printed; an exercise without a reference solution is left as committed
    and listed as such. Raises :class:`SolutionsCopyError` (check calls it can't answer; nothing
    runs) or :class:`NotebookFailure` (its message also lists the exercises without a solution).
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    missing = missing_solutions(exercise_ids(nb))
    transformed = solutions_copy(nb, notebook.name, skip=missing)
    source = build / "input" / notebook.name
    output = build / "notebooks" / notebook.name
    results_dir = build / "results"
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(transformed, source)
    (results_dir / f"{notebook.stem}.json").unlink(missing_ok=True)  # no stale figures
    try:
        seconds = run_notebook(source, output, run_parameters("solutions"), mode="solutions",
                               results_dir=results_dir, cwd=notebook.parent, timeout=timeout)
    except NotebookFailure as exc:
        if not missing:
            raise
        raise NotebookFailure(f"{exc}\n--- exercises without a reference solution (left as "
                              f"committed): {', '.join(missing)}", exc.seconds) from None
    failures = exercise_failures(nbformat.read(output, as_version=4))
    failures.update(missing)
    return seconds, failures


def real_data_mirror(environ: Mapping[str, str] | None = None, root: Path = ROOT
                     ) -> tuple[str | None, str]:
    """``(mirror, why)``: the classroom mirror holding every file of ``REAL_DATASETS``.

    The mirror is ``$COURSE_DATA_MIRROR`` (a folder, relative paths from the checkout's root, or
    a URL, trusted as is) or else ``../shared/data`` beside the checkout. ``mirror`` is None when
    the files are not there, and ``why`` says so in one line.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(MIRROR_ENV, "").strip()
    if configured.startswith(("http://", "https://")):
        return configured, f"espejo {configured} ({MIRROR_ENV})"
    folder = Path(configured.removeprefix("file://")).expanduser() if configured else DEFAULT_MIRROR
    if not folder.is_absolute():
        folder = root / folder
    folder = folder.resolve()
    origin = MIRROR_ENV if configured else "junto a la copia del repositorio"
    from course_utils.data import load_manifest

    wanted = [spec.filename for name in REAL_DATASETS for spec in load_manifest(name).files]
    missing = [name for name in wanted if not (folder / name).is_file()]
    if missing:
        return None, (f"make test-real: se omite (no es un error): el espejo del aula {folder} "
                      f"({origin}) no tiene {', '.join(missing)}; define {MIRROR_ENV} con la "
                      "carpeta que los contiene para ejecutar las lecciones con datos reales.")
    return str(folder), f"espejo local {folder} ({origin})"


def check_thresholds(thresholds: Mapping[str, Mapping[str, float]], figures: Mapping[str, Any]) -> list[str]:
    """Problems with recorded ``figures`` against ``{"name": {"min": x, "max": y}}`` thresholds."""
    problems = []
    for name, bounds in sorted(thresholds.items()):
        unknown = set(bounds) - {"min", "max"}
        if unknown:
            problems.append(f"{name}: unknown threshold keys {sorted(unknown)} (use min/max)")
        value = figures.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{name}: not recorded as a number (got {value!r}); call course_utils.record({name}=...)")
            continue
        if "min" in bounds and value < bounds["min"]:
            problems.append(f"{name} = {value:g} is below the minimum {bounds['min']:g}")
        if "max" in bounds and value > bounds["max"]:
            problems.append(f"{name} = {value:g} is above the maximum {bounds['max']:g}")
    return problems


def main(argv: list[str]) -> int:
    """``mirror``: print the classroom mirror for ``make test-real`` (exit 0) or why it skips (3)."""
    if argv != ["mirror"]:
        print("uso: python tools/notebook_harness.py mirror", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    mirror, why = real_data_mirror()
    if mirror is None:
        print(why, file=sys.stderr)
        return 3
    print(mirror)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
