"""The data layer against a local HTTP server: downloads, verification, mirrors, failures, locks."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import tarfile
import zipfile
from pathlib import Path

import gdown
import numpy as np
import pytest
import yaml
from gdown.exceptions import FileURLRetrievalError
from http_server import FileServer

from course_utils import data
from course_utils.data import FetchError, IntegrityError, UnsafeArchiveError
from course_utils.data.extract import extract

NAME = "toy"


def make_tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member, content in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(folder: Path, archive: Path, sources: list[dict], *, size=None, checksum=None,
                   name: str = NAME, extract_kind: str = "tar") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "filename": archive.name,
        "sources": sources,
        "size": archive.stat().st_size if size is None else size,
        "checksum": f"sha256:{sha256(archive)}" if checksum is None else checksum,
        "extract": extract_kind,
    }
    if checksum is False:
        del spec["checksum"]
        del spec["size"]
    manifest = {
        "name": name, "title": "Juguete", "description": "Conjunto de prueba.",
        "homepage": "https://example.org", "license": "CC0", "citation": "Nadie, 2026.",
        "files": [spec], "root": "toy-1.0", "layout": "toy-1.0/recordings/*.wav",
        "expect": ["recordings"], "synthetic": {"generator": "fsdd", "seed": 0, "params": {}},
    }
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An empty cache, a manifests folder, and a served folder with a good archive."""
    served = tmp_path / "served"
    served.mkdir()
    archive = make_tar(served / "toy-1.0.tar.gz", {
        "toy-1.0/recordings/0_a_0.wav": b"RIFF" + b"\0" * 100,
        "toy-1.0/recordings/1_a_0.wav": b"RIFF" + b"\1" * 100,
        "toy-1.0/README.md": b"# toy\n",
    })
    manifests = tmp_path / "manifests"
    monkeypatch.setenv("COURSE_MANIFESTS_DIR", str(manifests))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    with FileServer(served) as server:
        yield {"server": server, "archive": archive, "manifests": manifests,
               "cache": tmp_path / "cache", "served": served, "tmp": tmp_path}


def cache_files(cache: Path) -> list[str]:
    """Every file under downloads/ except lock files (what a failed fetch must not leave)."""
    downloads = cache / "downloads"
    return sorted(str(p.relative_to(downloads)) for p in downloads.rglob("*") if p.is_file()) \
        if downloads.exists() else []


def test_good_fetch_then_cached_without_network(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}])
    root = data.fetch(NAME)
    assert root == env["cache"] / "real" / NAME / "toy-1.0"
    assert sorted(p.name for p in (root / "recordings").iterdir()) == ["0_a_0.wav", "1_a_0.wav"]
    assert env["server"].hits[env["archive"].name] == 1
    assert (env["cache"] / "downloads" / f"{env['archive'].name}.verified").is_file()
    env["server"].stop()  # no network from here on
    assert data.fetch(NAME) == root


def test_checksum_mismatch_is_refused_and_leaves_nothing(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}], checksum="sha256:" + "0" * 64)
    with pytest.raises(FetchError, match="suma de verificación"):
        data.fetch(NAME)
    assert cache_files(env["cache"]) == []
    assert not (env["cache"] / "real" / NAME / "toy-1.0").exists()


def test_wrong_size_is_refused(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}], size=12345)
    with pytest.raises(FetchError, match="12,345"):
        data.fetch(NAME)
    assert cache_files(env["cache"]) == []


def partial_files(cache: Path) -> list[Path]:
    return sorted((cache / "downloads" / ".partial").glob("*.part"))


def test_server_dying_mid_download_keeps_the_partial_aside_and_next_fetch_succeeds(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}])
    env["server"].truncate.add(env["archive"].name)
    with pytest.raises(FetchError) as info:
        data.fetch(NAME)
    message = str(info.value)
    assert "la conexión se cortó" in message and "continúa desde ahí" in message
    assert "Google Drive" not in message  # no Drive source was tried
    assert "kept" not in message and "resume" not in message  # no gdown English
    # nothing unverified outside .partial/, and the partial is what the server sent
    assert [f for f in cache_files(env["cache"]) if not f.startswith(".partial/")] == []
    [partial] = partial_files(env["cache"])
    assert partial.read_bytes() == env["archive"].read_bytes()[: len(partial.read_bytes())]
    env["server"].truncate.clear()
    assert (data.fetch(NAME) / "recordings" / "0_a_0.wav").is_file()
    assert partial_files(env["cache"]) == [] and cache_files(env["cache"]) == [
        env["archive"].name, env["archive"].name + ".verified"]


