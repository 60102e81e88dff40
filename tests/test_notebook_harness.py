"""The notebook harness itself: a failing cell fails with that cell's error; thresholds; shards."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import notebook_harness
from tools.notebook_harness import (
    REAL_DATASETS,
    REAL_RUNS,
    SMOKE_PARAMETERS,
    NotebookFailure,
    SolutionsCopyError,
    check_thresholds,
    exercise_failures,
    exercise_ids,
    exercise_verdicts,
    kernel_environment,
    real_data_mirror,
    run_notebook,
    run_parameters,
    run_solutions,
    select_shard,
    solutions_copy,
    thresholds_for,
)


def write_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('SMOKE = False\nDATA_SOURCE = "real"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Prueba"), params]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


def test_failing_cell_fails_with_that_cells_error(tmp_path):
    notebook = write_notebook(
        tmp_path / "99_falla.ipynb",
        "x = 1",
        "def explode():\n    raise ValueError('the reason for the failure')\n\nexplode()",
        "print('never reached')",
    )
    output = tmp_path / "out" / notebook.name
    with pytest.raises(NotebookFailure) as info:
        run_notebook(notebook, output, SMOKE_PARAMETERS, results_dir=tmp_path)
    assert info.value.seconds > 0
    message = str(info.value)
    assert message.startswith("99_falla.ipynb: cell 4 (index 3, In [")
    assert "ValueError: the reason for the failure" in message
    assert "explode()" in message  # the cell's source
    assert "Traceback" in message or "----> " in message  # the traceback
    assert "\x1b[" not in message  # no terminal colours
    executed = nbformat.read(output, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_parameters_and_environment_reach_the_kernel(tmp_path):
    notebook = write_notebook(
        tmp_path / "98_parametros.ipynb",
        "import os\n"
        "assert SMOKE is True and DATA_SOURCE == 'synthetic'\n"
        "assert os.environ['COURSE_NOTEBOOK'] == '98_parametros'\n"
        "assert os.environ['COURSE_MODE'] == 'smoke'\n"
        "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()\n"
        "assert os.getcwd() == os.environ['EXPECTED_CWD']",
    )
    output = tmp_path / "out" / notebook.name
    import os

    os.environ["EXPECTED_CWD"] = str(tmp_path)
    try:
        seconds = run_notebook(notebook, output, SMOKE_PARAMETERS, results_dir=tmp_path)
    finally:
        del os.environ["EXPECTED_CWD"]
    assert seconds > 0 and output.is_file()
    outputs = nbformat.read(output, as_version=4).cells[-1].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs)  # figures are kept, headless


def _run_in_subprocess(path: Path) -> float:
    return run_notebook(path, path.parent / "out" / path.name, SMOKE_PARAMETERS, results_dir=path.parent)


def test_parallel_kernels_in_the_same_folder_do_not_clash(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    paths = [write_notebook(tmp_path / f"9{i}_paralelo.ipynb", "import time\ntime.sleep(1)") for i in range(2)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        seconds = list(pool.map(_run_in_subprocess, paths))
    assert all(0 < s < 60 for s in seconds)


def test_smoke_data_goes_to_shared_build_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    env = kernel_environment(Path("05_x.ipynb"), "smoke", tmp_path)
    assert env["COURSE_DATA_DIR"].endswith("build/course_data")
    assert "COURSE_DATA_DIR" not in kernel_environment(Path("05_x.ipynb"), "full", tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", "/elsewhere")
    assert "COURSE_DATA_DIR" not in kernel_environment(Path("05_x.ipynb"), "smoke", tmp_path)


def test_thresholds():
    thresholds = {"accuracy": {"min": 0.8}, "seconds": {"max": 10}, "auc": {"min": 0.9, "max": 1}}
    assert check_thresholds(thresholds, {"accuracy": 0.85, "seconds": 3, "auc": 0.95}) == []
    problems = check_thresholds(thresholds, {"accuracy": 0.5, "seconds": 30, "auc": None})
    assert len(problems) == 3
    assert "accuracy = 0.5 is below the minimum 0.8" in problems
    assert "seconds = 30 is above the maximum 10" in problems
    assert any(p.startswith("auc: not recorded") for p in problems)
    assert check_thresholds({"x": {"minimum": 1}}, {"x": 2}) == ["x: unknown threshold keys ['minimum'] (use min/max)"]


def test_each_mode_has_its_parameters_and_thresholds():
    assert run_parameters("smoke") == {"SMOKE": True, "DATA_SOURCE": "synthetic"}
    assert run_parameters("full") == {"SMOKE": False, "DATA_SOURCE": "real"}
    assert run_parameters("real-smoke") == {"SMOKE": True, "DATA_SOURCE": "real"}
    metadata = {"course": {"thresholds": {"acc": {"min": 0.9}},
                           "thresholds_real_smoke": {"loss_drop": {"min": 0}}}}
    assert thresholds_for(metadata, "full") == {"acc": {"min": 0.9}}
    assert thresholds_for(metadata, "real-smoke") == {"loss_drop": {"min": 0}}
    assert thresholds_for(metadata, "smoke") == {}
    assert thresholds_for({}, "real-smoke") == {}


def _mirror_files() -> list[str]:
    from course_utils.data import load_manifest

    return [spec.filename for name in REAL_DATASETS for spec in load_manifest(name).files]


def test_real_data_mirror_needs_every_file(tmp_path):
    checkout = tmp_path / "repo"
    checkout.mkdir()
    mirror, why = real_data_mirror({}, root=checkout)  # no ../shared/data beside this checkout
    assert mirror is None
    assert why.startswith("make test-real: se omite") and "\n" not in why
    assert str(tmp_path / "shared" / "data") in why and all(name in why for name in _mirror_files())

    shared = tmp_path / "shared" / "data"
    shared.mkdir(parents=True)
    first, *others = _mirror_files()
    (shared / first).write_bytes(b"x")
    mirror, why = real_data_mirror({}, root=checkout)
    assert mirror is None and first not in why and all(name in why for name in others)
    for name in others:
        (shared / name).write_bytes(b"x")
    assert real_data_mirror({}, root=checkout)[0] == str(shared.resolve())


def test_real_data_mirror_from_the_environment(tmp_path):
    folder = tmp_path / "aula"
    folder.mkdir()
    for name in _mirror_files():
        (folder / name).write_bytes(b"x")
    assert real_data_mirror({"COURSE_DATA_MIRROR": str(folder)}, root=tmp_path / "x")[0] == str(folder)
    # relative to the checkout's root, not to the current folder
    assert real_data_mirror({"COURSE_DATA_MIRROR": "aula"}, root=tmp_path)[0] == str(folder)
    mirror, why = real_data_mirror({"COURSE_DATA_MIRROR": str(tmp_path / "vacío")}, root=tmp_path)
    assert mirror is None and "COURSE_DATA_MIRROR" in why
    url = "http://aula.example:8000/"
    assert real_data_mirror({"COURSE_DATA_MIRROR": url}, root=tmp_path)[0] == url


def test_real_runs_name_existing_lessons():
    from tools.notebook_harness import NOTEBOOK_DIR

    lessons = {p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")}
    assert set(REAL_RUNS) <= lessons
    assert set(REAL_RUNS.values()) <= {"full", "real-smoke"}


def test_shards_partition_the_notebooks():
    paths = [Path(f"{i:02d}_x.ipynb") for i in range(13)]
    shards = [select_shard(paths, f"{i}/4") for i in range(1, 5)]
    assert sorted(p for shard in shards for p in shard) == paths
    assert all(len(s) in (3, 4) for s in shards)
    assert select_shard(paths, None) == paths
    for bad in ("0/4", "5/4", "a/b"):
        with pytest.raises(ValueError):
            select_shard(paths, bad)


def test_nbval_targets_only_tagged_copies_of_current_lessons(tmp_path):
    from tools.run_nbval import targets

    executed, source = tmp_path / "executed", tmp_path / "notebooks"
    executed.mkdir()
    source.mkdir()
    tagged = write_notebook(executed / "00_a.ipynb", "print(1)")
    nb = nbformat.read(tagged, as_version=4)
    nb.cells[-1].metadata["tags"] = ["nbval-check-output"]
    nbformat.write(nb, tagged)
    write_notebook(executed / "01_b.ipynb", "print(2)")  # nothing tagged
    nbformat.write(nb, executed / "02_removed.ipynb")  # tagged, but the lesson is gone
    nb.metadata["papermill"] = {"exception": True}
    nbformat.write(nb, executed / "03_failed.ipynb")  # tagged, but its smoke run failed
    for name in ("00_a.ipynb", "01_b.ipynb", "03_failed.ipynb"):
        (source / name).write_text("{}")
    assert targets(executed, source) == [tagged]


# --- the solutions run --------------------------------------------------------------------------

def code_notebook(*sources: str, markdown: str = "Escribe `course_utils.check(id, x)`."):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    return nb


def test_solutions_copy_fills_each_answer_before_its_check():
    nb = code_notebook(
        "x = 3",
        'respuesta = ...  # tu respuesta: un número\ncourse_utils.check("01.alias", respuesta)',
        "for k in range(2):\n    r = ...\n    course_utils.check('02.forma', r)  # en un bucle",
        '# course_utils.check("03.f1", comentado)\nprint(x)',
    )
    copy = solutions_copy(nb, "99_x.ipynb")
    assert copy.cells[0].source == nb.cells[0].source and copy.cells[1].source == "x = 3"
    assert copy.cells[2].source == (
        "respuesta = ...  # tu respuesta: un número\n"
        'respuesta = course_utils.exercises.reference_answer("01.alias", globals())\n'
        'course_utils.check("01.alias", respuesta)'
    )
    assert copy.cells[3].source.splitlines()[2:] == [
        '    r = course_utils.exercises.reference_answer("02.forma", globals())',
        "    course_utils.check('02.forma', r)  # en un bucle",
    ]
    assert copy.cells[4].source == nb.cells[4].source  # a commented-out call is not an exercise
    assert "reference_answer" not in nb.cells[2].source  # the lesson itself is untouched
    skipped = solutions_copy(nb, "99_x.ipynb", skip={"01.alias"})
    assert skipped.cells[2].source == nb.cells[2].source
    assert "reference_answer" in skipped.cells[3].source
    assert exercise_ids(nb) == ["01.alias", "02.forma"]


@pytest.mark.parametrize("line", [
    'course_utils.check("00.muestras", 6)',
    'course_utils.check("00.muestras", np.std(a))',
    'if course_utils.check("07.confusion", respuesta):\n    pass',
    'course_utils.check("01.a", a); course_utils.check("01.b", b)',
    'resultado = course_utils.check("01.a", a)',
    'course_utils.check("01.a", None)',
    'from course_utils import check\ncheck("01.a", a)',
])
def test_solutions_copy_reports_check_calls_it_cannot_answer(line):
    nb = code_notebook("x = 1", line)
    with pytest.raises(SolutionsCopyError) as info:
        solutions_copy(nb, "99_x.ipynb")
    message = str(info.value)
    assert message.startswith("99_x.ipynb: cell 3 (index 2): ")
    assert 'course_utils.check("ID", nombre)' in message and len(message.splitlines()) == 1


def executed(*cells: tuple[str, str | None]):
    nb = code_notebook(*(src for src, _ in cells))
    for cell, (_, printed) in zip(nb.cells[1:], cells):
        if printed is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    return nb


def test_exercise_failures_lists_every_verdict_that_is_not_correct():
    nb = executed(
        ('course_utils.check("01.a", a)', "✅ Ejercicio 01.a: ¡correcto!\n"),
        ('course_utils.check("01.b", b)',
         "antes\n❌ Ejercicio 01.b: escríbelo con dos decimales.\n   Pista: redondea.\ndespués\n"),
        ('course_utils.check("01.c", c)',
         "⏳ Ejercicio 01.c aún sin responder: reemplaza cada ... por tu respuesta.\n"),
        ('course_utils.check("01.d", d)', "❓ Ejercicio 01.d: no existe un ejercicio con ese identificador.\n"),
        ('course_utils.check("01.e", e)', None),
        ("mostrar()", "\x1b[0m✅ Ejercicio 01.f: ¡correcto!\n"),  # printed from a helper
    )
    verdicts = exercise_verdicts(nb)
    assert verdicts["01.b"] == ["❌ Ejercicio 01.b: escríbelo con dos decimales.\n   Pista: redondea."]
    failures = exercise_failures(nb)
    assert list(failures) == ["01.b", "01.c", "01.d", "01.e"]
    assert failures["01.b"].endswith("Pista: redondea.") and "después" not in failures["01.b"]
    assert failures["01.c"].startswith("⏳ Ejercicio 01.c aún sin responder")
    assert failures["01.d"].startswith("❓")
    assert failures["01.e"].startswith("no verdict printed")


def test_an_exercise_fails_when_any_of_its_verdicts_is_not_correct():
    nb = executed(
        ('course_utils.check("00.m", a)', "❌ Ejercicio 00.m: no.\n"),
        ('course_utils.check("00.m", b)', "✅ Ejercicio 00.m: ¡correcto!\n"),
    )
    assert exercise_failures(nb) == {"00.m": "❌ Ejercicio 00.m: no."}
    nb.cells[1].outputs = []
    assert exercise_failures(nb) == {}


def test_solutions_run_answers_with_the_reference_solution(tmp_path, monkeypatch):
    # The exercise is registered in the kernel by the notebook itself; the test process doesn't know it.
    monkeypatch.setattr(notebook_harness, "missing_solutions", lambda ids: {})
    notebook = write_notebook(
        tmp_path / "97_soluciones.ipynb",
        "import course_utils\nfrom course_utils.exercises import Code, exercise\nx = 21\n"
        "@exercise('97.doble', solution=Code('2 * x'))\n"
        "def doble(answer):\n    return None if answer == 42 else 'no es el doble'\n"
        "@exercise('97.sin_solucion', solution=0)\n"
        "def nunca(answer):\n    return 'nunca es correcto'",
        "respuesta = ...  # tu respuesta\ncourse_utils.check('97.doble', respuesta)",
        "otra = ...\ncourse_utils.check('97.sin_solucion', otra)",
    )
    seconds, failures = run_solutions(notebook, build=tmp_path / "build")
    assert seconds > 0
    assert failures == {"97.sin_solucion": "❌ Ejercicio 97.sin_solucion: nunca es correcto"}
    assert (tmp_path / "build" / "input" / notebook.name).is_file()
    assert (tmp_path / "build" / "notebooks" / notebook.name).is_file()
