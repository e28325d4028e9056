"""Start Chromium for Playwright: Playwright's own build where installed, else the system one."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as Waited
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Browser, Error, Playwright, sync_playwright

from pipeline.errors import ConfigError
from pipeline.evidence.screenshot import prepare_views
from pipeline.evidence.spare import Spares
from pipeline.evidence.visitor import prepare_check
from pipeline.i18n import Catalog

# Flags that keep Chromium quiet on a closed network and inside containers running as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
T = TypeVar("T")
# A kept Chromium must answer a round trip within ANSWER_S before a publication uses it (its
# spare contexts, made before, within PREPARE_S), and a stage may take STAGE_S at most: past
# any, it is wedged (frozen, or its driver is) and is killed with its Playwright driver, since
# a sync call waits for the driver without a bound.
ANSWER_S = 10.0
PREPARE_S = 30.0
STAGE_S = 300.0
CLOSE_S = 10.0
# While waiting for a browser, how often to look whether its Chromium has died: a dead one is
# replaced at once rather than at the bound (its driver may not notice, or may be wedged too).
POLL_S = 0.1
MARK = "--terbit-browser="  # a switch of our own on Chromium's command line: finds its processes
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

MSG = Catalog(
    {
        "no_browser": (
            "Chromium tidak ditemukan. Jalankan 'python -m playwright install chromium', atau "
            "'apt-get install -y chromium', atau atur TERBIT_CHROMIUM ke berkas programnya.",
            "Chromium not found. Run 'python -m playwright install chromium', or "
            "'apt-get install -y chromium', or set TERBIT_CHROMIUM to its executable.",
        ),
        "no_answer": (
            "Chromium tidak menjawab dalam {s:g} detik; dihentikan dan dijalankan lagi",
            "Chromium did not answer within {s:g} seconds; it was stopped and started again",
        ),
        "gone": (
            "Chromium berhenti sendiri; dijalankan lagi",
            "Chromium had stopped by itself; it was started again",
        ),
        "stage_bound": (
            "Tangkapan layar belum selesai setelah {s:g} detik; Chromium-nya dihentikan",
            "The screenshots had not finished after {s:g} seconds; their Chromium was stopped",
        ),
        "check_bound": (
            "Pemeriksaan halaman belum selesai setelah {s:g} detik; Chromium-nya dihentikan",
            "The page check had not finished after {s:g} seconds; its Chromium was stopped",
        ),
    }
)


def system_chromium() -> str | None:
    """The system Chromium (TERBIT_CHROMIUM wins), or None."""
    chosen = os.environ.get("TERBIT_CHROMIUM")
    if chosen:
        return chosen
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``chromium.launch``; also used by the pytest-playwright fixture."""
    options: dict[str, Any] = {"args": list(CHROMIUM_ARGS), "headless": True}
    preferred = os.environ.get("TERBIT_BROWSER", "auto")  # auto | playwright | system
    system = system_chromium()
    if preferred == "system" or (preferred == "auto" and system and not _playwright_has_own()):
        if not system:
            raise ConfigError(MSG("no_browser"))
        options["executable_path"] = system
    return options


