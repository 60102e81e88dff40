"""``python -m course_utils``: list, info, fetch (through a mirror), verify, pack; and the wheel."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from http_server import FileServer

from course_utils.data import list_datasets
from course_utils.data.integrity import file_hash

REPO = Path(__file__).resolve().parents[1]
FSDD_SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
FSDD_ARCHIVE = "free-spoken-digit-dataset-1.0.10.tar.gz"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "course_utils", *args], capture_output=True,
                          text=True, env=full_env, cwd=REPO, timeout=600)


def test_list_shows_every_dataset_with_size_and_license():
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    for name in list_datasets():
        assert name in result.stdout
    assert "15.6 MB" in result.stdout and "CC BY-SA 4.0" in result.stdout


def test_info_json_includes_each_filename():
    result = run_cli("info", "fleurs", "--json")
    info = json.loads(result.stdout)
    assert len(info["files"]) == 16
    assert all(f["filename"].startswith("fleurs-") for f in info["files"])


def test_unknown_dataset_exits_nonzero_with_message():
    result = run_cli("fetch", "nope")
    assert result.returncode == 1
    assert "No hay un manifiesto" in result.stderr


def _fsdd_standin(path: Path) -> Path:
    """An archive with the real FSDD v1.0.10 layout and all 3,000 recordings (short tones), used
    where the real archive cannot be downloaded."""
    rng = np.random.default_rng(0)
    with tarfile.open(path, "w:gz") as tar:
        root = "free-spoken-digit-dataset-1.0.10"
        for digit in range(10):
            for speaker in FSDD_SPEAKERS:
                for index in range(50):
                    buf = io.BytesIO()
                    tone = 0.3 * np.sin(2 * np.pi * (200 + 50 * digit) * np.arange(800) / 8000)
                    sf.write(buf, tone + 0.01 * rng.standard_normal(800), 8000, subtype="PCM_16",
                             format="WAV")
                    info = tarfile.TarInfo(f"{root}/recordings/{digit}_{speaker}_{index}.wav")
                    info.size = buf.tell()
                    buf.seek(0)
                    tar.addfile(info, buf)
        readme = b"# Free Spoken Digit Dataset\n"
        info = tarfile.TarInfo(f"{root}/README.md")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return path


@pytest.fixture(scope="module")
def fsdd_mirror(tmp_path_factory):
    """A mirror folder serving an FSDD stand-in under the manifest's filename, and a manifests
    folder whose fsdd entry carries that archive's size and checksum."""
    base = tmp_path_factory.mktemp("fsdd")
    served = base / "served"
    served.mkdir()
    archive = _fsdd_standin(served / FSDD_ARCHIVE)
    manifests = base / "manifests"
    shutil.copytree(REPO / "data_manifests", manifests)
    fsdd = yaml.safe_load((manifests / "fsdd.yaml").read_text(encoding="utf-8"))
    assert fsdd["files"][0]["filename"] == FSDD_ARCHIVE
    fsdd["files"][0].update(size=archive.stat().st_size, checksum=f"sha256:{file_hash(archive)}")
    (manifests / "fsdd.yaml").write_text(yaml.safe_dump(fsdd, allow_unicode=True), encoding="utf-8")
    with FileServer(served) as server:
        yield {"server": server, "archive": archive, "manifests": manifests, "base": base}


def test_fetch_fsdd_through_http_mirror_yields_3000_recordings(fsdd_mirror, tmp_path):
    env = {"COURSE_DATA_DIR": str(tmp_path / "cache"), "COURSE_MANIFESTS_DIR": str(fsdd_mirror["manifests"]),
           "COURSE_DATA_MIRROR": fsdd_mirror["server"].url}
    result = run_cli("fetch", "fsdd", env=env)
    assert result.returncode == 0, result.stderr
    root = Path(result.stdout.strip().splitlines()[-1])
    assert root.name == "free-spoken-digit-dataset-1.0.10"
    assert len(list((root / "recordings").glob("*.wav"))) == 3000
    assert fsdd_mirror["server"].hits[FSDD_ARCHIVE] == 1
    again = run_cli("fetch", "fsdd", env=env)
    assert again.stdout.strip().splitlines()[-1] == str(root)
    assert fsdd_mirror["server"].hits[FSDD_ARCHIVE] == 1  # served from the cache
    verify = run_cli("verify", "fsdd", env=env)
    assert verify.returncode == 0 and "OK" in verify.stdout


def test_tampered_fsdd_is_refused_and_leaves_nothing(fsdd_mirror, tmp_path):
    tampered_dir = fsdd_mirror["base"] / "served" / "tampered"
    tampered_dir.mkdir(exist_ok=True)
    data = bytearray(fsdd_mirror["archive"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tampered_dir / FSDD_ARCHIVE).write_bytes(bytes(data))
    cache = tmp_path / "cache"
    env = {"COURSE_DATA_DIR": str(cache), "COURSE_MANIFESTS_DIR": str(fsdd_mirror["manifests"]),
           "COURSE_DATA_MIRROR": f"{fsdd_mirror['server'].url}/tampered"}
    result = run_cli("fetch", "fsdd", env=env)
    assert result.returncode == 1
    assert "suma de verificación" in result.stderr and "no lo usaré" in result.stderr
    leftovers = [p for p in (cache / "downloads").rglob("*") if p.is_file()]
    assert leftovers == []
    assert not (cache / "real" / "fsdd" / "free-spoken-digit-dataset-1.0.10").exists()


def test_verify_reports_missing_files(tmp_path):
    result = run_cli("verify", "cifar10", env={"COURSE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1 and "FALTA" in result.stdout


def test_pack_prints_size_sha_and_snippet_and_round_trips(tmp_path):
    src = tmp_path / "prepared"
    (src / "features").mkdir(parents=True)
    np.save(src / "features" / "x.npy", np.arange(10))
    (src / "labels.csv").write_text("id,label\n0,a\n")
    result = run_cli("pack", str(src), "--name", "mis_datos", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    archive = tmp_path / "out" / "mis_datos.zip"
    assert f"sha256: {file_hash(archive)}" in result.stdout
    assert f"size: {archive.stat().st_size}" in result.stdout and "gdrive:" in result.stdout
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["features/x.npy", "labels.csv"]
    again = run_cli("pack", str(src), "--name", "mis_datos", "--out", str(tmp_path / "out2"))
    assert again.returncode == 0, again.stderr
    assert file_hash(tmp_path / "out2" / "mis_datos.zip") == file_hash(archive)  # deterministic


def test_pack_missing_folder_is_a_clear_error(tmp_path):
    result = run_cli("pack", str(tmp_path / "nope"), "--name", "x")
    assert result.returncode == 1 and "No existe la carpeta" in result.stderr


@pytest.mark.slow
def test_wheel_ships_the_manifests(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("course_utils-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for dataset in list_datasets():
        assert f"course_utils/data_manifests/{dataset}.yaml" in names
