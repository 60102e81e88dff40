"""Colab's versions (constraints-colab.txt) satisfy every bound; tools/colab_env.py's checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from tools import colab_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
COLAB = colab_env.read_constraints()


def environment_entries() -> tuple[list[str], list[str]]:
    """(pip requirements, conda requirements) of environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)][0]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    return [e for e in pip if not e.startswith("-")], conda


def test_no_bound_excludes_colabs_versions():
    problems = colab_env.bound_problems(PROJECT["dependencies"], COLAB, "pyproject.toml dependencies")
    for group, specs in PROJECT["optional-dependencies"].items():
        problems += colab_env.bound_problems(specs, COLAB, f"pyproject.toml [{group}]")
    pip, conda = environment_entries()
    problems += colab_env.bound_problems(pip, COLAB, "environment.yml")
    assert not problems, "Lower the bound to Colab's version:\n  " + "\n  ".join(problems)


def test_python_bounds_admit_colabs_python():
    from packaging.specifiers import SpecifierSet

    assert SpecifierSet(PROJECT["requires-python"]).contains(COLAB.python)
    _, conda = environment_entries()
    python = next(e for e in conda if e.startswith("python"))
    assert SpecifierSet(python.removeprefix("python")).contains(COLAB.python), python


def test_every_dependency_has_a_colab_pin():
    missing = [n for n in colab_env.dependency_names() if not COLAB.has(n) and colab_env.canonical(n) not in COLAB.absent]
    assert not missing, f"constraints-colab.txt lacks {missing}: run `python tools/colab_env.py lock`"
    for name in colab_env.JUPYTER:
        assert COLAB.has(name), f"{name}: Colab's kernel piece missing from constraints-colab.txt"


def test_the_check_catches_a_bound_above_colab():
    colab = colab_env.ColabVersions(cpu={"ipython": "7.34.0", "dask": "2026.7.1"},
                                    gpu={"ipython": "7.34.0", "dask": "2026.1.1"}, python="3.13.15")
    assert colab_env.bound_problems(["ipython>=7.34", "numpy>=99"], colab, "x") == []
    [problem] = colab_env.bound_problems(["ipython>=8.0"], colab, "pyproject.toml")
    assert "ipython>=8.0" in problem and "CPU and GPU version ipython==7.34.0" in problem
    [gpu_only] = colab_env.bound_problems(["dask>=2026.5"], colab, "x")
    assert "GPU version dask==2026.1.1" in gpu_only


@pytest.mark.skipif(not (colab_env.COLAB_DIR / "pip-freeze.txt").is_file(), reason="../shared/colab not here")
def test_constraints_copy_colabs_published_lists():
    cpu = colab_env.parse_freeze((colab_env.COLAB_DIR / "pip-freeze.txt").read_text(encoding="utf-8"))
    gpu = colab_env.parse_freeze((colab_env.COLAB_DIR / "pip-freeze.gpu.txt").read_text(encoding="utf-8"))
    for name, version in COLAB.cpu.items():
        assert cpu.get(name) == version, f"{name}: constraints {version}, Colab CPU {cpu.get(name)}"
    for name, version in COLAB.gpu.items():
        assert gpu.get(name) == version, f"{name}: constraints {version}, Colab GPU {gpu.get(name)}"
    for name in COLAB.absent:
        assert name not in cpu and name not in gpu, f"{name} is in Colab's list: run `tools/colab_env.py lock`"
    text = (ROOT / "constraints-colab.txt").read_text(encoding="utf-8")
    assert "commit a724079 of 2026-08-19" in text and "Generated on 20" in text
    assert COLAB.python == "3.13.15"


