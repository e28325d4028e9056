"""The publication service's kept Chromiums when one is wedged (issue 16): a browser, or its
Playwright driver, that stops answering (SIGSTOP: frozen, not dead) is killed and started again
before a publication uses it, and a stage that hangs is ended at its bound as a browser crash.
Without the bounds each of these publications waits for ever. Real Chromium and drivers."""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Error

from pipeline.evidence.browser import ANSWER_S, CLOSE_S, KeptBrowsers, SharedChromium

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("evidence")]

SLACK_S = 20.0  # a fresh Chromium and driver start, on a loaded 2-core machine


@pytest.fixture
def browsers() -> Iterator[KeptBrowsers]:
    kept = KeptBrowsers()
    kept.warm()
    try:
        yield kept
    finally:
        kept.close()


def _read(shared: SharedChromium, freeze: bool = False) -> str:
    """A stage: a page of its own, read back; a browser that dies under it is a crash.
    ``freeze``: its Chromium is wedged once the stage has it."""
    try:
        browser = shared.get()
        if freeze:
            _freeze(shared.processes())
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_content("<p>terbit</p>")
            return page.inner_text("p")
        finally:
            context.close()
    except Error:
        return "crash"


def _freeze(pids: list[int]) -> None:
    assert pids, "nothing to freeze"
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


def test_a_frozen_chromium_between_publications_is_replaced(browsers: KeptBrowsers) -> None:
    frozen = browsers.shots.processes()
    _freeze(frozen)
    said: list[str] = []
    started = time.monotonic()
    shot, checked = browsers.both(_read, _read, said.append)
    assert (shot, checked) == ("terbit", "terbit")
    assert time.monotonic() - started < ANSWER_S + SLACK_S
    assert said == ["Chromium tidak menjawab dalam 10 detik; dihentikan dan dijalankan lagi"]
    assert not set(browsers.shots.processes()) & set(frozen)
    assert all(_gone(pid) for pid in frozen)  # killed, not left frozen
    # The other browser answered: it is the same one, not restarted.
    assert browsers.pages.processes()


def test_a_frozen_playwright_driver_is_replaced(browsers: KeptBrowsers) -> None:
    driver = browsers.pages.driver
    assert driver is not None and driver != os.getpid()
    _freeze([driver])
    said: list[str] = []
    shot, checked = browsers.both(_read, _read, said.append)
    assert (shot, checked) == ("terbit", "terbit")
    assert len(said) == 1 and "tidak menjawab" in said[0], said
    assert browsers.pages.driver not in (None, driver)
    assert _gone(driver)


def _gone(pid: int) -> bool:
    """Dead: no process, or one whose parent has not reaped it yet."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_stage_that_hangs_ends_at_its_bound_as_a_crash_and_the_next_one_works(
    browsers: KeptBrowsers,
) -> None:
    def hang(shared: SharedChromium) -> str:
        return _read(shared, freeze=True)

    said: list[str] = []
    started = time.monotonic()
    shot, checked = browsers.both(hang, _read, said.append, stage_s=3)
    took = time.monotonic() - started
    assert (shot, checked) == ("crash", "terbit")
    assert 3 <= took < 3 + CLOSE_S + SLACK_S
    assert said == ["Tangkapan layar belum selesai setelah 3 detik; Chromium-nya dihentikan"]
    # The next publication has a screenshots browser again.
    said.clear()
    assert browsers.both(_read, _read, said.append) == ("terbit", "terbit")
    assert said == []


def test_a_killed_driver_leaves_no_trace_in_the_log(
    browsers: KeptBrowsers, caplog: pytest.LogCaptureFixture
) -> None:
    """Playwright leaves the killed driver's pending calls unread; asyncio would log each as
    "Future exception was never retrieved" with a trace (English, in the publish log)."""
    _freeze(browsers.pages.processes())
    said: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        assert browsers.both(_read, _read, said.append) == ("terbit", "terbit")
        gc.collect()
    assert len(said) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_two_wedged_browsers_cost_one_bound_not_two(browsers: KeptBrowsers) -> None:
    """Both frozen: both are found wedged at the same bound (before, the second's bound began
    once the first had been replaced: 10 s more)."""
    _freeze(browsers.shots.processes() + browsers.pages.processes())
    said: list[tuple[float, str]] = []
    started = time.monotonic()
    shot, checked = browsers.both(_read, _read, lambda line: said.append((time.monotonic(), line)))
    assert (shot, checked) == ("terbit", "terbit")
    assert [line for _, line in said] == [
        "Chromium tidak menjawab dalam 10 detik; dihentikan dan dijalankan lagi"
    ] * 2
    (first, _), (second, _) = said
    assert ANSWER_S <= first - started < ANSWER_S + 2
    assert second - first < 2, said


def _die(shared: SharedChromium) -> None:
    """Chromium dies (SIGKILL) and its driver does not notice (frozen: a wedged one, or one
    too busy to say so): without looking at the process, every call waits for the bound."""
    driver, chromium = shared.driver, shared.processes()
    assert driver is not None and chromium
    _freeze([driver])
    for pid in chromium:
        os.kill(pid, signal.SIGKILL)
    end = time.monotonic() + 10
    while not all(_gone(pid) for pid in chromium):  # a kill is delivered a moment later
        assert time.monotonic() < end, "Chromium not dead after SIGKILL"
        time.sleep(0.01)


def test_a_chromium_that_died_between_publications_is_replaced_without_waiting(
    browsers: KeptBrowsers,
) -> None:
    driver = browsers.shots.driver
    _die(browsers.shots)
    said: list[str] = []
    started = time.monotonic()
    assert browsers.both(_read, _read, said.append) == ("terbit", "terbit")
    assert time.monotonic() - started < ANSWER_S  # not at the bound: at once
    assert said == ["Chromium berhenti sendiri; dijalankan lagi"]
    assert browsers.shots.driver not in (None, driver) and _gone(driver)  # type: ignore[arg-type]


def test_a_stage_whose_chromium_dies_ends_at_once_as_a_crash(browsers: KeptBrowsers) -> None:
    def dies(shared: SharedChromium) -> str:
        browser = shared.get()
        _die(shared)
        try:
            browser.new_context().new_page().set_content("<p>terbit</p>")
        except Error:
            return "crash"
        return "terbit"

    said: list[str] = []
    started = time.monotonic()
    shot, checked = browsers.both(dies, _read, said.append, stage_s=60)
    assert (shot, checked) == ("crash", "terbit")
    assert time.monotonic() - started < ANSWER_S  # not at the stage's bound
    assert said == []
    assert browsers.both(_read, _read, said.append) == ("terbit", "terbit")
    assert said == []
