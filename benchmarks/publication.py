"""P3 benchmark (issue 16): from the push of a merge to the completion record committed on
main, the page live and both screenshots taken, on a site of N articles.

    .venv/bin/python -m benchmarks.publication --articles 5000 --runs 3 [--profile FILE]

Makes an office as ``terbit demo`` does (server repository with its hooks, one clone and key
per person, the site served on 127.0.0.1 from the server's live folder) whose seed holds the
project's site plus N synthetic articles (``sitegen``), and keeps the server's warm build
process and its publication service up as ``terbit web`` or ``terbit schedule`` does. One
publication first, not measured (the server's build cache, the whole site built once). Then
``--runs`` rounds of two merges, each a new one-article change approved by every role (the
e-mails of those pushes sent within them, as they are long done when an office merges):

1. **end to end**: ``terbit merge`` with ``TERBIT_PUBLISH=sync`` (its own call: the command
   ends when the push returns, its next command fetches), so the push returns once the
   server's hook has published (in the publication service, or in a new process when the
   service was not used: each round says which, from the publications' log; build, deploy,
   live check, screenshots, page check, notice, record committed); the wall time of the push
   is P3;
2. **where the time goes**: the same kind of merge pushed with publishing and its e-mail off,
   then the publication run in this process with its parts timed (export, history, build,
   deploy and its removal of old releases, live check, screenshots and page check on two warm
   browsers at the same time as in the service, notice, PDF, commit), plus what the service
   saves, measured on its own: the start of a new publishing process (``python -m
   pipeline.hooks.publish`` imports, the fallback) and the browser start.

Prints medians (min–max) and the machine's load average: other jobs share its two cores.
Results also go to ``benchmarks/.work/publication.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.build import WORK
from benchmarks.record_size import record_commit
from benchmarks.sitegen import write_site

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 3.0  # issue 16, P3 median
START_S = 120  # bound on the warm processes' start on a loaded machine


class Clock:
    """Seconds spent in named parts (a part may run more than once: summed). A part of the
    timeline (``TIMELINE``) called inside another on the same thread is counted once, in the
    outer one, so the timeline's parts never overlap."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._inside = threading.local()

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            top = name in TIMELINE
            if top and getattr(self._inside, "part", False):
                return function(*args, **kwargs)  # inside another part of the timeline
            if top:
                self._inside.part = True
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] += time.perf_counter() - began
                if top:
                    self._inside.part = False

        return run


# The publication's parts that run one after the other on its thread (the page check runs
# beside the screenshots on its own): with "unaccounted" they add up to the whole publication.
TIMELINE = (
    "step: main's settings, new merges, unfinished ones",
    "step: forge opened, change read",
    "step: lock, state file, marker",
    "stage: prepare (change, articles, schedule)",
    "step: record already on main?",
    "step: target opened",
    "stage: build (export, history, build)",
    "stage: deploy",
    "step: pages located, retry command, record signer",
    "stage: live check",
    "stage: screenshots (warm browser)",
    "step: waiting for the page check",
    "stage: notice",
    "stage: record (PDF, commit)",
)
UNACCOUNTED = "unaccounted (publication minus the timeline's parts)"


class _Waited:
    """A future whose ``result()`` wait is timed (the page check, after the screenshots)."""

    def __init__(self, future: Any, clock: Clock) -> None:
        self.result = clock.timed("step: waiting for the page check", future.result)


