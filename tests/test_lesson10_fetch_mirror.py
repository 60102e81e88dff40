"""Lesson 10's gdown path: a packed folder, a manifest with a Drive id, ``fetch`` through a mirror.

The lesson serves the packed ``.zip`` from a local HTTP server and points ``COURSE_DATA_MIRROR``
at it; these tests pin the behaviour it relies on: the mirror is tried before the Drive source,
``root: .`` works for a zip of loose files, and a checksum that does not match is refused.
"""

from __future__ import annotations

import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from course_utils import data

MANIFEST = """\
name: paquete_leccion
title: Paquete de prueba
description: Lo que la lección 10 empaqueta.
homepage: https://example.org
license: CC0
citation: nadie
files:
  - filename: paquete_leccion.zip
    sources: {sources}
    size: {size}
    checksum: sha256:{sha256}
    extract: zip
root: .
layout: datos.txt
expect:
  - datos.txt
synthetic:
  generator: ninguno
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def served_package(tmp_path):
    prepared = tmp_path / "preparado"
    prepared.mkdir()
    (prepared / "datos.txt").write_text("hola", encoding="utf-8")
    drive = tmp_path / "drive"
    result = data.pack(prepared, "paquete_leccion", drive, quiet=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(drive)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield result, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _use(monkeypatch, tmp_path, text: str, mirror: str, name: str) -> None:
    manifests = tmp_path / f"manifiestos-{name}"
    manifests.mkdir()
    (manifests / "paquete_leccion.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("COURSE_MANIFESTS_DIR", str(manifests))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / f"cache-{name}"))
    monkeypatch.setenv("COURSE_DATA_MIRROR", mirror)


def test_fetch_from_the_mirror_before_the_drive_id(served_package, tmp_path, monkeypatch):
    result, mirror = served_package
    assert result.sha256 == hashlib.sha256(result.archive.read_bytes()).hexdigest()
    text = MANIFEST.format(sources="\n      - gdrive: ID_DE_TU_ARCHIVO_EN_DRIVE",
                           size=result.size, sha256=result.sha256)
    _use(monkeypatch, tmp_path, text, mirror, "buena")
    root = data.fetch("paquete_leccion", quiet=True)
    assert (root / "datos.txt").read_text(encoding="utf-8") == "hola"


def test_a_wrong_checksum_is_refused(served_package, tmp_path, monkeypatch):
    result, mirror = served_package
    text = MANIFEST.format(sources="[]", size=result.size, sha256=result.sha256[::-1])
    _use(monkeypatch, tmp_path, text, mirror, "alterada")
    with pytest.raises(data.FetchError) as caught:
        data.fetch("paquete_leccion", quiet=True)
    assert [where for where, _ in caught.value.failures] == [f"espejo {mirror}"]
    assert "no coincide" in caught.value.failures[0][1]
