"""Live-page checks and screenshots against a real HTTP server and a real Chromium."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from pipeline.evidence.live import NotLiveError, page_shows, verify_live
from pipeline.evidence.screenshot import ScreenshotError, capture, compress, sha256_file
from tests.support.screens import page_png

pytestmark = pytest.mark.xdist_group("evidence")

ARTICLE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vaksinasi &amp; Kesehatan</title></head><body style="font-family:sans-serif">
<h1>Vaksinasi &amp; Kesehatan   Jemaah</h1>{extra}
<p>{text}</p></body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("www")
    Image.new("RGB", (320, 200), (20, 120, 90)).save(root / "foto.png")
    long_text = "Petugas memeriksa dokumen kesehatan jemaah haji di bandara. " * 80
    pages = {
        "ok.html": ARTICLE.format(extra='<img src="foto.png" alt="foto">', text=long_text),
        "broken-image.html": ARTICLE.format(extra='<img src="hilang.png" alt="x">', text="a"),
        "script-error.html": ARTICLE.format(extra="<script>undefinedThing()</script>", text="a"),
        "phone-error.html": ARTICLE.format(
            extra="<script>if (innerWidth < 500) hanyaDiPonsel()</script>", text=long_text
        ),
    }
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", root
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def shooter() -> Iterator[object]:
    from pipeline.evidence.browser import chromium

    with chromium() as launched:
        yield launched


def test_title_match_ignores_entities_and_spacing() -> None:
    body = "<h1>Vaksinasi &amp; Kesehatan\n  Jemaah</h1>"
    assert page_shows(body, "Vaksinasi & Kesehatan Jemaah")
    assert not page_shows("<h1>Lain</h1>", "Vaksinasi")


def test_verify_live_answers_on_first_try(served: tuple[str, Path]) -> None:
    base, _ = served
    check = verify_live(f"{base}/ok.html", "Vaksinasi & Kesehatan Jemaah", attempts=2)
    assert check.status == 200 and check.attempts == 1


def test_verify_live_retries_with_backoff_until_the_page_appears(
    served: tuple[str, Path],
) -> None:
    base, root = served
    delays: list[float] = []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:  # the "CDN" catches up while we wait
            (root / "late.html").write_text(ARTICLE.format(extra="", text="x"))

    check = verify_live(
        f"{base}/late.html", "Vaksinasi & Kesehatan", attempts=5, backoff_s=0.5, sleep=sleep
    )
    assert check.attempts == 3 and delays == [0.5, 1.0]


def test_verify_live_gives_up_with_the_reason(served: tuple[str, Path]) -> None:
    base, _ = served
    with pytest.raises(NotLiveError, match="404") as failed:
        verify_live(f"{base}/nope.html", "X", attempts=3, backoff_s=0.01)
    assert "3" in str(failed.value)
    with pytest.raises(NotLiveError, match="judul"):
        verify_live(f"{base}/ok.html", "Judul Lain", attempts=1)


@pytest.mark.browser
def test_screenshots_desktop_and_mobile_are_small_and_hashed(
    served: tuple[str, Path], shooter: object, tmp_path: Path
) -> None:
    base, _ = served
    shots = capture(shooter, f"{base}/ok.html", tmp_path, "artikel", max_kb=150)
    assert [s.view for s in shots] == ["desktop", "mobile"]
    desktop, mobile = shots
    assert desktop.width == 1366 and mobile.width <= 390
    assert desktop.height > 768  # full page, not just the viewport
    for shot in shots:
        assert shot.file.is_file() and shot.bytes == shot.file.stat().st_size
        assert shot.bytes <= 150 * 1024
        assert shot.sha256 == sha256_file(shot.file)
        with Image.open(shot.file) as image:
            assert image.size == (shot.width, shot.height)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("page", "reason"),
    [("broken-image.html", "hilang.png"), ("script-error.html", "undefinedThing")],
)
def test_broken_pages_are_not_accepted_as_evidence(
    served: tuple[str, Path], shooter: object, tmp_path: Path, page: str, reason: str
) -> None:
    base, _ = served
    with pytest.raises(ScreenshotError, match=reason):
        capture(shooter, f"{base}/{page}", tmp_path, "x")
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
def test_both_views_taken_together_equal_each_taken_alone(
    served: tuple[str, Path], shooter: object, tmp_path: Path
) -> None:
    """Issue 16, P3: the two views load side by side and the first is encoded while the
    second is taken; each file is byte for byte what one view loaded and taken alone gives."""
    from playwright.sync_api import Browser

    from pipeline.evidence.screenshot import VIEWPORTS

    assert isinstance(shooter, Browser)
    base, _ = served
    url = f"{base}/ok.html"
    shots = capture(shooter, url, tmp_path, "artikel", max_kb=150)
    for shot in shots:
        context = shooter.new_context(**VIEWPORTS[shot.view])
        try:
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            alone = page.screenshot(full_page=True, type="png", animations="disabled")
        finally:
            context.close()
        data, _fmt, size = compress(alone, 150)
        assert shot.file.read_bytes() == data, shot.view
        assert (shot.width, shot.height) == size


@pytest.mark.browser
def test_a_page_broken_only_on_phones_keeps_no_screenshot(
    served: tuple[str, Path], shooter: object, tmp_path: Path
) -> None:
    """The desktop view passes, the mobile one has a script error: the error names the mobile
    view and no file is kept (not even the desktop one)."""
    base, _ = served
    with pytest.raises(ScreenshotError, match=r"\(mobile\).*hanyaDiPonsel"):
        capture(shooter, f"{base}/phone-error.html", tmp_path, "x")
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
def test_a_page_that_does_not_answer_is_named_by_its_first_view(
    shooter: object, tmp_path: Path
) -> None:
    with pytest.raises(ScreenshotError, match=r"\(desktop\)"):
        capture(shooter, "http://127.0.0.1:9/tidak-ada", tmp_path, "x")
    assert not list(tmp_path.iterdir())


def test_compress_falls_back_to_smaller_encodings() -> None:
    import io
    import random

    rng = random.Random(1)
    noisy = Image.new("RGB", (300, 500))
    noisy.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(300 * 500)])
    raw = io.BytesIO()
    noisy.save(raw, "PNG")
    data, fmt, size = compress(raw.getvalue(), 30)
    assert fmt == "webp" and len(data) <= 30 * 1024 and size[0] <= 300


def test_compress_keeps_every_pixel_of_a_page_in_fewer_bytes_than_a_png() -> None:
    """A screenshot is stored once, losslessly (the text stays exactly as the palette capture
    shows it), in fewer bytes than the palette PNG it used to be."""
    import io

    raw = page_png(1366, 1400)
    page = Image.open(io.BytesIO(raw)).convert("RGB")
    data, fmt, size = compress(raw, 150)
    assert size == page.size and len(data) <= 150 * 1024
    stored = Image.open(io.BytesIO(data)).convert("RGB")
    palette = page.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    assert stored.tobytes() == palette.convert("RGB").tobytes()  # not one pixel lost
    png = io.BytesIO()
    palette.save(png, "PNG", optimize=True)
    assert len(data) <= 0.85 * png.tell(), (fmt, len(data), png.tell())


LATE_S = 0.8  # how late the slow server's delayed answers come


class Slow(Quiet):
    """Static files, except ``slow-*`` answered ``LATE_S`` late and ``hang`` answered only
    when the test ends (its ``release`` event; bounded so the thread always stops)."""

    release = threading.Event()

    def do_GET(self) -> None:
        name = self.path.lstrip("/").split("?")[0]
        if name == "hang":
            self.release.wait(timeout=30)
            return
        if name.startswith("slow-"):
            time.sleep(LATE_S)
        super().do_GET()


LATE_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Telat</title>
<style>{style} body {{ margin: 0 }}</style></head><body>
<h1>Gambar yang datang terlambat</h1><div style="height:1500px">{extra}</div>
<img src="slow-merah.png" alt="merah" loading="lazy" width="200" height="200"></body></html>"""


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("slow")
    Image.new("RGB", (200, 200), (255, 0, 0)).save(root / "slow-merah.png")
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if font.is_file():
        (root / "slow-font.ttf").write_bytes(font.read_bytes())
    (root / "late.html").write_text(LATE_PAGE.format(extra="", style=""), encoding="utf-8")
    font = "@font-face { font-family: Lambat; src: url(slow-font.ttf); font-display: swap; }"
    (root / "late-font.html").write_text(
        LATE_PAGE.format(extra="", style=font + " body { font-family: Lambat, sans-serif }"),
        encoding="utf-8",
    )
    hang = "<script>addEventListener('load', () => fetch('hang'))</script>"
    (root / "hang.html").write_text(LATE_PAGE.format(extra=hang, style=""), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Slow, directory=root))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    Slow.release.set()
    server.shutdown()
    server.server_close()


