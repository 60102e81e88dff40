"""record(): JSON figures per notebook, merged, typed and written atomically."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils import results
from course_utils.results import record


@pytest.fixture(autouse=True)
def results_env(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.delenv("COURSE_NOTEBOOK", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("COURSE_MODE", raising=False)
    return tmp_path


def test_record_writes_json_named_after_notebook(results_env, monkeypatch):
    monkeypatch.setenv("COURSE_NOTEBOOK", "03_machine_learning_clasico")
    path = record(accuracy=np.float32(0.75), n_params=np.int64(912482), model="cnn")
    assert path == results_env / "03_machine_learning_clasico.json"
    data = json.loads(path.read_text())
    assert data["figures"] == {"accuracy": 0.75, "n_params": 912482, "model": "cnn"}
    assert isinstance(data["figures"]["n_params"], int)
    assert data["notebook"] == "03_machine_learning_clasico"


def test_record_merges_later_calls(results_env, monkeypatch):
    monkeypatch.setenv("COURSE_NOTEBOOK", "x")
    record(a=1)
    record(b=2.5, a=3)
    assert json.loads((results_env / "x.json").read_text())["figures"] == {"a": 3, "b": 2.5}
    assert not [p for p in results_env.iterdir() if p.suffix == ".tmp"]


def test_record_replaces_figures_of_another_mode(results_env):
    record(notebook="x", mode="smoke", a=1)
    record(notebook="x", mode="full", b=2)
    data = json.loads((results_env / "x.json").read_text())
    assert data["mode"] == "full" and data["figures"] == {"b": 2}


def test_mode_comes_from_environment(results_env, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "smoke")
    path = record(notebook="y", a=1)
    assert json.loads(path.read_text())["mode"] == "smoke"


def test_stem_priority(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/notebooks/05_genero.ipynb")
    assert results.notebook_stem() == "05_genero"
    monkeypatch.setenv("COURSE_NOTEBOOK", "06_palabras")
    assert results.notebook_stem() == "06_palabras"
    assert results.notebook_stem("07_idioma.ipynb") == "07_idioma"


def test_no_notebook_name_uses_fallback(results_env):
    assert record(a=1).name == f"{results.FALLBACK_STEM}.json"


def test_nan_becomes_null_and_arrays_are_rejected(results_env):
    path = record(notebook="z", loss=float("nan"), acc=np.array(0.5))
    assert json.loads(path.read_text())["figures"] == {"loss": None, "acc": 0.5}
    with pytest.raises(TypeError, match="vector"):
        record(notebook="z", vector=np.zeros(3))
    with pytest.raises(ValueError):
        record(notebook="z")


def test_default_dir_is_build_results_of_checkout(monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS_DIR")
    root = results._checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert results.results_dir() == root / "build" / "results"