@pytest.fixture
def big(env):
    """A 4 MB archive (incompressible) served by the loopback server."""
    payload = np.random.default_rng(0).bytes(4 << 20)
    archive = make_tar(env["served"] / "big-1.0.tar.gz", {"toy-1.0/recordings/blob.bin": payload,
                                                         "toy-1.0/README.md": b"# big\n"})
    write_manifest(env["manifests"], archive, [{"url": f"{env['server'].url}/{archive.name}"}])
    return archive


def test_download_cut_at_90_percent_resumes_with_a_range_request(env, big, capsys):
    server, name, size = env["server"], big.name, big.stat().st_size
    server.cut_at[name] = 0.9
    with pytest.raises(FetchError, match="continúa desde ahí"):
        data.fetch(NAME)
    [partial] = partial_files(env["cache"])
    kept = partial.stat().st_size
    assert kept == int(size * 0.9)
    assert not (env["cache"] / "downloads" / name).exists()  # never used unverified
    server.cut_at.clear()
    root = data.fetch(NAME)
    assert (root / "README.md").read_text() == "# big\n"
    assert server.ranges[name] == [None, f"bytes={kept}-"]
    assert server.bytes_sent[name] == size  # 90 % + the missing 10 %: nothing twice
    resent = server.bytes_sent[name] - size
    print(f"\nfile {size:,} B, cut at {kept:,} B, second request {size - kept:,} B, "
          f"re-downloaded {resent:,} B")
    assert resent == 0


def test_partial_of_a_source_that_stopped_accepting_ranges_starts_over(env, big):
    server, name, size = env["server"], big.name, big.stat().st_size
    server.cut_at[name] = 0.5
    with pytest.raises(FetchError):
        data.fetch(NAME)
    assert len(partial_files(env["cache"])) == 1
    server.cut_at.clear()
    server.ignore_ranges.add(name)  # now answers 200 with the whole file
    assert (data.fetch(NAME) / "README.md").is_file()
    assert server.bytes_sent[name] == size // 2 + size
    assert sha256(env["cache"] / "downloads" / name) == sha256(big)


def test_cut_from_a_server_without_ranges_discards_and_says_so(env, big):
    server, name = env["server"], big.name
    server.ignore_ranges.add(name)
    server.cut_at[name] = 0.5
    with pytest.raises(FetchError) as info:
        data.fetch(NAME)
    message = str(info.value)
    assert "no permite continuar" in message and "se descartó" in message
    assert "continúa desde ahí" not in message
    assert partial_files(env["cache"]) == [] and cache_files(env["cache"]) == []


def test_resumed_partial_that_does_not_verify_is_downloaded_again_from_zero(env, big):
    server, name, size = env["server"], big.name, big.stat().st_size
    server.cut_at[name] = 0.9
    with pytest.raises(FetchError):
        data.fetch(NAME)
    [partial] = partial_files(env["cache"])
    damaged = bytearray(partial.read_bytes())
    damaged[100] ^= 0xFF  # e.g. a bad sector, or another program wrote there
    partial.write_bytes(bytes(damaged))
    server.cut_at.clear()
    data.fetch(NAME)
    assert sha256(env["cache"] / "downloads" / name) == sha256(big)
    assert server.ranges[name] == [None, f"bytes={int(size * 0.9)}-", None]
    assert partial_files(env["cache"]) == []


def test_partial_left_for_another_manifest_entry_is_not_continued(env, big):
    server, name = env["server"], big.name
    server.cut_at[name] = 0.5
    with pytest.raises(FetchError):
        data.fetch(NAME)
    server.cut_at.clear()
    # the manifest now describes other bytes under the same name and URL
    big.write_bytes(big.read_bytes()[::-1])
    write_manifest(env["manifests"], big, [{"url": f"{env['server'].url}/{name}"}])
    manifest = data.load_manifest(NAME)
    final = data.ensure_download(manifest, manifest.files[0], quiet=True)  # no extraction
    assert server.ranges[name][-1] is None  # started over instead of splicing
    assert sha256(final) == sha256(big)


