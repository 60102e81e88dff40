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
