"""The whole SOP by five people in five Chromium contexts over the real app (uvicorn) and an
office that publishes for real, every step in the browser: the staff writes and checks the
draft, uploads a photo with its alt text, fills the nota dinas, submits and attaches a data
dukung file; the Katimker comments and asks for a fix, which the staff makes in the editor; the
Kepala Satker gives the disposition from a phone (390×844); the Katimker approves the final
commit; the Admin Website merges with the button and follows the publication on the change page
to "lengkap", opens its screenshot and the record's PDF; and the staff, in a fresh context,
reads the outcome: merged, published, steps 6–8 from the record, the live page.

Every action is signed in the browser with the person's own passphrase; nothing goes through
the forge's client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from pipeline.cli.demo.office import Office
from pipeline.config.settings import load_settings
from pipeline.vcs import Repo
from tests.support.published import PASSPHRASE, published_office
from tests.support.web import PDF, WebApp, camera_jpeg, running
from tests.web.screenshots import sign_in
from tests.web.test_web_browser import WCAG

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("web-e2e")]

SLUG = "vaksinasi-meningitis-jemaah"
TITLE = "Vaksinasi Meningitis Jemaah Haji Dibuka"
PHONE = {"width": 390, "height": 844}
RECORDED = "Ulasan Anda dicatat dan ditandatangani."
LONG_SUMMARY = "Vaksinasi meningitis jemaah haji dibuka di Kualanamu untuk semua kloter."


FOLLOW_MS = 300_000  # a bound on one publication (build, deploy, live check, Chromium, record)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with published_office(tmp_path_factory.mktemp("e2e") / "kantor") as made:
        yield made


@pytest.fixture(scope="module")
def app(office: Office) -> Iterator[WebApp]:
    # As on the office's server: the merge returns at once and the page follows the
    # publication the hook started.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TERBIT_PUBLISH", "background")
        with running(office.server) as served:
            yield served


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from pipeline.evidence.browser import chromium

    with chromium() as launched:
        yield launched


def _person(browser, app: WebApp, who: str, viewport: dict | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, app.url, who)
    return context, page


def _review(page, app: WebApp, change: str, button: str, body: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app.url}/perubahan/{change}")
    page.fill("#body", body)
    page.fill("#passphrase", PASSPHRASE)
    page.click(f"form.review button[value={button}]")
    page.wait_for_url(f"{app.url}/perubahan/{change}?dicatat=1")
    assert page.inner_text("p.notice") == RECORDED


def no_violations(page) -> None:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def _waiting(page, app: WebApp, change: str) -> str:  # type: ignore[no-untyped-def]
    """The row of ``change`` on the person's "Menunggu saya" page ('' when absent)."""
    page.goto(app.url + "/")
    row = page.locator("tr", has=page.locator(f"a[href='/perubahan/{change}']"))
    return row.inner_text() if row.count() else ""


def _submit(page, app: WebApp) -> str:  # type: ignore[no-untyped-def]
    """Steps 1–2 in the editor: the draft checked, a photo with its alt text, the nota dinas
    prefilled from roles.yml and completed, then Kirim, signed with her passphrase."""
    page.goto(app.url + "/tulis")
    page.fill("#slug", SLUG)
    page.fill("#title", TITLE)
    page.fill("#summary", LONG_SUMMARY)
    page.fill("#tags", "haji, vaksin")
    page.fill("#date", "2026-11-20 08:00")
    page.fill("#body", "Layanan **vaksinasi meningitis** dibuka setiap hari kerja.")
    page.click("#editor button[value=check]")
    assert "Draf lolos pemeriksaan." in page.inner_text("main")
    page.set_input_files(
        "#photo", {"name": "pos-vaksin.jpg", "mimeType": "image/jpeg",
                   "buffer": camera_jpeg(1600, 1200)}
    )  # fmt: skip
    page.fill("#photo_alt", "Petugas menyuntikkan vaksin di Pos Kualanamu")
    page.click("#upload")
    page.wait_for_selector(".photo-list")
    assert "![Petugas menyuntikkan vaksin di Pos Kualanamu](" in page.input_value("#body")
    assert page.input_value("#hal").endswith(TITLE)  # the subject follows the title
    assert page.input_value("#nomor") != ""  # suggested from the office's numbering
    page.fill("#lampiran", "1 (satu) berkas kerangka acuan")
    page.fill("#passphrase", PASSPHRASE)
    page.click("button[formaction='/tulis/kirim']")
    page.wait_for_url(re.compile(r".*/perubahan/[0-9]+$"))
    return page.url.rsplit("/", 1)[1]