def _red_pixels(path: Path) -> int:
    with Image.open(path) as image:
        pixels = list(image.convert("RGB").getdata())
        return sum(1 for r, g, b in pixels if r > 240 and g < 20 and b < 20)


@pytest.mark.browser
def test_a_late_lazy_image_and_font_are_waited_for_before_the_capture(
    slow: str, shooter: object, tmp_path: Path
) -> None:
    """Issue 16, P3: the capture waits for what the page is still loading (a lazy image below
    the fold and a web font, each answered 0.8 s late), not for a fixed quiet period: the
    image's pixels are in both files."""
    for page in ("late.html", "late-font.html"):
        began = time.monotonic()
        shots = capture(shooter, f"{slow}/{page}", tmp_path, "telat", max_kb=150)
        assert time.monotonic() - began >= LATE_S, page
        for shot in shots:
            assert _red_pixels(shot.file) >= 200 * 200 * 0.9, (page, shot.view)


@pytest.mark.browser
def test_a_request_that_never_finishes_is_bounded_and_reported(
    slow: str, shooter: object, tmp_path: Path
) -> None:
    """A page whose script asks for something that never answers: the capture gives up at its
    timeout with a located reason (the address still loading), keeps no file, and the browser
    is left usable (the failure is the page's, not a crash)."""
    from playwright.sync_api import Browser

    assert isinstance(shooter, Browser)
    began = time.monotonic()
    with pytest.raises(ScreenshotError, match=r"\(desktop\).*/hang"):
        capture(shooter, f"{slow}/hang.html", tmp_path, "x", timeout_ms=2_000)
    assert time.monotonic() - began < 15
    assert not list(tmp_path.iterdir())
    assert shooter.is_connected() and not shooter.contexts
