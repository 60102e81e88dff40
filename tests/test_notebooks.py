"""Execute every lesson notebook with papermill.

Default (smoke): ``SMOKE=True, DATA_SOURCE="synthetic"``, CPU, seconds per lesson.
``full`` (``make test-full``): real data and full parameters, then the recorded
figures must meet the thresholds in ``metadata.course.thresholds``.
Shard with ``NOTEBOOK_SHARD=i/n``; pick lessons with ``-k 03_``.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from tools.notebook_harness import (
    BUILD_DIR,
    FULL_PARAMETERS,
    NOTEBOOK_DIR,
    NOTEBOOK_SECONDS,
    SMOKE_PARAMETERS,
    NotebookFailure,
    check_thresholds,
    run_notebook,
    select_shard,
)

NOTEBOOKS = select_shard(sorted(NOTEBOOK_DIR.glob("*.ipynb")), os.environ.get("NOTEBOOK_SHARD"))
OUTPUT_DIR = BUILD_DIR / "notebooks"
RESULTS_DIR = BUILD_DIR / "results"


def _run(notebook, parameters, mode, record_property, timeout):
    output = OUTPUT_DIR / notebook.name
    (RESULTS_DIR / f"{notebook.stem}.json").unlink(missing_ok=True)  # no stale figures
    try:
        seconds = run_notebook(
            notebook, output, parameters, mode=mode, results_dir=RESULTS_DIR, timeout=timeout
        )
    except NotebookFailure as exc:
        record_property(NOTEBOOK_SECONDS, (notebook.name, mode, exc.seconds))
        pytest.fail(str(exc), pytrace=False)
    record_property(NOTEBOOK_SECONDS, (notebook.name, mode, seconds))
    return output


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_smoke(notebook, record_property):
    _run(notebook, SMOKE_PARAMETERS, "smoke", record_property, timeout=600)


@pytest.mark.full
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_full(notebook, record_property):
    timeout = float(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "0")) or None
    _run(notebook, FULL_PARAMETERS, "full", record_property, timeout=timeout)
    thresholds = nbformat.read(notebook, as_version=4).metadata.get("course", {}).get("thresholds", {})
    results = RESULTS_DIR / f"{notebook.stem}.json"
    figures = json.loads(results.read_text())["figures"] if results.is_file() else {}
    problems = check_thresholds(thresholds, figures)
    if problems:
        pytest.fail(f"{notebook.name}: recorded figures miss their thresholds ({results}):\n  "
                    + "\n  ".join(problems), pytrace=False)