def _playwright_has_own() -> bool:
    """Whether ``playwright install chromium`` has put a browser in its cache."""
    root = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    return root.is_dir() and any(root.glob("chromium*-*"))


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit."""
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(**launch_options())
        except Error:
            raise ConfigError(MSG("no_browser")) from None
        try:
            yield browser
        finally:
            with contextlib.suppress(Error):  # a crashed browser cannot be closed politely
                browser.close()


class SharedChromium:
    """One headless Chromium for all the evidence stages of a publication (screenshots, page
    check), or of every publication of the publication service (kept warm between them):
    started on first use, so stages whose results are kept start none, and started again when
    it died (a crash in one stage, or between two publications, leaves the next its own).
    ``spares``: its contexts made ready for the next publication (``prepare``). ``kill`` (from
    any thread) ends a wedged one with its driver; the next ``get`` starts both again, as
    it does when Chromium's first process died (``kill_if_dead``)."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._mark = ""
        self._main: int | None = None
        self._driver: int | None = None
        self._killed = False
        # Held while it starts: ``kill_if_dead`` from another thread never judges (and kills)
        # a browser half started.
        self._lock = threading.Lock()
        self.spares = Spares()

    def get(self) -> Browser:
        with self._lock:
            return self._get()

    def _get(self) -> Browser:
        self._kill_if_dead()  # a round trip to a dead one may wait for ever on its driver
        if self._browser is not None and not self._killed and _alive(self._browser):
            return self._browser
        self.spares.clear()
        if self._killed:  # its driver is gone too: Playwright starts again
            self._stop_driver()
        elif self._browser is not None:
            with contextlib.suppress(Error):
                self._browser.close()
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._mark = uuid.uuid4().hex
        self._browser = self.launch(self._playwright)
        self._main = _main_of(self.processes())
        self._driver = _driver_of(self._main)
        return self._browser

    def launch(self, playwright: Playwright) -> Browser:
        options = launch_options()
        options["args"] = [*options["args"], MARK + self._mark]
        try:
            return playwright.chromium.launch(**options)
        except Error:
            raise ConfigError(MSG("no_browser")) from None

    @property
    def driver(self) -> int | None:
        """The pid of its Playwright driver (Chromium's parent), once started."""
        return self._driver

    def processes(self) -> list[int]:
        """The pids of this browser's Chromium processes (those named by its mark)."""
        return _marked(MARK + self._mark) if self._mark else []

    def kill(self) -> None:
        """End this Chromium and its Playwright driver at once: a call waiting for either
        then fails (as in a crash) instead of waiting for ever."""
        _quiet_killed_drivers()
        self._killed = True
        for pid in self.processes():
            _kill_group(pid)
        if self._driver is not None:
            with contextlib.suppress(OSError):
                os.kill(self._driver, signal.SIGKILL)

    def kill_if_dead(self) -> bool:
        """Kill it with its driver when Chromium's first process has died (a crash, a kill):
        True then. From any thread; a browser being started is not judged."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            return self._kill_if_dead()
        finally:
            self._lock.release()

    def _kill_if_dead(self) -> bool:
        if self._main is None or self._killed or _running(self._main):
            return False
        self.kill()
        return True

    def prepare(self, make: Callable[[Browser, Spares], None]) -> None:
        """``make`` the spare contexts of the next publication (started here if need be); a
        browser that cannot start or make them leaves the stage to say so when it runs."""
        with contextlib.suppress(Exception):
            make(self.get(), self.spares)

    def close(self) -> None:
        self.spares.clear()
        if self._browser is not None and not self._killed:
            with contextlib.suppress(Error):  # a crashed browser cannot be closed politely
                self._browser.close()
        self._stop_driver()

    def _stop_driver(self) -> None:
        if self._playwright is not None:
            with contextlib.suppress(Exception):  # a killed driver has nothing left to stop
                self._playwright.stop()
        self._browser = self._playwright = None
        self._main = self._driver = None
        self._killed = False


DRIVER_GONE = "Connection closed while reading from the driver"


class _KilledDriverNoise(logging.Filter):
    """Playwright leaves a killed driver's pending calls unread, and asyncio logs each as
    "Future exception was never retrieved" with a trace: English noise in the publish log,
    after the line that already says the browser was stopped."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (str(record.msg).startswith("Future exception") and str(error) == DRIVER_GONE)


def _quiet_killed_drivers() -> None:
    log = logging.getLogger("asyncio")
    if not any(isinstance(f, _KilledDriverNoise) for f in log.filters):
        log.addFilter(_KilledDriverNoise())


def _marked(mark: str) -> list[int]:
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux (the office server is): nothing found, nothing killed
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if mark.encode() in line:
            found.append(int(entry.name))
    return found


