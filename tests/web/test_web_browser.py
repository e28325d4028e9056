"""Every page of the web application in real Chromium: axe-core finds no WCAG 2.1 A/AA
violation at desktop width and at 390×844, nothing scrolls sideways on the phone, the CSP
blocks nothing the pages need, and a hostile title runs no script."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support.web import PASSWORD, Story, WebApp

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("web-browser")]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from pipeline.evidence.browser import chromium

    with chromium() as launched:
        yield launched


# Each person signs in once per web app, and later visits carry that session's cookies: this
# module's ~45 visits would pass the app's 30 sign-ins a minute per address on a fast machine
# (then the sign-in is throttled and never reaches "/"). Sign-in itself is tested in test_web_*.
SESSIONS: dict[tuple[str, str], dict] = {}  # type: ignore[type-arg]


def _signed_in(browser, app: WebApp, person: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    key = (app.url, person)
    if key not in SESSIONS:
        context = browser.new_context()
        page = context.new_page()
        page.goto(app.url + "/masuk")
        page.fill("#person", person)
        page.fill("#password", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url(app.url + "/")
        SESSIONS[key] = context.storage_state()
        context.close()
    return SESSIONS[key]


def _visit(browser, app: WebApp, person: str | None, path: str, size: str):  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    state = _signed_in(browser, app, person) if person else None
    context = browser.new_context(viewport={"width": width, "height": height}, storage_state=state)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    response = page.goto(app.url + path)
    return context, page, response, problems


def _check(browser, app: WebApp, person: str | None, path: str, status: int = 200) -> None:  # type: ignore[no-untyped-def]
    axe = Axe()
    for size in SIZES:
        context, page, response, problems = _visit(browser, app, person, path, size)
        try:
            assert response is not None and response.status == status, path
            # The stylesheet applied (a CSP or path mistake would leave the page unstyled).
            bar = page.evaluate("getComputedStyle(document.querySelector('.top')).display")
            assert bar == "flex"
            results = axe.run(page, options=WCAG)
            assert results.violations_count == 0, f"{path} {size}\n{results.generate_report()}"
            widths = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            assert widths[0] <= widths[1], f"{path} scrolls sideways at {size}: {widths}"
            # An error page's own status is the one console line it may cause.
            expected = f"the server responded with a status of {status}"
            problems = [p for p in problems if status == 200 or expected not in p]
            assert problems == [], f"{path} {size}: {problems}"
        finally:
            context.close()


def test_sign_in_page(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, None, "/masuk")


@pytest.mark.parametrize("path", ["/", "/perubahan", "/perubahan?author=rina&state=open"])
def test_lists(browser, web: WebApp, path: str) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, "sari", path)


def test_change_pages(browser, web: WebApp, story: Story) -> None:  # type: ignore[no-untyped-def]
    for change in (story.hostile, story.fixing, story.ready):
        _check(browser, web, "andi", f"/perubahan/{change}")
    _check(browser, web, "sari", f"/perubahan/{story.hostile}")  # with her review form
    _check(browser, web, "dewi", f"/perubahan/{story.ready}")  # with the merge form


def test_notification_settings(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, "andi", "/pengaturan")


def test_audit_and_error_pages(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, "dewi", "/audit")
    _check(browser, web, "rina", "/audit", 403)
    _check(browser, web, "rina", "/tidak-ada", 404)


def test_records_and_report(browser, archive: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, archive, "sari", "/catatan")
    _check(browser, archive, "sari", "/laporan?bulan=2026-11")


def test_draft_editor(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, "rina", "/tulis")  # with the photo upload and the nota dinas form


def test_fix_editor(browser, web: WebApp, story: Story) -> None:  # type: ignore[no-untyped-def]
    """The author's editor of a requested fix: the sent nota dinas shown, not a form."""
    _check(browser, web, "rina", f"/perubahan/{story.fixing}/perbaiki")


def test_draft_editor_previews_as_you_type(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    context, page, _response, problems = _visit(browser, web, "rina", "/tulis", "phone")
    try:
        page.fill("#body", "Layanan **vaksin** dibuka.\n\n<script>alert(1)</script>")
        # Shown inside the site's article markup, in a frame that runs no script.
        shown = page.frame_locator("#preview-frame")
        shown.locator("article.post .prose strong").wait_for()
        assert shown.locator("strong").inner_text() == "vaksin"
        assert shown.locator("script").count() == 0
        assert page.get_attribute("#preview-frame", "sandbox") == "allow-same-origin"
        # After the checks the typed body is still there, with the message beside it.
        page.fill("#slug", "vaksin-haji")
        page.fill("#title", "Vaksin haji")
        page.fill("#date", "kemarin")
        page.click("#editor button[type=submit]")
        page.wait_for_selector("#e-date")
        assert "<script>alert(1)</script>" in page.input_value("#body")
        assert "TTTT-BB-HH" in page.inner_text("#e-date")
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
        # The checked form's own status (400: the draft has problems) is the one console line.
        assert [p for p in problems if "status of 400" not in p] == [], problems
    finally:
        context.close()


def test_the_step_table_fits_the_phone(browser, web: WebApp, story: Story) -> None:  # type: ignore[no-untyped-def]
    """The Kepala approves from a phone: every column of the SOP steps (who, when, time against
    the standard, note) is on screen at 390 px, without scrolling the table sideways."""
    context, page, _response, _problems = _visit(
        browser, web, "andi", f"/perubahan/{story.ready}", "phone"
    )
    try:
        region = page.locator("section:has(#h-steps) .scroll")
        sizes = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1], f"the step table scrolls sideways: {sizes}"
        # Each value still says which column it is.
        labels = page.locator("table.steps tbody tr").first.evaluate(
            "r => [...r.cells].map(c => getComputedStyle(c, '::before').content).join(' ')"
        )
        assert "Pelaksana" in labels and "Status" in labels, labels
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("person", "change"),
    [("sari", "plain"), ("rina", "fixing"), ("dewi", "ready"), ("budi", "hostile")],
)
def test_change_page_of_each_role(
    browser, web: WebApp, story: Story, person: str, change: str
) -> None:  # type: ignore[no-untyped-def]
    """The Katimker's view with her review form, the author's view waiting for the fix, the
    Admin's view of a change ready to merge, the author's view of a hostile title."""
    _check(browser, web, person, f"/perubahan/{getattr(story, change)}")


def test_report_and_audit_of_the_office(browser, web: WebApp) -> None:  # type: ignore[no-untyped-def]
    _check(browser, web, "andi", "/laporan")
    _check(browser, web, "andi", "/audit")
    _check(browser, web, "budi", "/perubahan?state=open&step=3&month=2026-11")
