"""A tiny HTTP server on 127.0.0.1 for download tests: serves a folder, counts requests and bytes
sent, honours (or ignores, on demand) HTTP Range requests, and can cut a response part-way
("dies mid-download")."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RANGE = re.compile(r"bytes=(\d+)-$")


class FileServer:
    """Serve files of ``root`` at ``http://127.0.0.1:<free port>/<name>``.

    - ``truncate``: names whose body is cut after half of the file's bytes;
    - ``cut_at``: name -> fraction of the file after which the connection is cut (the cut
      is at that offset of the file, also in a resumed response that starts past it, which
      then is not cut);
    - ``ignore_ranges``: names served whole (200) whatever Range says, without
      ``Accept-Ranges``, like a server that cannot resume;
    - ``hits``, ``bytes_sent`` and ``ranges`` (the Range header of every request) per name.
    """

    def __init__(self, root: Path):
        self.root = root
        self.hits: Counter[str] = Counter()
        self.bytes_sent: Counter[str] = Counter()
        self.ranges: dict[str, list[str | None]] = {}
        self.truncate: set[str] = set()
        self.cut_at: dict[str, float] = {}
        self.ignore_ranges: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                name = self.path.lstrip("/")
                server.hits[name] += 1
                requested = self.headers.get("Range")
                server.ranges.setdefault(name, []).append(requested)
                path = server.root / name
                if not path.is_file():
                    self.send_error(404, "not found")
                    return
                body = path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                start = 0
                match = RANGE.fullmatch(requested or "")
                honour = name not in server.ignore_ranges and match is not None
                if honour and self.headers.get("If-Range") not in (None, etag):
                    honour = False  # the file changed: send it whole
                if honour:
                    start = int(match[1])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                if name not in server.ignore_ranges:
                    self.send_header("Accept-Ranges", "bytes")
                    self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                stop = len(body)
                if name in server.truncate:
                    stop = len(body) // 2
                elif name in server.cut_at:
                    stop = int(len(body) * server.cut_at[name])
                if start < stop < len(body):
                    self.wfile.write(body[start:stop])
                    server.bytes_sent[name] += stop - start
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])
                server.bytes_sent[name] += len(body) - start

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
