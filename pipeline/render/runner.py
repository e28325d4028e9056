"""``build_site``: the site from a repository, built in a worker process and swapped in whole.

The new site is built into a spare folder (the site before last, emptied of files; see ``swap``)
and swapped with the output folder only when the build succeeded, so a failed build leaves the
previous site as it was. Problems Pelican reports
come back located (``path:line``) as ``InputError`` (content) or ``ConfigError`` (settings,
theme). Unchanged pages are reused from the previous build (see ``incremental``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.clock import now
from pipeline.config.settings import Settings, load_settings
from pipeline.draft.schedule import embargoed, held_images
from pipeline.errors import ConfigError, InputError, Problem
from pipeline.i18n import Catalog, get_lang
from pipeline.render import cache, warm
from pipeline.render.history import History, history_of_work_tree
from pipeline.render.progress import Progress, QuietProgress
from pipeline.render.swap import exchange_folder

MSG = Catalog(
    {
        "no_settings": ("berkas pengaturan Pelican tidak ada", "Pelican settings file is missing"),
        "bad_output": (
            "folder keluaran tidak boleh folder repositori atau berisi konten: {path}",
            "the output folder must not be the repository or contain the content: {path}",
        ),
        "failed": (
            "Build gagal; situs sebelumnya tetap utuh.",
            "Build failed; the previous site is untouched.",
        ),
        "crashed": (
            "proses build berhenti tanpa laporan (kode {code}): {tail}",
            "the build process stopped without a report (code {code}): {tail}",
        ),
        "cache_inside": (
            "cache build tidak boleh berada di dalam pohon yang dibangun: {path}",
            "the build cache must not be inside the tree being built: {path}",
        ),
        "warm_fallback": (
            "Build hangat tidak dipakai ({why}): situs dibangun oleh proses baru.",
            "The warm build was not used ({why}): the site is built by a fresh process.",
        ),
        "warm_no_worker": ("proses build hangat tidak berjalan", "no warm build process runs"),
        "warm_stale": (
            "proses build hangat memakai kode atau pustaka lain; dimulai ulang",
            "the warm build process runs other code or libraries; it is restarted",
        ),
        "warm_stopped": (
            "proses build hangat berhenti di tengah build",
            "the warm build process stopped in the middle of the build",
        ),
        "warm_timeout": (
            "proses build hangat tidak selesai dalam {seconds:.0f} detik; dihentikan",
            "the warm build process did not finish within {seconds:.0f} s; stopped",
        ),
        "busy": (
            "build lain sedang berjalan untuk repositori ini",
            "another build is running for this repository",
        ),
    }
)

SCHEDULE_CACHE = "schedule.json"  # each draft's publish_at by its stat (``draft.schedule``)
CACHE_ENV = "TERBIT_CACHE_HOME"  # where ``terbit build`` keeps its caches (tests, CI)


def cache_folder(root: Path, publish: bool = False, base: Path | None = None) -> Path:
    """The build cache of the tree at ``root``: under ``base`` (a server's own state) or the
    user's cache folder, never inside the tree, whose files are never trusted (see ``cache``)."""
    mode = "publish" if publish else "site"
    if base is not None:
        return base / mode
    home = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME")
    folder = Path(home) if home else Path.home() / ".cache"
    tag = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return folder / "terbit" / "build" / f"{root.name[:40]}-{tag[:16]}" / mode


@dataclass
class BuildResult:
    output: Path
    seconds: float
    articles: int = 0
    pages: int = 0
    rendered: int = 0  # pages rendered and written in this build
    reused: int = 0  # pages kept from the previous build, unchanged
    incremental: bool = False
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # content files left out (skip_bad)
    forks: list[ForkRun] = field(default_factory=list)  # work done by forks of the build
    warm: bool = False  # built by the warm build process (``warm``)
    held: bool = False  # with the article cache the warm process held loaded (``held``)
    ahead: int = 0  # own digests the warm process computed before the build (``fingerprint``)
    fallback: str = ""  # why a build asked of the warm process was built cold
    peak_kb: int = 0  # the warm build's largest resident set (its forks included)
    cpu_s: float = 0.0  # the warm build's processor time (its forks included)


@dataclass(frozen=True)
class ForkRun:
    """A fork of the build that did a ``job`` ("read" drafts, "pages"): ``items`` done;
    ``ok`` when it finished its share (else the build did that share itself)."""

    job: str
    items: int
    ok: bool


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(MSG("busy"), path=str(folder)) from None
        yield


def _spare(output: Path, cache_dir: Path) -> Path:
    """Where the next site is built: in the cache when that is on the output's file system
    (the swap is a rename), else beside the output."""
    try:
        same = os.stat(output.parent).st_dev == os.stat(cache_dir).st_dev
    except OSError:
        same = False
    return cache_dir / "spare" if same else output.with_name(f".{output.name}.spare")


def _commit_cache(staging: Path, cache_dir: Path) -> None:
    """Keep the caches of a good build: Pelican's content caches first, the state last."""
    target = cache_dir / cache.PELICAN_DIR
    target.mkdir(parents=True, exist_ok=True)
    fresh = {file.name: file for file in (staging / cache.PELICAN_DIR).glob("*")}
    for old in target.iterdir():
        if old.name not in fresh:
            old.unlink()  # a cache this build no longer keeps (another caching layer)
    for name, file in fresh.items():
        os.replace(file, target / name)
    os.replace(staging / cache.STATE_FILE, cache_dir / cache.STATE_FILE)


def _not_yet_due(
    content: Path, settings: Settings, cache_dir: Path, hold: Iterable[str]
) -> list[str]:
    """Content-relative paths the build leaves out: the drafts not yet due, those the caller
    holds back (``hold``), and the images only they show."""
    drafts = set(embargoed(content, now(), settings.site.timezone, cache_dir / SCHEDULE_CACHE))
    drafts |= set(hold)
    return sorted(drafts) + sorted(held_images(content, drafts))


def build_site(
    root: Path,
    output: Path | None = None,
    *,
    publish: bool = False,
    progress: Progress | None = None,
    full: bool = False,
    forked: bool = False,
    cache_base: Path | None = None,
    skip_bad: bool = False,
    history: History | None = None,
    hold: Iterable[str] = (),
    warm_folder: Path | None = None,
) -> BuildResult:
    """Build the site of the repository at ``root`` into ``output`` (``build.output``).

    The build runs in a fresh process, so Pelican's global signals and plugin state cannot leak
    into the caller. ``forked`` runs it in a fork of this process instead (about half a second
    less on a big site); only for a caller that runs no other threads, such as the command.
    ``cache_base`` is where the caches go (``cache_folder``), outside the tree. With
    ``skip_bad`` a content file that cannot be read or is refused is left out of the site and
    listed in ``skipped`` instead of failing the build (publication: one bad draft on main
    must not stop every later publication). ``history`` is each article's versions
    (``history.read_history``); by default that of ``root``'s own Git work tree, if any.
    ``hold``: drafts (relative to the content folder) left out like those not yet due.
    ``warm_folder`` is the server state folder of a warm build process (``warm``): the build
    runs there when it answers, else in a fresh process, with a note saying why.
    """
    started = time.perf_counter()
    root = root.resolve()
    settings = load_settings(root)
    name = settings.build.publish_settings_file if publish else settings.build.settings_file
    if not (root / name).is_file():
        raise ConfigError(MSG("no_settings"), path=name)
    output = (output or root / settings.build.output).resolve()
    content = (root / settings.content.path).resolve()
    if output == root or content.is_relative_to(output):
        raise ConfigError(MSG("bad_output", path=output))
    output.parent.mkdir(parents=True, exist_ok=True)
    cache_dir = cache_folder(root, publish, cache_base)
    if cache_dir.resolve().is_relative_to(root):
        raise ConfigError(MSG("cache_inside", path=cache_dir))
    progress = progress or QuietProgress()
    with _lock(cache_dir):
        tmp = _spare(output, cache_dir)
        staging = cache_dir / f"staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        # What a finished or crashed build left in the spare is never trusted: the worker
        # removes every file there before anything is written (see ``worker``).
        clear = tmp.is_dir()
        if not clear:
            tmp.mkdir(parents=True)
        request = {
            "root": str(root),
            "settings_file": name,
            "base_settings_file": settings.build.settings_file,
            "workdir": str(cache_dir),
            "draft_seconds": settings.build.draft_seconds,
            "skip_bad": skip_bad,
            "memory_mb": settings.build.memory_mb,
            "tmp": str(tmp),
            "output": str(output),
            "cache_dir": str(cache_dir),
            "staging": str(staging),
            "full": full,
            "clear": clear,
            "content": str(content),
            "lang": get_lang(),
            # Drafts whose ``publish_at`` is still ahead stay out of the site, and so do the
            # images only they show; the list is in the build key, so the site is rebuilt
            # whole when one becomes due.
            "embargoed": _not_yet_due(content, settings, cache_dir, hold),
            "history": (
                history_of_work_tree(root, settings.content.path, cache_dir)
                if history is None
                else history
            ),
        }
        try:
            # A fork when asked and possible, unless profiling (the worker writes the profile).
            fork = forked and hasattr(os, "fork") and not os.environ.get("TERBIT_BUILD_PROFILE")
            result = None
            if warm_folder is not None:
                result, why = _run_warm(warm_folder, request, progress)
                if result is None:
                    # Whatever the warm build left is never trusted: the spare is cleared and
                    # the staged caches dropped, as after a crash.
                    shutil.rmtree(staging, ignore_errors=True)
                    request["clear"] = tmp.is_dir()
                    tmp.mkdir(parents=True, exist_ok=True)
            if result is None:
                result = (_run_forked if fork else _run_worker)(request, progress)
                if warm_folder is not None:
                    result.fallback = MSG("warm_fallback", why=why)
            exchange_folder(tmp, output)  # the replaced site is the next build's spare
            _commit_cache(staging, cache_dir)
        except BaseException:
            # A folder or file the build could not replace must not trip the next build.
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    result.output = output
    result.seconds = time.perf_counter() - started
    return result


class _Collector:
    """The worker's events, as they arrive, turned into a ``BuildResult`` or an error."""

    def __init__(self, output: Path, progress: Progress) -> None:
        self.result = BuildResult(output=output, seconds=0.0)
        self.progress = progress
        self.errors: list[Problem] = []
        self.failure: dict | None = None
        self.done: dict | None = None
        self.started = False

    def __call__(self, kind: str, event: dict) -> None:
        if kind == "start":
            self.progress.start(event["total"])
            self.started = True
        elif kind == "progress":
            self.progress.update(event["read"], event["written"], event["reused"])
        elif kind == "note":
            self.result.notes.append(event["message"])
        elif kind in ("warning", "error", "skipped"):
            problem = Problem(event["path"] or "-", event["line"], event["message"])
            {"error": self.errors, "warning": self.result.warnings}.get(
                kind, self.result.skipped
            ).append(problem)
        elif kind == "fork":
            run = ForkRun(event["job"], event["items"], event["ok"])
            self.result.forks.append(run)
            self.progress.fork(run.job, run.items, run.ok)
        elif kind == "fail":
            self.failure = event
        elif kind == "done":
            self.done = event
        elif kind == "peak":
            self.result.peak_kb = event["kb"]
            self.result.cpu_s = event.get("cpu_s", 0.0)

    def finish(self, crash: str) -> BuildResult:
        if self.started:
            self.progress.stop()
        done, failure, errors, result = self.done, self.failure, self.errors, self.result
        if done is not None and failure is None:
            result.rendered, result.reused = done["rendered"], done["reused"]
            result.articles, result.pages = done["articles"], done["pages"]
            result.incremental = done["incremental"]
            result.held = bool(done.get("held"))
            result.ahead = int(done.get("ahead") or 0)
            return result
        if failure is None:
            raise InputError(crash)
        if failure.get("message"):
            errors.insert(0, Problem(failure["path"] or "-", failure["line"], failure["message"]))
        kind = ConfigError if failure["kind"] == "config" else InputError
        if len(errors) == 1:
            only = errors[0]
            raise kind(only.message, path=None if only.path == "-" else only.path, line=only.line)
        raise kind(MSG("failed"), problems=errors)


def _run_forked(request: dict, progress: Progress) -> BuildResult:
    """The worker's build in a fork of this process: isolated like a new process (Pelican's
    signals and plugins stay in the child), without starting and importing a second Python,
    and the child ends without tearing down the thousands of objects of a big site."""
    from pipeline.render import worker  # imported before the fork, so the child has it

    collect = _Collector(Path(request["output"]), progress)
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as errors:
        pid = os.fork()
        if pid == 0:  # the child: build, report, and leave at once
            code = 1
            try:
                os.close(read)
                quiet = os.open(os.devnull, os.O_WRONLY)
                os.dup2(quiet, 1)  # Pelican's own "Done" line, kept off screen as before
                os.dup2(errors.fileno(), 2)
                stream = os.fdopen(write, "w", encoding="utf-8")
                worker.run_reporting(request, worker.Events(stream))
                stream.flush()
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(write)
        with os.fdopen(read, encoding="utf-8") as lines:
            for raw in lines:
                event = json.loads(raw)
                collect(event.pop("event"), event)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        errors.seek(0)
        tail = " ".join(errors.read().decode("utf-8", "replace").strip().splitlines()[-3:])
    return collect.finish(MSG("crashed", code=code, tail=tail))


def _run_warm(folder: Path, request: dict, progress: Progress) -> tuple[BuildResult | None, str]:
    """The build by the warm process (``warm``), or None and why it was not used."""
    collect = _Collector(Path(request["output"]), progress)
    try:
        for kind, event in warm.run_warm(folder, request):
            collect(kind, event)
    except warm.Unavailable as reason:
        if collect.started:
            progress.stop()
        return None, MSG(f"warm_{reason}", seconds=warm.timeout())
    result = collect.finish(MSG("crashed", code=0, tail=""))
    result.warm = True
    return result, ""


def _run_worker(request: dict, progress: Progress) -> BuildResult:
    collect = _Collector(Path(request["output"]), progress)
    proc = subprocess.Popen(
        # Imported by name, not run as ``__main__``: the build knows its own signal receivers
        # by their module (see ``readahead``). Isolated (``-I``: no working folder, user site
        # or PYTHON* variables on the path) and started outside the tree: nothing in the tree
        # can stand in for a module (see ``confine``).
        [sys.executable, "-I", "-c", "from pipeline.render.worker import main; main()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=request["workdir"],
    )
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(json.dumps(request))
    proc.stdin.close()
    try:
        for raw in proc.stdout:
            event = json.loads(raw)
            collect(event.pop("event"), event)
    finally:
        stderr = proc.stderr.read()
        code = proc.wait()
    tail = " ".join(stderr.strip().splitlines()[-3:])
    return collect.finish(MSG("crashed", code=code, tail=tail))
