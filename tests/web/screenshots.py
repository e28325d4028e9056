"""The user guide's screenshots (docs/panduan/gambar/), taken from the running app.

    .venv/bin/python -m tests.web.screenshots            # refresh docs/panduan/gambar/
    .venv/bin/python -m tests.web.screenshots --out DIR  # somewhere else

The demo office (docs: README, ``terbit demo``) runs its story with real publishing, a few more
changes wait at each SOP step, then each role signs in to the app (uvicorn) in Chromium and the
pages the guide shows are saved: desktop at 1280 px, the Kepala Satker's at 390×844. A page that
does not answer as expected (missing, an error page) stops the run: the guide never shows it.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from pipeline.cli.demo.story import run_story
from pipeline.clock import now
from pipeline.config.settings import load_settings
from pipeline.forge.local.client import actions as client
from tests.support.forge import Kit
from tests.support.published import REPO_ROOT, published_office
from tests.support.web import PASSWORD, PDF, running

GUIDE = REPO_ROOT / "docs" / "panduan"
PICTURES = GUIDE / "gambar"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MAX_BYTES = 150_000
MAX_HEIGHT = 2400  # a long page is cut here: the guide shows its top, not a scroll of text


@dataclass(frozen=True)
class Shot:
    """One picture: who signs in, which page (``{name}`` fields filled from the office's
    changes), the viewport, an optional action before the picture and the part to keep."""

    name: str
    person: str | None
    path: str
    size: str = "desktop"
    act: Callable | None = field(default=None, compare=False)  # type: ignore[type-arg]
    part: str | None = None  # a CSS selector: only that element


def _check_draft(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#slug", "vaksinasi-jemaah-haji")
    page.fill("#title", "Vaksinasi Meningitis Jemaah Haji")
    page.fill("#summary", "")
    page.fill("#date", "besok pagi")
    page.fill("#body", "Layanan **vaksinasi meningitis** dibuka setiap hari kerja.\n\n[Jadwal](")
    page.click("#editor button[type=submit]")
    page.wait_for_selector("#e-date")


def _preview(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#title", "Vaksinasi Meningitis Jemaah Haji")
    page.fill(
        "#body",
        "Layanan **vaksinasi meningitis** dibuka setiap hari kerja pukul 08.00–15.00 WIB.\n\n"
        "| Hari | Tempat |\n|---|---|\n| Senin–Kamis | Pos Kualanamu |\n| Jumat | Kantor |\n",
    )
    # The preview is the site's own article markup in a frame.
    page.frame_locator("#preview-frame").locator("article.post .prose strong").wait_for()


def _nota(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#title", "Vaksinasi Meningitis Jemaah Haji")  # the subject follows the title
    page.fill("#lampiran", "1 (satu) berkas kerangka acuan")


def _thumbnails(page) -> None:  # type: ignore[no-untyped-def]
    """The record's screenshots load lazily: each is scrolled to and waited for (polled from
    outside the page: a predicate evaluated in it would need the CSP's 'unsafe-eval')."""
    images = page.locator("#publikasi .shots img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        for _ in range(100):  # a bound of 10 s
            if images.nth(i).evaluate("e => e.complete && e.naturalWidth > 0"):
                break
            page.wait_for_timeout(100)
    page.evaluate("window.scrollTo(0, 0)")


SHOTS = (
    Shot("masuk", None, "/masuk"),
    Shot("staf-menunggu", "rina", "/"),
    Shot("staf-tulis", "rina", "/tulis", act=_preview),
    Shot("staf-tulis-periksa", "rina", "/tulis", act=_check_draft),
    Shot("staf-nota-dinas", "rina", "/tulis", act=_nota, part="fieldset.nota"),
    Shot("staf-perbaikan", "rina", "/perubahan/{fixing}"),
    Shot("staf-perbaikan-editor", "rina", "/perubahan/{fixing}/perbaiki"),
    Shot("staf-data-dukung", "rina", "/perubahan/{fixing}", part="section:has(#h-data-dukung)"),
    Shot("staf-terbit", "rina", "/perubahan/{published}", act=_thumbnails),
    Shot("katimker-menunggu", "sari", "/"),
    Shot("katimker-daftar", "sari", "/perubahan?state=open"),
    Shot("katimker-ulasan", "sari", "/perubahan/{check}", part="section:has(#h-review)"),
    Shot("katimker-langkah", "sari", "/perubahan/{check}", part="section:has(#h-steps)"),
    Shot("kepala-menunggu", "andi", "/", size="phone"),
    Shot("kepala-disposisi", "andi", "/perubahan/{disposition}", size="phone"),
    Shot(
        "kepala-tanda-tangan",
        "andi",
        "/perubahan/{disposition}",
        size="phone",
        part="section:has(#h-review)",
    ),
    Shot("admin-menunggu", "dewi", "/"),
    Shot("admin-gabung", "dewi", "/perubahan/{ready}", part="section:has(#h-merge)"),
    Shot("admin-publikasi", "dewi", "/perubahan/{published}", act=_thumbnails, part="#publikasi"),
    Shot("admin-catatan", "dewi", "/catatan"),
    Shot("admin-laporan", "dewi", "/laporan?bulan={month}"),
    Shot("admin-audit", "dewi", "/audit"),
    Shot("pengaturan", "sari", "/pengaturan"),
)


def _story(office, clock: pytest.MonkeyPatch) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The demo's published story, then a change waiting at each review step, one sent back
    for a fix (with a data dukung file) and one ready to merge; returns the names the shots'
    paths use."""
    # The real clock: the server stamps the merge and publication with its own time, so a
    # simulated day would show them hours late.
    calendar = load_settings(REPO_ROOT).calendar.build()
    result = run_story(office, start=None)
    # From here on one instant, the app's as well: the minutes the pages show (and so the width
    # of their columns) do not depend on how fast this machine ran the rest of the story.
    clock.setenv("TERBIT_NOW", now().isoformat())
    kit = Kit(office, counter=500)
    fixing = kit.submit("rina")
    kit.review("sari", fixing, "request_changes", "Mohon tambahkan jam layanan pada ringkasan.")
    client.attach(kit.forge("rina"), office.who("rina"), fixing,
                  [("kerangka-acuan-vaksinasi.pdf", PDF)])  # fmt: skip
    check = kit.submit("budi")
    disposition = kit.submit("rina")
    kit.review("sari", disposition, "approve", "Sudah sesuai nota dinas.")
    ready = kit.submit("budi")
    kit.approve_all(ready)
    month = (result.change.opened_at or now()).astimezone(calendar.tz).strftime("%Y-%m")
    return {"published": result.change.id, "fixing": fixing, "check": check,
            "disposition": disposition, "ready": ready, "month": month}  # fmt: skip


def optimise(png: bytes) -> bytes:
    """A palette PNG (the app's few flat colours survive), cut at MAX_HEIGHT."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    for colours in (128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(
            out, "PNG", optimize=True
        )
        if out.tell() <= MAX_BYTES:
            break
    return out.getvalue()


def sign_in(page, url: str, person: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/masuk")
    page.fill("#person", person)
    page.fill("#password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(url + "/")


def _signed_in(browser, url: str, person: str) -> dict:  # type: ignore[no-untyped-def]
    """``person``'s signed-in session (cookies) to start a picture's context from: one sign-in
    per person, not per picture (each is a password hash on the server and two page loads)."""
    context = browser.new_context()
    try:
        sign_in(context.new_page(), url, person)
        return context.storage_state()
    finally:
        context.close()


def _open(page, url: str, signed_in: bool):  # type: ignore[no-untyped-def]
    """Go to ``url``; on a signed-in page, wait until the header's count of what waits for the
    person is filled in (fetched after the page loaded: a picture taken before it lacks it)."""
    if not signed_in:
        return page.goto(url)
    with page.expect_response(lambda r: r.url.endswith("/menunggu/jumlah"), timeout=15_000) as n:
        response = page.goto(url)
    if n.value.ok and int(n.value.text().strip() or 0) > 0:
        page.locator("#jumlah-menunggu").wait_for(state="visible", timeout=15_000)
    return response


def cut(png: bytes) -> bytes:
    """The picture as taken, cut at MAX_HEIGHT as ``optimise`` cuts it: what the test compares
    (the palette and the PNG optimisation only make the committed file small)."""
    image = Image.open(io.BytesIO(png))
    if image.height <= MAX_HEIGHT:
        return png
    out = io.BytesIO()
    image.crop((0, 0, image.width, MAX_HEIGHT)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def _take(  # type: ignore[no-untyped-def]
    browser,
    url: str,
    shot: Shot,
    names: dict[str, str],
    session: dict | None,
    finish: Callable[[bytes], bytes] = optimise,
) -> bytes:
    width, height = SIZES[shot.size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  storage_state=session)  # fmt: skip
    try:
        page = context.new_page()
        response = _open(page, url + shot.path.format(**names), session is not None)
        if response is None or response.status != 200:
            raise SystemExit(f"{shot.name}: {shot.path} answered {response and response.status}")
        if shot.act:
            shot.act(page)
        if shot.part:
            return finish(page.locator(shot.part).screenshot(animations="disabled"))
        return finish(page.screenshot(full_page=True, animations="disabled"))
    finally:
        context.close()


def take(out: Path, finish: Callable[[bytes], bytes] = optimise) -> dict[str, Path]:
    """Every shot of SHOTS saved as ``out/<name>.png`` (each passed through ``finish``); the
    paths by name."""
    from pipeline.evidence.browser import chromium

    out.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    with (
        tempfile.TemporaryDirectory(prefix="terbit-panduan-") as scratch,
        published_office(Path(scratch) / "kantor") as office,
        pytest.MonkeyPatch.context() as clock,
    ):
        names = _story(office, clock)
        with running(office.server) as app, chromium() as browser:
            people = {shot.person for shot in SHOTS if shot.person}
            sessions = {person: _signed_in(browser, app.url, person) for person in sorted(people)}
            for shot in SHOTS:
                path = out / f"{shot.name}.png"
                session = sessions[shot.person] if shot.person else None
                path.write_bytes(_take(browser, app.url, shot, names, session, finish))
                saved[shot.name] = path
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PICTURES)
    args = parser.parse_args(argv)
    for name, path in take(args.out).items():
        print(f"{name}: {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
