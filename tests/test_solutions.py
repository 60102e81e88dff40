"""The solutions run (``make test-solutions``): every lesson in smoke mode, each exercise answered.

Before each ``course_utils.check("ID", NAME)`` line of a lesson the copy gets
``NAME = course_utils.exercises.reference_answer("ID", globals())``; everything else runs as
committed, on the synthetic twin. Every exercise must then report ✅: each one is solvable in
place and its checker accepts its own solution. Copies, executed copies and figures go to
build/solutions/. Pick lessons with ``-k 05_``.
"""

from __future__ import annotations

import os

import pytest

from tools.notebook_harness import (
    NOTEBOOK_DIR,
    NOTEBOOK_SECONDS,
    NotebookFailure,
    SolutionsCopyError,
    run_solutions,
    select_shard,
)

try:  # registered in tests/conftest.py; until then this module is skipped, not an error
    SOLUTIONS = pytest.mark.solutions
except pytest.fail.Exception:  # --strict-markers and no registration
    pytest.skip("the 'solutions' marker is not registered (tests/conftest.py)", allow_module_level=True)

NOTEBOOKS = select_shard(sorted(NOTEBOOK_DIR.glob("*.ipynb")), os.environ.get("NOTEBOOK_SHARD"))


@SOLUTIONS
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_accepts_its_solution(notebook, record_property):
    try:
        seconds, failures = run_solutions(notebook)
    except SolutionsCopyError as exc:
        pytest.fail(str(exc), pytrace=False)
    except NotebookFailure as exc:
        record_property(NOTEBOOK_SECONDS, (notebook.name, "solutions", exc.seconds))
        pytest.fail(str(exc), pytrace=False)
    record_property(NOTEBOOK_SECONDS, (notebook.name, "solutions", seconds))
    if failures:
        listed = "\n".join(f"  {eid}: " + why.replace("\n", "\n    ") for eid, why in failures.items())
        pytest.fail(f"{notebook.name}: {len(failures)} exercise(s) did not report ✅ with their "
                    f"reference solution (executed copy in build/solutions/notebooks/):\n{listed}",
                    pytrace=False)
