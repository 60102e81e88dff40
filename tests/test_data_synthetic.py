"""``fetch(name, source="synthetic")`` for every manifest: built once, deterministic, announced."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_utils import data

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("name", data.list_datasets())
def test_every_dataset_has_a_twin_with_its_layout(cache, name, capsys):
    manifest = data.load_manifest(name)
    root = data.fetch(name, source="synthetic")
    assert root == cache / "synthetic" / name / manifest.root
    for expected in manifest.expect:
        assert (root / expected).exists(), expected
    assert "SINTÉTICO" in capsys.readouterr().out
    marker_time = (cache / "synthetic" / name / ".twin.json").stat().st_mtime_ns
    start = time.perf_counter()
    assert data.fetch(name, source="synthetic") == root  # cached: not rebuilt
    assert time.perf_counter() - start < 5
    assert (cache / "synthetic" / name / ".twin.json").stat().st_mtime_ns == marker_time


def test_param_overrides_build_a_separate_twin(cache):
    default = data.fetch("tiny_shakespeare", source="synthetic", quiet=True)
    manifest = data.load_manifest("tiny_shakespeare")
    other = data.fetch("tiny_shakespeare", source="synthetic", quiet=True,
                       synthetic_params={**manifest.synthetic_params, "_variant": 1})
    assert other != default
    assert other.is_relative_to(cache / "synthetic") and "tiny_shakespeare-" in str(other)


def test_cli_fetch_synthetic_prints_root_last(cache):
    result = subprocess.run([sys.executable, "-m", "course_utils", "fetch", "fsdd", "--synthetic"],
                            capture_output=True, text=True, cwd=REPO, timeout=300,
                            env={**os.environ, "COURSE_DATA_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    root = Path(result.stdout.strip().splitlines()[-1])
    assert root.name == "free-spoken-digit-dataset-1.0.10" and (root / "recordings").is_dir()
