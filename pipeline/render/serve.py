"""A preview server for the built site: loopback only, quiet, the site's own 404 page."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
MANIFEST = "withdrawn.json"  # written by the ``withdrawn`` plugin


def withdrawn_at(root: Path, target: Path) -> Path | None:
    """The notice page when ``target`` (a file or folder under ``root``) is the address of a
    withdrawn article: the nearest folder above it holding ``withdrawn.json`` lists it. Any
    depth works, so a release served under ``current/`` (the local target) answers too."""
    folder = target if target.is_dir() else target.parent
    for site in (folder, *folder.parents):
        manifest = site / MANIFEST
        if manifest.is_file():
            try:
                listed = json.loads(manifest.read_text(encoding="utf-8"))
                urls = {str(item["url"]).strip("/") for item in listed}
            except (OSError, ValueError, TypeError, KeyError):
                return None  # not a list this server wrote: serve the files as they are
            where = folder.relative_to(site).as_posix()
            notice = folder / "index.html"
            return notice if where in urls and notice.is_file() else None
        if site == root:
            return None
    return None


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the site folder; unknown paths get ``404.html`` with status 404; a
    withdrawn article's address answers 410 Gone with its notice page."""

    def log_message(self, format: str, *args: object) -> None:
        pass  # a preview needs no access log on the terminal

    def send_head(self):  # the base class's own (unannotated) signature
        root = Path(self.directory).resolve()
        target = Path(self.translate_path(self.path)).resolve()
        notice = withdrawn_at(root, target) if target.is_relative_to(root) else None
        if notice is None:
            return super().send_head()
        body = notice.read_bytes()
        self.send_response(HTTPStatus.GONE)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(folder: Path, port: int = 0) -> ThreadingHTTPServer:
    handler = partial(SiteHandler, directory=str(folder))
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"


def serve_in_background(folder: Path, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve ``folder`` on 127.0.0.1 from a thread; returns the URL and a function to stop."""
    server = make_server(folder, port)
    thread = threading.Thread(target=server.serve_forever, name="terbit-serve", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return url_of(server), stop