def _attach(page, app: WebApp, change: str) -> None:  # type: ignore[no-untyped-def]
    """Data dukung: the terms of reference travel signed with the change, never published."""
    page.goto(f"{app.url}/perubahan/{change}")
    page.set_input_files(
        "#dd-file", {"name": "kak-vaksinasi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.fill("#dd-passphrase", PASSPHRASE)
    page.click("form[action$='/data-dukung'] button[type=submit]")
    page.wait_for_url(re.compile(r".*lampiran=1$"))
    assert "kak-vaksinasi.pdf" in page.inner_text("table.data-dukung")


def _fix(page, app: WebApp, change: str, summary: str) -> None:  # type: ignore[no-untyped-def]
    """The author's fix in the same editor: a new signed commit on the change."""
    page.goto(f"{app.url}/perubahan/{change}")
    page.click("a[href$='/perbaiki']")
    page.wait_for_selector("pre.nota")  # the nota dinas stays as it was sent
    page.fill("#summary", summary)
    page.fill("#passphrase", PASSPHRASE)
    page.click("#editor button[value=send]")
    page.wait_for_url(f"{app.url}/perubahan/{change}")


def _steps(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The change page's SOP steps: number → the cells' text."""
    rows = page.locator("table.steps tbody tr")
    found = {}
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        found[cells[0]] = cells
    return found


def test_five_people_carry_the_sop_through_the_browser(  # type: ignore[no-untyped-def]
    browser, app: WebApp, office: Office
) -> None:
    staff, staff_page = _person(browser, app, "rina")
    katimker, sari = _person(browser, app, "sari")
    head, andi = _person(browser, app, "andi", PHONE)
    admin, dewi = _person(browser, app, "dewi")
    try:
        # Steps 1–2: the staff writes, checks, adds a photo, fills the nota dinas, submits,
        # then attaches the terms of reference as data dukung.
        change = _submit(staff_page, app)
        _attach(staff_page, app, change)

        # Step 3: the Katimker finds it waiting, comments, then asks for a fix.
        assert "3." in _waiting(sari, app, change)
        _review(sari, app, change, "comment", "Foto kegiatan menyusul?")
        _review(sari, app, change, "request_changes", "Ringkasan terlalu panjang; persingkat.")
        assert _waiting(staff_page, app, change) != ""  # now waiting for her fix
        staff_page.goto(f"{app.url}/perubahan/{change}")
        thread = staff_page.inner_text("main")
        assert "Foto kegiatan menyusul?" in thread and "Ringkasan terlalu panjang" in thread
        _fix(staff_page, app, change, "Vaksinasi meningitis bagi jemaah haji.")
        # The author changes the draft again while the Katimker reads it: her approval of what
        # she read is refused (409), her text kept, and the page says why.
        sari.goto(f"{app.url}/perubahan/{change}")
        _fix(staff_page, app, change, "Vaksinasi meningitis jemaah haji dibuka.")
        sari.fill("#body", "Sudah sesuai.")
        sari.fill("#passphrase", PASSPHRASE)
        with sari.expect_response(f"{app.url}/perubahan/{change}/ulasan") as stale:
            sari.click("form.review button[value=approve]")
        assert stale.value.status == 409
        assert sari.input_value("#body") == "Sudah sesuai."
        assert sari.locator("p.message[role=alert]").count() == 1
        no_violations(sari)

        # Steps 3 to 5: approval, disposition on the phone, final approval of the last commit.
        _review(sari, app, change, "approve")
        assert "4." in _waiting(andi, app, change)
        andi.goto(f"{app.url}/perubahan/{change}")
        no_violations(andi)  # the head's phone view, with the disposition form
        andi.click("text=Ke formulir ulasan (langkah 4)")  # one tap past the nota and steps
        top = andi.locator("#h-review").evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < PHONE["height"] and andi.evaluate("window.scrollY") > 0
        _review(andi, app, change, "approve", "Disposisi: segera publikasikan.")
        widths = andi.evaluate(
            "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the phone page scrolls sideways: {widths}"
        assert "5." in _waiting(sari, app, change)
        _review(sari, app, change, "approve")
        forge = office.forge("dewi")
        forge.sync()
        reviews = forge.get_change(change).reviews
        assert [(r.reviewer, r.state) for r in reviews] == [
            ("sari", "comment"), ("sari", "request_changes"), ("sari", "approve"),
            ("andi", "approve"), ("sari", "approve"),
        ]  # fmt: skip
        assert all(r.signature_ok for r in reviews)  # each with the person's own key

        # Step 6: the Admin sees it waiting and merges with the button; steps 7–8 follow on
        # the change page (its script fetches the section again) until the record says
        # "lengkap", then she opens the screenshot and the record's PDF from there.
        assert "6." in _waiting(dewi, app, change)
        dewi.goto(f"{app.url}/perubahan/{change}")
        dewi.fill("#merge-passphrase", PASSPHRASE)
        dewi.click("form[action$='/gabung'] button[type=submit]")
        dewi.wait_for_url(f"{app.url}/perubahan/{change}?digabung=1")
        dewi.wait_for_selector("#publikasi .pub-status.complete", timeout=FOLLOW_MS)
        assert "lengkap" in dewi.inner_text("#publikasi .pub-status")
        shot = dewi.locator("#publikasi .shots a").first.get_attribute("href")
        with dewi.expect_response(app.url + shot) as shown:
            dewi.click(f"#publikasi .shots a[href='{shot}']")
        assert shown.value.status == 200
        assert shown.value.header_value("content-type") in ("image/webp", "image/png")
        dewi.go_back()
        with dewi.expect_download() as download:
            dewi.click("#publikasi a[href$='/lembar-penyelesaian.pdf']")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        assert _waiting(dewi, app, change) == ""
    finally:
        for context in (staff, katimker, head, admin):
            context.close()

    # The staff again, in a fresh context: merged, published, live, recorded with its PDF.
    again, page = _person(browser, app, "rina")
    try:
        page.goto(f"{app.url}/perubahan/{change}")
        meta = page.inner_text("p.meta")
        assert "digabung" in meta and "Publikasi: lengkap" in meta, meta
        steps = _steps(page)  # from the completion record, not "menunggu"
        for number in ("6", "7", "8"):
            assert steps[number][3] == "selesai" and steps[number][4] != "—", steps[number]
        page.goto(app.url + "/catatan")
        row = page.locator("tr", has=page.locator(f"a[href='/perubahan/{change}']"))
        assert "lengkap" in row.inner_text()
        folder = row.locator("td").first.inner_text()
        forge = office.forge("dewi")
        forge.sync()
        merge = forge.get_change(change).merge_sha
        assert merge is not None and merge[:12] in folder
        with page.expect_download() as download:
            row.locator("a", has_text="PDF").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    finally:
        again.close()

    # What the record says happened did happen: the page is live and was screenshotted.
    main = Repo(office.server)
    entries = main.ls_tree("refs/heads/main", f"records/{folder}")
    files = [name for _m, kind, _s, name in entries if kind == "blob"]
    assert any(name.endswith(".webp") for name in files), files  # the screenshots
    kept = [name for _m, _k, _s, name in main.ls_tree("refs/heads/main",
                                                      f"records/{folder}/data-dukung")]  # fmt: skip
    assert kept == ["kak-vaksinasi.pdf"], kept  # the data dukung, kept with the record
    site_url = load_settings(office.clone_path("dewi")).site.url.rstrip("/")
    live = httpx.get(f"{site_url}/artikel/{SLUG}/", timeout=30)
    assert live.status_code == 200 and TITLE in live.text
