"""The evidence stages of a publication: the live check and the screenshots (step 6's output)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from pipeline.config.settings import Settings
from pipeline.deploy import withdrawn_status
from pipeline.errors import TerbitError
from pipeline.evidence.browser import SharedChromium, browser_of
from pipeline.evidence.live import NotLiveError, verify_gone, verify_live, verify_withdrawn
from pipeline.evidence.progress import Progress
from pipeline.evidence.screenshot import capture
from pipeline.evidence.visitor import check_pages
from pipeline.i18n import Catalog

MAX_SHOT_ARTICLES = 3
MSG = Catalog(
    {
        "crashed": (
            "Chromium berhenti tiba-tiba saat mengambil tangkapan layar {url}; tidak ada "
            "tangkapan layar yang disimpan.",
            "Chromium stopped unexpectedly while taking the screenshot of {url}; no screenshot "
            "was kept.",
        ),
        "retry": ("Ulangi dengan: {retry}", "Retry with: {retry}"),
    }
)


def verify_stage(
    articles: list[Any],
    urls: dict[str, str],
    settings: Settings,
    state: Progress,
    say: Callable[[str], None],
    removed: dict[str, str] | None = None,  # path -> absolute URL of a removed article
    home: str = "",  # the live home page: a withdrawn article must be linked from nowhere
) -> dict[str, Any]:
    live, problems = [], []
    removed = removed or {}
    for article in articles:
        url = urls.get(article.path)
        if url is None:
            gone = removed.get(article.path)
            if gone is None:
                continue
            attempts = settings.publish.verify_attempts
            backoff = settings.publish.verify_backoff_s
            try:  # a removal is proven by the page being gone; a withdrawal by its notice
                if article.status == "W" and home:
                    path = article.removed_url or ""
                    check = verify_withdrawn(
                        gone, article.title, home, path, attempts=attempts, backoff_s=backoff,
                        status=withdrawn_status(settings),
                    )  # fmt: skip
                else:
                    check = verify_gone(gone, attempts=attempts, backoff_s=backoff)
            except NotLiveError as error:
                problems.append(str(error))
                continue
            live.append({"url": gone, "status": check.status, "attempts": check.attempts})
            say(f"gone: {gone}")
            continue
        try:
            check = verify_live(
                url,
                article.title,
                attempts=settings.publish.verify_attempts,
                backoff_s=settings.publish.verify_backoff_s,
            )
        except NotLiveError as error:
            problems.append(str(error))
            continue
        live.append({"url": url, "status": check.status, "attempts": check.attempts})
        say(f"live: {url}")
    value = {"live": live, "problems": problems}
    state.save("verify", value)
    return value


def crash_problem(url: str, retry: str = "") -> str:
    """The browser-crash sentence; ``retry`` is ``publication.retry_command(...)`` (the one
    command that works where the publication ran), said only when the caller knows it."""
    text = MSG("crashed", url=url)
    return f"{text} {MSG('retry', retry=retry)}" if retry else text


def screenshot_stage(
    articles: list[Any],
    urls: dict[str, str],
    verified: dict[str, Any],
    settings: Settings,
    shots_dir: Path,
    state: Progress,
    say: Callable[[str], None],
    retry: str = "",  # publication.retry_command(repo, merge, settings)
    browsers: SharedChromium | None = None,  # the publication's one browser; None: its own
) -> dict[str, Any]:
    notice = withdrawn_status(settings)  # what a withdrawn address answers on this host
    live_urls = {item["url"] for item in verified["live"] if item["status"] in (200, notice)}
    wanted = [a for a in articles if urls.get(a.path) in live_urls][:MAX_SHOT_ARTICLES]
    shots: list[dict[str, Any]] = []
    problems: list[str] = []
    if wanted and not settings.publish.screenshots:
        problems.append("publish.screenshots: false")
    elif wanted:
        url = urls[wanted[0].path]
        try:
            with browser_of(browsers) as browser:
                for article in wanted:
                    stem = Path(article.path).stem
                    url = urls[article.path]
                    status = notice if article.status == "W" else 200  # a withdrawal's notice
                    for shot in capture(
                        browser, url, shots_dir, stem, max_kb=settings.publish.screenshot_max_kb,
                        status=status, spares=browsers.spares if browsers else None,
                    ):  # fmt: skip
                        shots.append(
                            {"file": shot.file.name, "view": shot.view, "url": url,
                             "width": shot.width, "height": shot.height, "bytes": shot.bytes,
                             "sha256": shot.sha256}
                        )  # fmt: skip
                        say(f"screenshot: {shot.file} ({shot.bytes // 1024} KB)")
        except TerbitError as error:
            problems.append(str(error))
            shots = []
        except PlaywrightError:
            # The browser process died (crash, out of memory): one plain sentence, no trace.
            problems.append(crash_problem(url, retry))
            shots = []
    value = {"shots": shots, "problems": problems}
    state.save("screenshots", value)
    return value


def visitor_stage(
    pages: list[str],
    site_dir: Path,
    base_url: str,
    settings: Settings,
    state: Progress,
    say: Callable[[str], None],
    retry: str = "",
    browsers: SharedChromium | None = None,  # the publication's one browser; None: its own
) -> dict[str, Any] | None:
    """Check the changed pages and the home page as a visitor would (``evidence.visitor``);
    None when the browser is switched off (``publish.screenshots: false``, already a problem)."""
    if not pages or not settings.publish.screenshots:
        return None
    try:
        with browser_of(browsers) as browser:
            spares = browsers.spares if browsers else None
            value = check_pages(browser, pages, site_dir, base_url, spares=spares).data()
    except TerbitError as error:
        value = {"pages": [], "violations": [], "broken_links": [], "external_links": [],
                 "problems": [str(error)]}  # fmt: skip
    except PlaywrightError:
        value = {"pages": [], "violations": [], "broken_links": [], "external_links": [],
                 "problems": [crash_problem(pages[0], retry)]}  # fmt: skip
    say(
        f"page check: {len(value['pages'])} pages, {len(value['violations'])} violations, "
        f"{len(value['broken_links'])} broken links"
    )
    state.save("visitor", value)
    return value
