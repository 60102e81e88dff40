"""setup() and seed_everything(): banner, seeds, strategy, data folder, matplotlib defaults."""

from __future__ import annotations

import random

import numpy as np
import pytest

import course_utils
from course_utils import env as course_env


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def test_setup_returns_env_and_prints_spanish_banner(tf, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    env = course_utils.setup(seed=3)
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert f"TensorFlow {tf.__version__}" in lines[0] and "librosa" in lines[0]
    assert env.data_dir == tmp_path.resolve()
    assert env.seed == 3 and env.in_colab is False
    assert env.gpu == bool(env.gpus) == bool(tf.config.list_physical_devices("GPU"))
    if not env.gpu:
        assert "sin GPU: el entrenamiento será más lento" in lines[1]
        assert env.strategy.num_replicas_in_sync == 1
    assert isinstance(env.strategy, tf.distribute.Strategy)
    import matplotlib

    assert matplotlib.rcParams["axes.grid"] is True


def test_seed_everything_repeats_numbers(tf):
    def draw():
        return (random.random(), np.random.rand(), float(tf.random.uniform(())))

    course_utils.seed_everything(42)
    first = draw()
    course_utils.seed_everything(42)
    assert draw() == first
    course_utils.seed_everything(43)
    assert draw() != first


def test_colab_detection_and_data_dir(monkeypatch, tmp_path):
    import sys
    import types

    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert course_env.in_colab() is True
    assert str(course_env.data_dir()) == "/content/course_data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert course_env.data_dir() == tmp_path.resolve()


def test_native_stderr_is_hidden_but_shown_on_failure(capfd):
    import os

    with course_env._quiet_native_stderr():
        os.write(2, b"noise from C++\n")
    assert "noise" not in capfd.readouterr().err
    with pytest.raises(RuntimeError), course_env._quiet_native_stderr():
        os.write(2, b"the reason it failed\n")
        raise RuntimeError("boom")
    assert "the reason it failed" in capfd.readouterr().err


def test_data_dir_follows_use_drive_cache(tf, tmp_path, monkeypatch, capsys):
    import sys
    import types

    from course_utils.data import cache

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "local"))
    env = course_utils.setup()
    assert env.data_dir == (tmp_path / "local").resolve()
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    drive = tmp_path / "drive" / "MyDrive" / "course_data"
    monkeypatch.setattr(cache, "DRIVE_CACHE", drive)
    assert course_utils.data.use_drive_cache(mount=False) == drive
    # Lessons 05 and 08 write beside the data through env.data_dir: it must follow the cache.
    assert env.data_dir == drive.resolve()
    assert env.data_dir / "checkpoints" == drive.resolve() / "checkpoints"
    capsys.readouterr()


def test_tpu_runtime_gets_a_spanish_message(tf, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TPU_ACCELERATOR_TYPE", raising=False)
    assert course_utils.setup().tpu is False
    assert "TPU" not in capsys.readouterr().out
    monkeypatch.setenv("TPU_ACCELERATOR_TYPE", "v5litepod-1")
    env = course_utils.setup()
    out = capsys.readouterr().out
    if env.gpu:  # pragma: no cover - a GPU machine trains on the GPU whatever else it has
        assert env.tpu is False
        return
    assert env.tpu is True
    assert "el curso no usa TPU" in out and "Cambiar tipo de entorno de ejecución" in out and "GPU" in out


def _pip_report(path, *items):
    import json

    path.write_text(json.dumps({"version": "1", "install": [
        {"metadata": {"name": name, "version": version}} for name, version in items]}))
    return path


def test_report_pip_install_one_line_when_colab_is_untouched(tmp_path, capsys):
    report = _pip_report(tmp_path / "r.json", ("course_utils", "0.1.0"), ("jedi", "0.20.1"))
    before = {"IPython": "7.34.0", "numpy": "2.1.3", "course-utils": "0.1.0"}
    assert course_env.report_pip_install(report, before) == []
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ("pip instaló course_utils 0.1.0 y 1 paquete(s) que no estaban (jedi 0.20.1); "
                            "no cambió ningún paquete de los que ya estaban instalados: no hace falta "
                            "reiniciar la sesión, aunque Jupyter sugiera hacerlo.\n")


def test_report_pip_install_warns_on_a_changed_package(tmp_path, capsys, monkeypatch):
    report = _pip_report(tmp_path / "r.json", ("course_utils", "0.1.0"), ("ipython", "9.18.1"),
                         ("numpy", "2.1.3"))
    monkeypatch.setattr(course_env, "_conflicts", lambda changed: ["google-colab pide ipython==7.34.0"]
                        if "ipython" in changed else [])
    changes = course_env.report_pip_install(report, {"IPython": "7.34.0", "numpy": "2.1.3"})
    assert changes == ["ipython 7.34.0 → 9.18.1"]
    err = capsys.readouterr().err
    assert "ATENCIÓN" in err and "ipython 7.34.0 → 9.18.1" in err and "numpy" not in err
    assert "google-colab pide ipython==7.34.0" in err and "Reiniciar sesión" in err
    assert len(err.strip().splitlines()) == 1


def test_conflicts_name_the_package_that_needs_the_old_version():
    import importlib.metadata

    # This environment's pytest needs pluggy; pretend pip moved pluggy to a version it rejects.
    found = course_env._conflicts({"pluggy": "0.0.1"})
    assert any(c.startswith("pytest pide pluggy") for c in found)
    assert course_env._conflicts({"pluggy": importlib.metadata.version("pluggy")}) == []


def test_report_pip_install_without_report(tmp_path, capsys):
    assert course_env.report_pip_install(tmp_path / "missing.json", {}) == []
    assert "No encontré el informe de pip" in capsys.readouterr().err
