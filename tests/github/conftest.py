"""A local stand-in for api.github.com: real-shaped payloads on 127.0.0.1, in a thread.

Lists are served in pages with GitHub's ``Link`` header; a route can be scripted to fail first
(403 rate limit with ``x-ratelimit-*`` headers, 5xx) so the client's retries are exercised.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.github import REPO, fixture
from tests.support.github_site import GitHubSite, github_site

PLACEHOLDER = "http://api.github.test"


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeGitHub:
    """Routes: ``(METHOD, path)`` -> payload, or a callable ``(call) -> (status, payload)``."""

    url: str = ""
    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    page_size: dict[str, int] = field(default_factory=dict)  # path -> items per page
    failures: dict[tuple[str, str], list[tuple[int, dict[str, str], Any]]] = field(
        default_factory=dict
    )
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, method: str, path: str, payload: Any) -> None:
        self.routes[(method, path)] = payload

    def fail_first(self, method: str, path: str, status: int, headers: dict, body: Any) -> None:
        self.failures.setdefault((method, path), []).append((status, headers, body))

    def rate_limit_once(self, method: str, path: str, reset_in: float = 1.0) -> None:
        reset = int(time.time() + reset_in) + 1  # whole seconds, as GitHub sends it
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        }
        body = {
            "message": "API rate limit exceeded for installation ID 1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }
        self.fail_first(method, path, 403, headers, body)

    def made(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def content(self, ref: str, path: str, text: str) -> None:
        """Serve ``path`` at ``ref`` the way the contents API does (base64, 60-column lines)."""
        encoded = base64.encodebytes(text.encode("utf-8")).decode("ascii")
        payload = {
            "type": "file",
            "encoding": "base64",
            "size": len(text.encode("utf-8")),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": encoded,
            "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
            "url": f"{PLACEHOLDER}/repos/{REPO}/contents/{path}?ref={ref}",
            "git_url": f"{PLACEHOLDER}/repos/{REPO}/git/blobs/3d21ec53",
            "html_url": f"https://github.com/{REPO}/blob/{ref}/{path}",
            "download_url": f"https://raw.githubusercontent.com/{REPO}/{ref}/{path}",
            "_links": {"self": f"{PLACEHOLDER}/repos/{REPO}/contents/{path}?ref={ref}"},
        }
        self.route("GET", f"/repos/{REPO}/contents/{path}?ref={ref}", payload)

    # -- serving -----------------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.calls.append(call)
            key = (call.method, call.path)
            queued = self.failures.get(key)
            if queued:
                return queued.pop(0)
        ref = call.query.get("ref", [None])[0]
        lookup = (call.method, f"{call.path}?ref={ref}") if ref else key
        handler = self.routes.get(lookup)
        if handler is None:
            return (
                404,
                {},
                {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
            )
        if callable(handler):
            status, payload = handler(call)
        else:
            status, payload = (200 if call.method == "GET" else 201), copy.deepcopy(handler)
        headers: dict[str, str] = {}
        if isinstance(payload, list) and call.method == "GET":
            payload, headers = self._page(call, payload)
        return status, headers, payload

    def _page(self, call: Call, items: list) -> tuple[list, dict[str, str]]:
        size = self.page_size.get(call.path)
        if not size:
            return items, {}
        page = int(call.query.get("page", ["1"])[0])
        last = max(1, -(-len(items) // size))
        links = []
        # GitHub's pagination links carry the query with the page number changed.
        base = f"{self.url}{call.path}?per_page={size}&page="
        if page < last:
            links.append(f'<{base}{page + 1}>; rel="next"')
            links.append(f'<{base}{last}>; rel="last"')
        if page > 1:
            links.append(f'<{base}1>; rel="first"')
            links.append(f'<{base}{page - 1}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else {}
        return items[(page - 1) * size : page * size], headers


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            call = Call(
                self.command,
                parts.path,
                parse_qs(parts.query),
                json.loads(raw) if raw else None,
                {k.lower(): v for k, v in self.headers.items()},
            )
            status, headers, payload = fake.answer(call)
            data = json.dumps(payload).replace(PLACEHOLDER, fake.url).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """A running fake API with PR #12's documented-shape payloads loaded."""
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    pr = f"/repos/{REPO}/pulls/12"
    fake.route("GET", pr, fixture("pull"))
    fake.route("GET", f"{pr}/commits", fixture("pull_commits"))
    fake.route("GET", f"{pr}/reviews", fixture("pull_reviews"))
    fake.route("GET", f"{pr}/files", fixture("pull_files"))
    fake.route("GET", f"/repos/{REPO}/issues/12/timeline", fixture("timeline"))
    fake.route("GET", f"/repos/{REPO}/issues/12/comments", fixture("issue_comments"))
    fake.page_size[f"{pr}/reviews"] = 2
    fake.page_size[f"/repos/{REPO}/issues/12/timeline"] = 4
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def echo_post() -> Callable[[dict], Callable[[Call], tuple[int, Any]]]:
    """A route handler that answers a POST/PATCH with ``template`` updated by the request body."""

    def make(template: dict) -> Callable[[Call], tuple[int, Any]]:
        def handler(call: Call) -> tuple[int, Any]:
            payload = copy.deepcopy(template)
            payload.update(call.body or {})
            return (201 if call.method == "POST" else 200), payload

        return handler

    return make


@pytest.fixture
def site(github_api, tmp_path) -> Iterator[GitHubSite]:
    """The office's repository on GitHub, its Actions checkout and its Pages site
    (``tests.support.github_site``), against the local API."""
    with github_site(tmp_path, github_api) as made:
        yield made
