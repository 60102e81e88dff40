"""Lesson 00 with DATA_SOURCE="real" end to end through a classroom mirror (COURSE_DATA_MIRROR).

No internet here: a stand-in FSDD archive with the real layout (3,000 recordings of 6 speakers)
is served over HTTP on 127.0.0.1, and a copy of the manifests carries its size and checksum.
The notebook runs with full parameters and its recorded figures must meet its thresholds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile

import nbformat
import numpy as np
import pytest
import soundfile as sf
import yaml
from http_server import FileServer

from tools.notebook_harness import FULL_PARAMETERS, NOTEBOOK_DIR, check_thresholds, run_notebook

NOTEBOOK = NOTEBOOK_DIR / "00_bienvenida_y_entorno.ipynb"
SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]


def stand_in_archive(folder, filename, root):
    """A tar.gz with ``root/recordings/{digit}_{speaker}_{index}.wav`` for 6 speakers x 10 x 50."""
    recordings = folder / "src" / root / "recordings"
    recordings.mkdir(parents=True)
    tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(400) / 8000)).astype("float32")
    for digit in range(10):
        for speaker in SPEAKERS:
            for index in range(50):
                sf.write(recordings / f"{digit}_{speaker}_{index}.wav", tone, 8000, subtype="PCM_16")
    archive = folder / "mirror" / filename
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder / "src" / root, arcname=root)
    return archive


@pytest.mark.notebook
@pytest.mark.skipif(not NOTEBOOK.is_file(), reason="lesson 00 not present")
def test_lesson_00_real_data_through_mirror(tmp_path, monkeypatch):
    from course_utils.data import manifests_dir

    manifests = tmp_path / "manifests"
    shutil.copytree(manifests_dir(), manifests)
    spec = yaml.safe_load((manifests / "fsdd.yaml").read_text(encoding="utf-8"))
    archive = stand_in_archive(tmp_path, spec["files"][0]["filename"], spec["root"])
    spec["files"][0]["size"] = archive.stat().st_size
    spec["files"][0]["checksum"] = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    (manifests / "fsdd.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")

    results = tmp_path / "results"
    output = tmp_path / "out" / NOTEBOOK.name
    with FileServer(archive.parent) as server:
        monkeypatch.setenv("COURSE_MANIFESTS_DIR", str(manifests))
        monkeypatch.setenv("COURSE_DATA_MIRROR", server.url + "/")
        monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
        run_notebook(NOTEBOOK, output, FULL_PARAMETERS, mode="full", results_dir=results)
        assert server.hits[archive.name] == 1  # downloaded once, from the mirror

    figures = json.loads((results / f"{NOTEBOOK.stem}.json").read_text())["figures"]
    assert figures["n_recordings"] == 3000 and figures["n_speakers"] == 6
    thresholds = nbformat.read(NOTEBOOK, as_version=4).metadata["course"]["thresholds"]
    assert check_thresholds(thresholds, figures) == []
    executed = nbformat.read(output, as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "3000 grabaciones" in text
