"""Prove a published page is live: it answers 200 and shows the article's title.

A CDN or a slow web server can take a while, so the check retries with exponential backoff,
bounded by ``publish.verify_attempts`` and ``publish.verify_backoff_s``.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from pipeline.errors import TerbitError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "not_live": (
            "halaman {url} belum tayang setelah {attempts} percobaan ({seconds:.1f} detik): {last}",
            "page {url} is not live after {attempts} attempts ({seconds:.1f} seconds): {last}",
        ),
        "status": ("status HTTP {status}", "HTTP status {status}"),
        "no_title": (
            "judul '{title}' tidak ada di halaman",
            "the title '{title}' is not on the page",
        ),
        "still_live": (
            "halaman {url} yang dihapus masih tayang setelah {attempts} percobaan: {last}",
            "the removed page {url} is still live after {attempts} attempts: {last}",
        ),
        "not_withdrawn": (
            "artikel yang ditarik di {url} belum menjawab {status} dengan pemberitahuannya "
            "setelah {attempts} percobaan: {last}",
            "the withdrawn article at {url} does not answer {status} with its notice after "
            "{attempts} attempts: {last}",
        ),
        "no_notice": (
            "halaman pemberitahuan penarikan '{title}' tidak ada",
            "the withdrawal notice for '{title}' is not on the page",
        ),
        "still_linked": (
            "beranda {home} masih menautkan artikel yang ditarik ({path})",
            "the home page {home} still links to the withdrawn article ({path})",
        ),
        "refused": (
            "server web tidak menjawab (sambungan ditolak)",
            "the web server does not answer (connection refused)",
        ),
        "timeout": ("server web tidak menjawab dalam batas waktu", "the web server timed out"),
        "network": (
            "galat jaringan saat menghubungi server web",
            "network error while reaching the web server",
        ),
    }
)

MAX_DELAY_S = 30.0
_SPACE = re.compile(r"\s+")


class NotLiveError(TerbitError):
    exit_code = 1


@dataclass(frozen=True)
class LiveCheck:
    url: str
    status: int
    attempts: int
    seconds: float


def _normal(text: str) -> str:
    return _SPACE.sub(" ", html.unescape(text)).strip().casefold()


def page_shows(body: str, title: str) -> bool:
    """Whether the page text carries the title (entities and whitespace normalised)."""
    return _normal(title) in _normal(re.sub(r"<[^>]+>", " ", body))


def _network_reason(error: httpx.HTTPError) -> str:
    """The failure in words people read on the record; never an exception class name."""
    if isinstance(error, httpx.TimeoutException):
        return MSG("timeout")
    if isinstance(error, httpx.ConnectError):
        return MSG("refused")
    return MSG("network")


def verify_live(
    url: str,
    title: str,
    *,
    attempts: int = 8,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 15.0,
) -> LiveCheck:
    """Fetch ``url`` until it answers 200 with ``title``; raise NotLiveError when it never does."""

    def judge(answer: httpx.Response) -> str | None:
        if answer.status_code != 200:
            return MSG("status", status=answer.status_code)
        return None if page_shows(answer.text, title) else MSG("no_title", title=title)

    found, last, seconds = _poll(url, judge, attempts, backoff_s, sleep, timeout_s)
    if found is None:
        raise NotLiveError(MSG("not_live", url=url, attempts=attempts, seconds=seconds, last=last))
    return found


def _poll(
    url: str,
    judge: Callable[[httpx.Response], str | None],
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    timeout_s: float,
) -> tuple[LiveCheck | None, str, float]:
    """Fetch ``url`` until ``judge`` finds nothing wrong with the answer (None); the check, or
    None with the last reason and the seconds spent. A network error is a reason, not a crash."""
    started = time.monotonic()
    last = ""
    with httpx.Client(follow_redirects=True, timeout=timeout_s) as client:
        for attempt in range(1, attempts + 1):
            try:
                # A cache-busting header: a CDN may keep serving the previous page or 404.
                answer = client.get(url, headers={"Cache-Control": "no-cache"})
            except httpx.HTTPError as error:
                last = _network_reason(error)
            else:
                problem = judge(answer)
                if problem is None:
                    seconds = time.monotonic() - started
                    return LiveCheck(url, answer.status_code, attempt, seconds), "", seconds
                last = problem
            if attempt < attempts:
                sleep(min(backoff_s * 2 ** (attempt - 1), MAX_DELAY_S))
    return None, last, time.monotonic() - started


def verify_gone(
    url: str,
    *,
    attempts: int = 8,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 15.0,
) -> LiveCheck:
    """Fetch ``url`` until it answers 404 or 410 (a removed page); NotLiveError otherwise.

    A server that does not answer proves nothing, so that also fails."""

    def judge(answer: httpx.Response) -> str | None:
        gone = answer.status_code in (404, 410)
        return None if gone else MSG("status", status=answer.status_code)

    found, last, _seconds = _poll(url, judge, attempts, backoff_s, sleep, timeout_s)
    if found is None:
        raise NotLiveError(MSG("still_live", url=url, attempts=attempts, last=last))
    return found


NOTICE_MARK = "data-terbit-withdrawn"  # on the notice page of the ``withdrawn`` plugin


def links_to(body: str, path: str) -> bool:
    """Whether an ``href`` of ``body`` points at ``path`` (relative or absolute)."""
    target = path.strip("/")
    for href in re.findall(r"""href\s*=\s*["']([^"'#?]*)""", body, re.I):
        cleaned = html.unescape(href).split("://", 1)[-1]
        parts = [p for p in cleaned.split("/") if p not in ("", ".", "..")]
        if parts and parts[-1] == "index.html":
            parts.pop()
        if "/".join(parts) == target or "/".join(parts).endswith("/" + target):
            return True
    return False


def verify_withdrawn(
    url: str,
    title: str,
    home: str,
    path: str,
    *,
    attempts: int = 8,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 15.0,
    status: int = 410,
) -> LiveCheck:
    """A withdrawn article is gone as a visitor sees it: ``url`` answers ``status`` (410 Gone,
    or what a host that sets no status per address gives: ``deploy.withdrawn_status``) with its
    notice (the title), and the home page ``home`` links to its ``path`` nowhere."""

    def judge(answer: httpx.Response) -> str | None:
        if answer.status_code != status:
            return MSG("status", status=answer.status_code)
        shown = NOTICE_MARK in answer.text and page_shows(answer.text, title)
        return None if shown else MSG("no_notice", title=title)

    found, last, _seconds = _poll(url, judge, attempts, backoff_s, sleep, timeout_s)
    if found is None:
        raise NotLiveError(
            MSG("not_withdrawn", url=url, status=status, attempts=attempts, last=last)
        )
    try:
        page = httpx.get(home, headers={"Cache-Control": "no-cache"}, timeout=timeout_s,
                         follow_redirects=True)  # fmt: skip
    except httpx.HTTPError as error:
        raise NotLiveError(_network_reason(error)) from None
    if page.status_code != 200 or links_to(page.text, path):
        raise NotLiveError(MSG("still_linked", home=home, path=path))
    return found