@contextlib.contextmanager
def instrumented(clock: Clock) -> Iterator[None]:
    """The publication's parts wrapped in ``clock`` (this process only), put back after."""
    from pipeline.deploy.local import LocalTarget
    from pipeline.evidence import stage as evidence
    from pipeline.evidence.browser import KeptBrowsers, SharedChromium
    from pipeline.publication import run, stages
    from pipeline.publication.state import State
    from pipeline.record import assemble
    from pipeline.vcs import Repo

    lock = run.publish_lock
    forge = run.open_forge

    @contextlib.contextmanager
    def timed_lock(*args: Any, **kwargs: Any) -> Iterator[None]:
        with contextlib.ExitStack() as held:
            clock.timed(TIMELINE[2], held.enter_context)(lock(*args, **kwargs))
            yield

    def opened(*args: Any, **kwargs: Any) -> Any:
        made = forge(*args, **kwargs)
        made.get_change = clock.timed("step: forge opened, change read", made.get_change)
        return made

    beside = KeptBrowsers.beside
    patches: list[tuple[Any, str, str]] = [
        (run, "main_settings", TIMELINE[0]),
        (run, "_fresh", TIMELINE[0]),
        (run, "unfinished", TIMELINE[0]),
        (run, "State", TIMELINE[2]),
        (State, "started", TIMELINE[2]),
        (run, "prepare", TIMELINE[3]),
        (run, "existing_record", TIMELINE[4]),
        (run, "open_target", TIMELINE[5]),
        (run, "locate", TIMELINE[8]),
        (run, "retry_command", TIMELINE[8]),
        (run, "record_signer", TIMELINE[8]),
        (run, "build", "stage: build (export, history, build)"),
        (run, "deploy", "stage: deploy"),
        (run, "verify_stage", "stage: live check"),
        (run, "screenshot_stage", "stage: screenshots (warm browser)"),
        (run, "visitor_stage", "  page check (second warm browser, meanwhile)"),
        (run, "notice_stage", "stage: notice"),
        (run, "record_stage", "stage: record (PDF, commit)"),
        (State, "write", "  state file written (fsync), every time"),
        (stages, "read_history", "  history of the articles"),
        (LocalTarget, "_prune", "  deploy: old releases removed"),
        (stages, "build_site", "  build (warm process)"),
        (evidence, "capture", "  screenshot capture"),
        (evidence, "check_pages", "  page check (its own thread, at the same time)"),
        (KeptBrowsers, "answering", "  both browsers answer (a round trip each)"),
        (SharedChromium, "launch", "  browser start"),
        (SharedChromium, "close", "  browser stop"),
        (assemble, "to_pdf", "  PDF"),
        (assemble, "sign_pdf", "  PDF signature"),
        (assemble, "commit_record", "  record commit"),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    saved += [(run, "publish_lock", lock), (run, "open_forge", forge)]
    saved += [(KeptBrowsers, "beside", beside)]
    export = Repo.export_tree
    for module, name, label in patches:
        setattr(module, name, clock.timed(label, getattr(module, name)))
    run.publish_lock = timed_lock  # type: ignore[assignment]
    run.open_forge = clock.timed(TIMELINE[1], opened)
    KeptBrowsers.beside = lambda self, work: _Waited(beside(self, work), clock)  # type: ignore[method-assign,assignment,return-value]
    Repo.export_tree = clock.timed("  export of the tree", export)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
        Repo.export_tree = export  # type: ignore[method-assign]


def _office(base: Path, n: int) -> tuple[Any, Callable[[], None]]:
    from pipeline.cli.demo.office import create_office
    from pipeline.config.settings import load_settings
    from pipeline.deploy import open_target
    from pipeline.hooks.install import copy_site
    from pipeline.render.serve import serve_in_background

    source = base / "source"
    source.mkdir(parents=True)
    copy_site(ROOT, source)
    write_site(source / "content", n)
    server = base / "kantor" / "server.git"
    target = open_target(server, load_settings(ROOT))
    live = getattr(target, "live_dir", server / "terbit" / "site")
    url, stop = serve_in_background(live, 0)
    os.environ["TERBIT_PUBLISH"] = "off"  # the seed: the first publication comes later
    began = time.perf_counter()
    office = create_office(base / "kantor", source, seed_message="Isi awal situs", site_url=url)
    print(f"  kantor dengan {n} artikel dibuat dalam {time.perf_counter() - began:.0f} s "
          f"(load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    return office, stop


def _merge(kit: Any, change: str) -> str:
    """``terbit merge`` as the command runs it (``cli/merge.py``): it ends when the push
    returns, and the next command fetches on its start. (``Kit.merge`` fetches again at once:
    0.07–0.68 s that no user waits for, counted in P3 before 4 December.)"""
    from pipeline.forge.local.client.actions import merge

    sha, _ = merge(kit.forge("dewi"), kit.office.who("dewi"), change, sync_after=False)
    return sha


def _ready_change(kit: Any) -> str:
    """A change submitted and approved by every role. In the office those pushes come long
    before the merge, so their background work (``post-receive``'s e-mail to whoever waits
    next, a Python process each) is over by then: here it runs within each push
    (``TERBIT_NOTIFY=sync``), not beside the measured merge (up to 0.8 s of processor time
    during the build before 4 December, 2 cores)."""
    saved = os.environ.get("TERBIT_NOTIFY")
    os.environ["TERBIT_NOTIFY"] = "sync"
    try:
        change = kit.submit("rina")
        kit.approve_all(change)
    finally:
        if saved is None:
            os.environ.pop("TERBIT_NOTIFY", None)
        else:
            os.environ["TERBIT_NOTIFY"] = saved
    return str(change)


def _published(server: Path, merge: str) -> dict[str, Any]:
    """The publication's state file, checked: live, screenshots, record committed on main."""
    from pipeline.config.settings import load_settings
    from pipeline.deploy import open_target
    from pipeline.publication.state import state_root
    from pipeline.vcs import Repo

    repo = Repo(server)
    state = json.loads((state_root(repo) / f"{merge}.json").read_text(encoding="utf-8"))
    stages = state["stages"]
    problems = []
    if not stages.get("verify", {}).get("live"):
        problems.append("not live")
    if len(stages.get("screenshots", {}).get("shots", [])) < 2:
        problems.append("fewer than two screenshots")
    record = stages.get("record", {})
    if record.get("status") != "complete" or record.get("commit") != record_commit(server):
        problems.append(f"record: {record.get('status')} {record.get('reasons')}")
    if not stages.get("build", {}).get("warm"):
        problems.append("not built by the warm process")
    log = getattr(open_target(server, load_settings(ROOT)), "log", None)
    deployed = [e for e in (log.entries() if log else []) if "copied" in e]
    return {
        "problems": problems,
        "warm": stages.get("build", {}).get("warm"),
        "export": stages.get("build", {}).get("export"),
        "files": {
            k: deployed[-1].get(k) for k in ("copied", "linked", "kept", "hashed", "recycled")
        } if deployed else None,
    }  # fmt: skip


def _fill_retention(server: Path) -> int:
    """Deploy copies of the live release under older ids until the target keeps as many as
    it may, then switch the live one back: each measured publication then finds the target
    as a server that has published for a while does (its oldest release is recycled)."""
    from pipeline.config.settings import load_settings
    from pipeline.deploy import LocalTarget, open_target

    target = open_target(server, load_settings(ROOT))
    live = target.current()
    if not isinstance(target, LocalTarget) or live is None:
        return 0
    missing = max(0, target.keep - len(target.releases()))
    for n in range(missing):
        target.deploy(Path(live.location), f"20000101T0000{n:02d}Z-isian")
    target.rollback(live.id)
    return missing


def _path(log: str) -> str:
    """Which path published, from the publications' log lines of one push."""
    from pipeline.hooks.merged import MSG as HOOK
    from pipeline.hooks.publisher import MSG as SERVICE

    if HOOK("service_unused", sha="", why="").split("(")[0].strip() in log:
        reason = log.split("(", 1)[1].split(")", 1)[0] if "(" in log else "?"
        return f"proses baru ({reason})"
    return "layanan" if SERVICE("publishing", old="", new="").split(":")[0] in log else "?"


def _hook_start() -> float:
    """The hook's publishing process up to its first line of work: interpreter and imports."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pipeline.hooks.publish"], check=True, cwd=ROOT)
    return time.perf_counter() - began


def _browser_start() -> float:
    """A Chromium started and stopped: what a publication without the service pays (on a
    thread of its own: this one holds the warm browsers' Playwright)."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.evidence.browser import shared_chromium

    def started() -> float:
        began = time.perf_counter()
        with shared_chromium() as shared:
            shared.get()
        return time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(started).result()


def _shown(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}–{max(values):.2f})"


def bench(n: int, runs: int, profile: Path | None = None) -> dict[str, Any]:
    from pipeline.evidence.browser import KeptBrowsers
    from pipeline.hooks.server import LOG_FILE
    from pipeline.publication.run import on_main_updated
    from pipeline.publication.stages import warm_folder
    from pipeline.render import warm
    from pipeline.vcs import Repo
    from tests.support.forge import Kit

    base = WORK / f"publication-n{n}"
    shutil.rmtree(base, ignore_errors=True)
    print(f"== N = {n} (load average {os.getloadavg()[0]:.1f})", flush=True)
    office, stop = _office(base, n)
    server = office.server
    folder = warm_folder(Repo(server))
    services = [warm.Service(folder), warm.publisher(folder)]  # as `terbit web` keeps them
    for service, socket in zip(services, (warm.SOCKET, warm.PUBLISHER_SOCKET), strict=True):
        service.check()
        end = time.monotonic() + START_S
        while not warm.ready(folder, socket):
            if time.monotonic() > end:
                raise SystemExit(f"no process on {socket}")
            time.sleep(0.1)
    log = server / LOG_FILE

    def logged() -> int:
        return log.stat().st_size if log.exists() else 0

    # This process's publications (part 2) keep two browsers warm, as the service does.
    browsers = KeptBrowsers()
    kit = Kit(office, counter=1000)
    paths: list[str] = []
    totals: list[float] = []
    pushes: list[float] = []
    parts: list[dict[str, float]] = []
    loads: list[float] = []
    try:
        os.environ["TERBIT_PUBLISH"] = "sync"
        began = time.perf_counter()
        merge = kit.merge(_ready_change(kit))
        first = time.perf_counter() - began
        print(f"  publikasi pertama (build penuh, tidak diukur): {first:.0f} s "
              f"{_published(server, merge)}", flush=True)  # fmt: skip
        browsers.warm()
        filled = _fill_retention(server)
        print(f"  {filled} rilis pengisi (retensi penuh, seperti server yang sudah lama jalan)")
        for run in range(runs):
            change = _ready_change(kit)
            os.environ["TERBIT_PUBLISH"] = "sync"
            before = logged()
            began = time.perf_counter()
            merge = _merge(kit, change)
            totals.append(time.perf_counter() - began)
            with log.open("rb") as text:
                text.seek(before)
                paths.append(_path(text.read().decode("utf-8", "replace")))
            checked = _published(server, merge)
            if checked["problems"]:
                raise SystemExit(f"publication {merge[:10]}: {checked['problems']}")
            # The same kind of merge again, its publication timed part by part in this process.
            change = _ready_change(kit)
            os.environ["TERBIT_PUBLISH"] = "off"
            # Nor its e-mail in the background while the publication is timed part by part.
            os.environ["TERBIT_NOTIFY"] = "off"
            old = Repo(server).rev_parse("refs/heads/main")
            began = time.perf_counter()
            merge = _merge(kit, change)
            pushes.append(time.perf_counter() - began)
            os.environ.pop("TERBIT_NOTIFY")
            clock = Clock()
            profiler = cProfile.Profile() if profile else None
            with instrumented(clock):
                began = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                results = on_main_updated(server, old or merge, merge, browsers)
                whole = time.perf_counter() - began
                if profiler is not None and profile is not None:
                    profiler.disable()
                    profiler.dump_stats(profile.with_suffix(f".{run + 1}.prof"))
            clock.spent["publication (in process)"] = whole
            clock.spent[UNACCOUNTED] = whole - sum(clock.spent.get(t, 0.0) for t in TIMELINE)
            if [r.status for r in results] != ["complete"]:
                raise SystemExit(f"publication {merge[:10]}: {[r.problems for r in results]}")
            clock.spent["new publishing process's start (fallback)"] = _hook_start()
            clock.spent["browser start (fallback)"] = _browser_start()
            browsers.prepare()  # as the service does between publications
            parts.append(dict(clock.spent))
            loads.append(os.getloadavg()[0])
            print(f"  #{run + 1}: ujung ke ujung {totals[-1]:.2f} s oleh {paths[-1]}, "
                  f"push {pushes[-1]:.2f} s, "
                  f"publikasi {clock.spent['publication (in process)']:.2f} s "
                  f"(load {loads[-1]:.1f}; ekspor {checked['export']}, "
                  f"berkas rilis {checked['files']})", flush=True)  # fmt: skip
    finally:
        browsers.close()
        for service in services:
            service.stop()
        stop()
        os.environ.pop("TERBIT_PUBLISH", None)  # what follows in this process decides again
        os.environ.pop("TERBIT_NOTIFY", None)
    print(f"  P3 ujung ke ujung (push merge -> catatan di main)  {_shown(totals)}  "
          f"target <= {TARGET_S:.0f} s", flush=True)  # fmt: skip
    print(f"  push merge tanpa publikasi (hook, gerbang)          {_shown(pushes)}")
    print("  -- urutan publikasi (timeline: one after the other, they add up to the whole)")
    for name in [*TIMELINE, UNACCOUNTED, "publication (in process)"]:
        print(f"  {name:<50} {_shown([p.get(name, 0.0) for p in parts])}")
    print("  -- bagian di dalamnya dan penghematan layanan (parts within, what the service saves)")
    for name in [n for n in parts[0] if n not in (*TIMELINE, UNACCOUNTED)]:
        if name != "publication (in process)":
            print(f"  {name:<50} {_shown([p.get(name, 0.0) for p in parts])}")
    return {
        "n": n, "p3_s": totals, "published_by": paths, "push_s": pushes, "parts": parts,
        "load": loads,
        "target_s": TARGET_S, "within_target": statistics.median(totals) <= TARGET_S,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publication", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="cProfile of each in-process publication")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TERBIT_LANG", "id")
    report = bench(args.articles, args.runs, args.profile)
    (WORK / "publication.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
