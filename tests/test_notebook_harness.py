"""The notebook harness itself: a failing cell fails with that cell's error; thresholds; shards."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools.notebook_harness import (
    REAL_DATASETS,
    REAL_RUNS,
    SMOKE_PARAMETERS,
    NotebookFailure,
    check_thresholds,
    kernel_environment,
    real_data_mirror,
    run_notebook,
    run_parameters,
    select_shard,
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
