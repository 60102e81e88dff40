"""Shared pytest set-up: the ``full`` selection switch and the per-notebook timing table."""

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


def _full_selected(config: pytest.Config) -> bool:
    markexpr = config.getoption("markexpr", default="") or ""
    return config.getoption("--full") or ("full" in markexpr and "not full" not in markexpr)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _full_selected(config):
        return
    skip = pytest.mark.skip(reason="full run: use `make test-full` or `pytest -m full`")
    for item in items:
        if "full" in item.keywords:
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
    tr.write_line(f"{'notebook'.ljust(width)}  mode   seconds  result")
    for notebook, mode, seconds, outcome in sorted(_timings):
        flag = "  over the smoke budget" if mode == "smoke" and seconds > SMOKE_BUDGET_S else ""
        tr.write_line(f"{notebook.ljust(width)}  {mode:<5}  {seconds:7.1f}  {outcome}{flag}")
    total = sum(seconds for _, _, seconds, _ in _timings if seconds == seconds)  # skip NaN
    tr.write_line(f"{'total (sum over workers)'.ljust(width)}         {total:7.1f}")