def test_corrupted_cached_archive_is_detected_and_replaced(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}])
    data.fetch(NAME)
    cached = env["cache"] / "downloads" / env["archive"].name
    cached.write_bytes(b"garbage" * 10)  # corrupted after verification
    report = {r.filename: r.status for r in data.verify(NAME)}
    assert report == {env["archive"].name: "bad"}
    assert not cached.exists()  # verify removed it
    cached.write_bytes(b"garbage again")  # a corrupt leftover, and the extraction is gone
    for marker in (env["cache"] / "real" / NAME / ".installed").iterdir():
        marker.unlink()
    root = data.fetch(NAME)
    assert sha256(cached) == sha256(env["archive"])
    assert (root / "recordings" / "1_a_0.wav").is_file()
    assert env["server"].hits[env["archive"].name] == 2


def test_deleted_extraction_is_rebuilt_from_the_cached_archive(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}])
    root = data.fetch(NAME)
    for wav in (root / "recordings").iterdir():
        wav.unlink()
    (root / "recordings").rmdir()
    assert (data.fetch(NAME) / "recordings" / "0_a_0.wav").is_file()
    assert env["server"].hits[env["archive"].name] == 1  # no second download


def test_mirror_url_is_tried_first(env, monkeypatch):
    mirror = env["served"] / "mirror"
    mirror.mkdir()
    (mirror / env["archive"].name).write_bytes(env["archive"].read_bytes())
    primary = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": primary}])
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{env['server'].url}/mirror/")
    data.fetch(NAME)
    assert env["server"].hits[f"mirror/{env['archive'].name}"] == 1
    assert env["server"].hits[env["archive"].name] == 0


def test_local_folder_mirror(env, monkeypatch):
    mirror = env["tmp"] / "usb-stick"
    mirror.mkdir()
    (mirror / env["archive"].name).write_bytes(env["archive"].read_bytes())
    write_manifest(env["manifests"], env["archive"], [])  # no public source at all
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    assert (data.fetch(NAME) / "README.md").read_text() == "# toy\n"


def test_every_source_failing_gives_one_aggregated_error(env, monkeypatch):
    missing = f"{env['server'].url}/nothing-here.tar.gz"
    write_manifest(env["manifests"], env["archive"], [{"url": missing}, {"url": "http://127.0.0.1:9/x"}])
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(env["tmp"] / "empty-mirror"))
    with pytest.raises(FetchError) as info:
        data.fetch(NAME)
    message = str(info.value)
    assert "1. espejo local" in message and "no existe el archivo" in message
    assert "2. " + missing in message and "404" in message
    assert "3. http://127.0.0.1:9/x" in message and "conexión" in message
    assert "COURSE_DATA_MIRROR" in message and 'source="synthetic"' in message
    assert "Google Drive" not in message and "continúa desde ahí" not in message
    assert cache_files(env["cache"]) == []


def test_drive_quota_error_falls_through_to_next_source(env, monkeypatch):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"gdrive": "FAKE_ID"}, {"url": url}])
    real_download = gdown.download

    def fake_download(url=None, output=None, quiet=False, id=None, **kwargs):
        if id is not None:
            raise FileURLRetrievalError(
                "Too many users have viewed or downloaded this file recently.")
        return real_download(url=url, output=output, quiet=quiet, **kwargs)

    monkeypatch.setattr(gdown, "download", fake_download)
    assert (data.fetch(NAME) / "recordings").is_dir()
    # and when Drive is the only source, the explanation reaches the student
    other = env["served"] / "other.tar.gz"
    other.write_bytes(env["archive"].read_bytes())
    write_manifest(env["manifests"], other, [{"gdrive": "FAKE_ID"}], name="toy2")
    with pytest.raises(FetchError, match="Google Drive limitó las descargas") as info:
        data.fetch("toy2")
    assert "esa cuota se libera sola" in str(info.value)  # Drive advice: Drive was tried


def test_unpublished_checksum_warns_with_observed_hash(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}], checksum=False)
    with pytest.warns(data.UnverifiedDownloadWarning, match=sha256(env["archive"])):
        data.fetch(NAME)
    # a later change of the cached file is caught by verify against the recorded hash
    cached = env["cache"] / "downloads" / env["archive"].name
    cached.write_bytes(cached.read_bytes()[:-1] + b"x")
    assert [r.status for r in data.verify(NAME)] == ["bad"]


def _fetch_in_child(cache: str, manifests: str, queue) -> None:
    import os

    os.environ["COURSE_DATA_DIR"] = cache
    os.environ["COURSE_MANIFESTS_DIR"] = manifests
    from course_utils import data as child_data

    queue.put(str(child_data.fetch(NAME, quiet=True)))


