"""Execute every lesson notebook with papermill.

Default (smoke): ``SMOKE=True, DATA_SOURCE="synthetic"``, CPU, seconds per lesson.
``full`` (``make test-full``): real data and full parameters, then the recorded
figures must meet the thresholds in ``metadata.course.thresholds``.
``real`` (``make test-real``): the lessons of ``REAL_RUNS`` on the real files of a classroom
mirror (``COURSE_DATA_MIRROR`` or ``../shared/data``), full or quick sizes, thresholds checked.
Shard with ``NOTEBOOK_SHARD=i/n``; pick lessons with ``-k 03_``. The solutions run
(``make test-solutions``, each exercise answered by its reference solution) is tests/test_solutions.py.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from tools.notebook_harness import (
    BUILD_DIR,
    FULL_PARAMETERS,
    MIRROR_ENV,
    NOTEBOOK_DIR,
    NOTEBOOK_SECONDS,
    REAL_RUNS,
    SMOKE_PARAMETERS,
    NotebookFailure,
    check_thresholds,
    patched_environ,
    real_data_mirror,
    run_notebook,
    run_parameters,
    select_shard,
    thresholds_for,
)

NOTEBOOKS = select_shard(sorted(NOTEBOOK_DIR.glob("*.ipynb")), os.environ.get("NOTEBOOK_SHARD"))
REAL_NOTEBOOKS = sorted((p for p in NOTEBOOKS if p.stem in REAL_RUNS), key=lambda p: list(REAL_RUNS).index(p.stem))
# Executed copies and figures: build/notebooks, build/results; make test-real keeps its own in
# build/real/ (apart from the smoke run that nbval reads).
REAL_DIR = BUILD_DIR / "real"


def _run(notebook, parameters, mode, record_property, timeout, build=BUILD_DIR):
    output = build / "notebooks" / notebook.name
    results_dir = build / "results"
    (results_dir / f"{notebook.stem}.json").unlink(missing_ok=True)  # no stale figures
    try:
        seconds = run_notebook(
            notebook, output, parameters, mode=mode, results_dir=results_dir, timeout=timeout
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


def _check_thresholds(notebook, mode, build=BUILD_DIR):
    thresholds = thresholds_for(nbformat.read(notebook, as_version=4).metadata, mode)
    results = build / "results" / f"{notebook.stem}.json"
    figures = json.loads(results.read_text())["figures"] if results.is_file() else {}
    problems = check_thresholds(thresholds, figures)
    if problems:
        pytest.fail(f"{notebook.name} ({mode}): recorded figures miss their thresholds ({results}):\n  "
                    + "\n  ".join(problems), pytrace=False)


@pytest.mark.full
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_full(notebook, record_property):
    timeout = float(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "0")) or None
    _run(notebook, FULL_PARAMETERS, "full", record_property, timeout=timeout)
    _check_thresholds(notebook, "full")


@pytest.mark.real
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", REAL_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_real(notebook, record_property):
    mirror, why = real_data_mirror()
    if mirror is None:
        pytest.skip(why)
    mode = REAL_RUNS[notebook.stem]
    timeout = float(os.environ.get("NOTEBOOK_CELL_TIMEOUT", "0")) or None
    with patched_environ({MIRROR_ENV: mirror}):
        _run(notebook, run_parameters(mode), mode, record_property, timeout=timeout, build=REAL_DIR)
    _check_thresholds(notebook, mode, build=REAL_DIR)