def _parent(pid: int) -> int | None:
    try:
        # The fields after the name (which may hold spaces) start with the state, then ppid.
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _main_of(chromium: list[int]) -> int | None:
    """Chromium's first process: the one of them whose parent is not one of them."""
    for pid in chromium:
        parent = _parent(pid)
        if parent is not None and parent not in chromium:
            return pid
    return None


def _driver_of(main: int | None) -> int | None:
    """Playwright's driver: the parent of Chromium's first process, unless that is this
    process (a driver inside it)."""
    parent = _parent(main) if main is not None else None
    return parent if parent is not None and parent != os.getpid() else None


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: not gone, not dead and waiting to be reaped (Z, X). Without
    /proc (not Linux) nothing is known: running."""
    if not Path("/proc").is_dir():
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _kill_group(pid: int) -> None:
    """Kill ``pid`` and, when it leads a process group of its own (Playwright starts Chromium
    detached), that whole group: the renderers and helpers go with it."""
    with contextlib.suppress(OSError):
        group = os.getpgid(pid)
        if group == pid and group != os.getpgrp():
            os.killpg(group, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


def _alive(browser: Browser) -> bool:
    """Whether the browser still answers. ``is_connected`` alone is not enough: the sync API
    learns that a killed Chromium has gone only on its next round trip, so one is made."""
    if not browser.is_connected():
        return False
    try:
        browser.new_browser_cdp_session().detach()
    except Error:
        return False
    return True


@contextmanager
def shared_chromium() -> Iterator[SharedChromium]:
    """A ``SharedChromium``, its browser (if one started) closed on exit."""
    shared = SharedChromium()
    try:
        yield shared
    finally:
        shared.close()


class KeptBrowsers:
    """The publication service's Chromiums, kept warm between publications: ``shots`` (the
    screenshots) and ``pages`` (the page check), each on a thread of its own, so the two stages
    run at the same time. Two browsers, as Playwright's sync API keeps each one on the thread
    that started it; each is started again when it died, or when it stopped answering
    (``answering``, ``both``). Between publications each makes its stage's clean contexts
    ready (``prepare``)."""

    def __init__(self) -> None:
        self.shots = SharedChromium()
        self.pages = SharedChromium()
        self._shots = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screenshots")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-check")

    def warm(self) -> None:
        """Start both now (together) with their spare contexts, so the first publication finds
        them ready; one that cannot start says so in that publication."""
        for started in self.prepare():
            started.result()

    def prepare(self) -> list[Future[None]]:
        """Make the next publication's spare contexts on both browsers' threads, without
        waiting: a stage asked for meanwhile runs after them on its thread."""
        return [
            self._shots.submit(self.shots.prepare, prepare_views),
            self._thread.submit(self.pages.prepare, prepare_check),
        ]

    def shooting(self, work: Callable[[SharedChromium], T]) -> Future[T]:
        """``work(shots)`` on the screenshots' thread."""
        return self._shots.submit(work, self.shots)

    def beside(self, work: Callable[[SharedChromium], T]) -> Future[T]:
        """``work(pages)`` on the page check's thread, while the caller goes on."""
        return self._thread.submit(work, self.pages)

    def answering(self, say: Callable[[str], None]) -> None:
        """Make sure each browser answers a round trip within ``ANSWER_S`` of its start
        (after its ``prepare``, itself bounded by ``PREPARE_S``: slow on a loaded machine, not
        wedged); one that does not (frozen, or its driver is) is killed, and its stage starts
        another. Both bounds run from the same moments for both browsers, so two wedged ones
        cost one bound, not two. One whose Chromium died is replaced without waiting."""
        for shared in (self.shots, self.pages):
            if shared.kill_if_dead():
                say(MSG("gone"))
        queued = time.monotonic() + PREPARE_S
        asked = []
        for shared, ask in ((self.shots, self.shooting), (self.pages, self.beside)):
            began = _Began()
            asked.append((shared, began, ask(functools.partial(_answer, began))))
        killed = []
        for shared, began, answer in asked:
            bound = PREPARE_S
            try:
                if not began.wait(max(0.0, queued - time.monotonic())):
                    raise Waited  # still in its prepare
                bound = ANSWER_S
                done = _waited(answer, shared, began.at + ANSWER_S)
                if done is None:  # it died meanwhile: killed, its stage starts another
                    say(MSG("gone"))
                    killed.append(answer)
                    continue
                if not done:
                    raise Waited
                answer.result()
            except Waited:
                say(MSG("no_answer", s=bound))
                shared.kill()
                killed.append(answer)
            except Exception:  # one that cannot start: its stage says so
                pass
        for answer in killed:
            _settled(answer)

    def both(
        self,
        shoot: Callable[[SharedChromium], T],
        check: Callable[[SharedChromium], Any],
        say: Callable[[str], None],
        stage_s: float = STAGE_S,
    ) -> tuple[T, Any]:
        """The screenshots and the page check at once, on browsers that answer; a stage still
        running after ``stage_s`` has its Chromium killed, so it ends as a browser crash
        (recorded as such) rather than holding every publication after it."""
        self.answering(say)
        checking = self.beside(check)
        shooting = self.shooting(shoot)
        end = time.monotonic() + stage_s
        shot = _bounded(shooting, self.shots, end, lambda: say(MSG("stage_bound", s=stage_s)))
        checked = _bounded(checking, self.pages, end, lambda: say(MSG("check_bound", s=stage_s)))
        return shot, checked

    def close(self) -> None:
        """Close both, each within ``CLOSE_S`` (killed past it): a service that stops never
        waits for a wedged browser."""
        closing = [(self.shots, self._shots.submit(self.shots.close)),
                   (self.pages, self._thread.submit(self.pages.close))]  # fmt: skip
        for shared, closed in closing:
            try:
                closed.result(timeout=CLOSE_S)
            except Waited:
                shared.kill()
                _settled(closed)
            except Exception:  # closing what crashed: nothing to close
                pass
        self._shots.shutdown(wait=False)
        self._thread.shutdown(wait=False)


