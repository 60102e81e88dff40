"""Shared pytest set-up: the ``full`` and ``real`` selection switches and the notebook timing table."""

from __future__ import annotations

import pytest

from tools.notebook_harness import NOTEBOOK_SECONDS, SMOKE_BUDGET_S

_timings: list[tuple[str, str, float, str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="also run tests marked 'full' (real data, full parameters; GPU runners with internet)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real: real files of a classroom mirror (COURSE_DATA_MIRROR; `make test-real`)")
    config.addinivalue_line(
        "markers", "solutions: lessons run with every exercise answered by its reference solution "
        "(`make test-solutions`)")


def _selected(config: pytest.Config, marker: str) -> bool:
    """Tests marked ``marker`` run only when asked for (``-m marker``, or ``--full``)."""
    markexpr = config.getoption("markexpr", default="") or ""
    if marker == "full" and config.getoption("--full"):
        return True
    return marker in markexpr and f"not {marker}" not in markexpr


OPT_IN = {
    "full": "full run: use `make test-full` or `pytest -m full`",
    "real": "real-data run: use `make test-real` or `pytest -m real`",
    "solutions": "solutions run: use `make test-solutions` or `pytest -m solutions`",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker, reason in OPT_IN.items():
        if _selected(config, marker):
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect notebook timings; under xdist the controller receives the workers' reports."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == NOTEBOOK_SECONDS:
            notebook, mode, seconds = value
            _timings.append((notebook, mode, float(seconds), report.outcome))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if not _timings or hasattr(config, "workerinput"):
        return
    tr = terminalreporter
    tr.write_sep("=", "notebook timings")
    width = max(len(n) for n, *_ in _timings)
    mode_width = max(5, *(len(m) for _, m, *_ in _timings))
    tr.write_line(f"{'notebook'.ljust(width)}  {'mode'.ljust(mode_width)}  seconds  result")
    for notebook, mode, seconds, outcome in sorted(_timings):
        flag = "  over the smoke budget" if mode == "smoke" and seconds > SMOKE_BUDGET_S else ""
        tr.write_line(f"{notebook.ljust(width)}  {mode:<{mode_width}}  {seconds:7.1f}  {outcome}{flag}")
    total = sum(seconds for _, _, seconds, _ in _timings if seconds == seconds)  # skip NaN
    tr.write_line(f"{'total (sum over workers)'.ljust(width)}  {'':<{mode_width}}  {total:7.1f}")