def test_render_and_read_round_trip(tmp_path):
    cpu = {"numpy": "2.1.3", "dask": "2026.7.1", "jinja2": "3.1.6"}
    gpu = {"numpy": "2.1.3", "dask": "2026.1.1", "cupy-cuda12x": "14.0.1"}
    closure = {"numpy": "2.1.3", "dask": "2026.7.1", "jinja2": "3.1.6", "cupy-cuda12x": "14.0.1", "execnet": "2.1"}
    text = colab_env.render_constraints(closure, cpu, gpu, "somewhere", "3.13.15", "2026-12-02")
    assert "dask==2026.7.1  # gpu: 2026.1.1" in text and "jinja2==3.1.6  # gpu: absent" in text
    path = tmp_path / "c.txt"
    path.write_text(text)
    colab = colab_env.read_constraints(path)
    assert colab.cpu == cpu and colab.python == "3.13.15" and colab.absent == {"execnet"}
    assert colab.gpu == {"numpy": "2.1.3", "dask": "2026.1.1", "cupy-cuda12x": "14.0.1"}
    assert colab.versions("Dask") == {"2026.7.1", "2026.1.1"} and not colab.has("execnet")


def test_classify_report_flags_changes_and_lists_new_packages():
    colab = colab_env.ColabVersions(cpu={"ipython": "7.34.0", "traitlets": "5.7.1", "numpy": "2.1.3"},
                                    gpu={"ipython": "7.34.0", "traitlets": "5.7.1", "numpy": "2.1.3"},
                                    python="3.13.15")

    def item(name, version):
        return {"metadata": {"name": name, "version": version}}

    report = {"install": [item("course_utils", "0.1.0"), item("IPython", "9.18.1"),
                          item("traitlets", "5.7.1"), item("jedi", "0.20.1")]}
    plan = colab_env.classify_report(report, {"ipython": "7.34.0"}, colab)
    assert plan.changes == ["ipython 7.34.0 -> 9.18.1"]
    assert plan.new == ["jedi 0.20.1"] and plan.reinstalls == ["traitlets 5.7.1"]
    assert colab_env.classify_report({"install": [item("course-utils", "0.1.0")]}, {}, colab).changes == []


def test_venv_mismatch_is_reported():
    colab = colab_env.ColabVersions(cpu={"pandas": "2.2.3"}, gpu={"pandas": "2.2.3"}, python="3.13.15")
    assert colab_env.check_venv_matches({"pandas": "2.2.3", "papermill": "2.7.0"}, colab, None) == []
    assert colab_env.check_venv_matches({"pandas": "3.1.1"}, colab, None) == ["pandas 3.1.1 (Colab: 2.2.3)"]
    assert colab_env.check_venv_matches({"soxr": "9"}, colab, {"soxr": "1.1.0"}) == ["soxr 9 (Colab: 1.1.0)"]


def test_base_packages_cover_dependencies_jupyter_and_harness():
    base = [colab_env.canonical(n) for n in colab_env.base_packages()]
    for name in [*colab_env.dependency_names(), "ipykernel", "papermill", "pytest-xdist", "nbclient", "pip"]:
        assert colab_env.canonical(name) in base
    assert len(base) == len(set(base))


def test_setup_cell_for_the_colab_environment_installs_this_checkout():
    cell = colab_env.colab_setup_cell()
    assert f'"course_utils @ {ROOT.as_uri()}"' in cell and "git+" not in cell
    assert "report_pip_install(pip_report, preinstalled)" in cell


def test_kernel_check_rejects_another_python_or_the_checkout(tmp_path):
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.13" / "site-packages" / "course_utils" / "__init__.py"
    ok = colab_env.check_kernel(f"{venv}/bin/python 3.13.0 7.34.0 {site}\n", venv)
    assert "Python 3.13.0, IPython 7.34.0" in ok
    with pytest.raises(SystemExit, match="not the Colab environment"):
        colab_env.check_kernel(f"/usr/bin/python3 3.13.0 7.34.0 {site}", venv)
    with pytest.raises(SystemExit, match="from the checkout"):
        colab_env.check_kernel(f"{venv}/bin/python 3.13.0 7.34.0 {ROOT}/course_utils/__init__.py", venv)