class _Began(threading.Event):
    """Set when a browser's round trip began on its own thread (``at``: then)."""

    at = 0.0


def _answer(began: _Began, shared: SharedChromium) -> None:
    began.at = time.monotonic()
    began.set()
    shared.get()


def _settled(future: Future[Any]) -> None:
    """Wait (bounded) for the call a kill has just made fail."""
    with contextlib.suppress(Exception):
        future.result(timeout=CLOSE_S)


def _finished(future: Future[Any], timeout: float) -> bool:
    """Whether ``future`` ended (with a result or an error) within ``timeout``."""
    try:
        future.result(timeout=timeout)
    except Waited:
        return False
    except Exception:
        return True
    return True


def _waited(done: Future[Any], shared: SharedChromium, end: float) -> bool | None:
    """Wait for ``done`` until ``end``, looking every ``POLL_S`` whether ``shared``'s Chromium
    died: True when done, None when it died (it is killed with its driver, so the call fails
    at once), False at the bound."""
    while True:
        if _finished(done, max(0.0, min(POLL_S, end - time.monotonic()))):
            return True
        if shared.kill_if_dead():
            return None
        if time.monotonic() >= end:
            return False


def _bounded(running: Future[T], shared: SharedChromium, end: float, said: Callable[[], None]) -> T:
    """The stage's result; a stage whose Chromium died ends at once (a crash, recorded as
    such), one still running at ``end`` has its Chromium killed."""
    if _waited(running, shared, end) is False:
        said()
        shared.kill()
    return running.result(timeout=CLOSE_S)  # the stage records the crash


@contextmanager
def browser_of(shared: SharedChromium | None) -> Iterator[Browser]:
    """The shared browser, or one of its own for a stage run alone."""
    if shared is None:
        with chromium() as browser:
            yield browser
    else:
        yield shared.get()