def test_two_processes_fetching_at_once_download_once(env):
    url = f"{env['server'].url}/{env['archive'].name}"
    write_manifest(env["manifests"], env["archive"], [{"url": url}])
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_fetch_in_child,
                         args=(str(env["cache"]), str(env["manifests"]), queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    roots = {queue.get(timeout=5) for _ in procs}
    assert len(roots) == 1 and (Path(roots.pop()) / "recordings" / "0_a_0.wav").is_file()
    assert env["server"].hits[env["archive"].name] == 1


def test_tar_slip_archive_is_rejected(env):
    evil = make_tar(env["served"] / "evil.tar.gz", {"toy-1.0/ok.txt": b"ok", "../../escaped.txt": b"x"})
    write_manifest(env["manifests"], evil, [{"url": f"{env['server'].url}/evil.tar.gz"}])
    with pytest.raises(UnsafeArchiveError, match="sale de su carpeta"):
        data.fetch(NAME)
    assert not list(env["tmp"].rglob("escaped.txt"))


@pytest.mark.parametrize("member", ["/etc/evil.txt", "a/../../evil.txt"])
def test_tar_bad_paths_rejected(tmp_path, member):
    archive = make_tar(tmp_path / "bad.tar.gz", {member: b"x"})
    with pytest.raises(UnsafeArchiveError):
        extract(archive, "tar", tmp_path / "out")
    assert not list(tmp_path.rglob("evil.txt"))


def test_tar_symlink_leaving_target_rejected(tmp_path):
    archive = tmp_path / "link.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("data/link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../../etc/passwd"
        tar.addfile(info)
    with pytest.raises(UnsafeArchiveError, match="enlace"):
        extract(archive, "tar", tmp_path / "out")


def test_zip_slip_rejected(tmp_path):
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fine.txt", "ok")
        zf.writestr("../evil.txt", "x")
    with pytest.raises(UnsafeArchiveError):
        extract(archive, "zip", tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "fine.txt").exists()


def test_zip_extracts_normal_archive(tmp_path):
    archive = tmp_path / "ok.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/b.txt", "hola")
    extract(archive, "zip", tmp_path / "out")
    assert (tmp_path / "out" / "a" / "b.txt").read_text() == "hola"


def test_corrupt_archive_without_checksum_is_an_integrity_error(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a tar at all")
    with pytest.raises(IntegrityError, match="dañado"):
        extract(bad, "tar", tmp_path / "out")


def test_local_folder_path_is_checked_against_layout(env, tmp_path):
    write_manifest(env["manifests"], env["archive"], [])
    folder = tmp_path / "mine" / "toy-1.0" / "recordings"
    folder.mkdir(parents=True)
    (folder / "0_a_0.wav").write_bytes(b"RIFF")
    assert data.fetch(NAME, path=tmp_path / "mine") == tmp_path / "mine" / "toy-1.0"
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(data.LayoutError, match="falta recordings"):
        data.fetch(NAME, path=tmp_path / "elsewhere")


def test_source_may_be_a_folder_with_or_without_the_root(env, tmp_path, capsys):
    write_manifest(env["manifests"], env["archive"], [])
    root = tmp_path / "copy" / "toy-1.0"
    (root / "recordings").mkdir(parents=True)
    (root / "recordings" / "0_a_0.wav").write_bytes(b"RIFF")
    assert data.fetch(NAME, source=str(tmp_path / "copy")) == root
    assert data.fetch(NAME, source=root) == root  # a Path naming the root itself
    assert "Uso tu carpeta" in capsys.readouterr().out
    assert not list(env["cache"].rglob("*.tar.gz"))  # nothing downloaded


def test_folder_source_with_an_empty_expected_folder_is_refused(env, tmp_path):
    write_manifest(env["manifests"], env["archive"], [])
    (tmp_path / "copy" / "recordings").mkdir(parents=True)
    with pytest.raises(data.LayoutError, match="recordings está vacía"):
        data.fetch(NAME, source=tmp_path / "copy")


def test_unknown_source_value_is_explained(env):
    write_manifest(env["manifests"], env["archive"], [])
    with pytest.raises(data.LayoutError, match="No existe la carpeta .*internet.*'synthetic'"):
        data.fetch(NAME, source="internet")
