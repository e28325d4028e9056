"""``build_site``: the site from a repository, built in a worker process and swapped in whole.

The new site is built into a hidden sibling of the output folder and replaces it only when the
build succeeded, so a failed build leaves the previous site as it was. Problems Pelican reports
come back located (``path:line``) as ``InputError`` (content) or ``ConfigError`` (settings,
theme). Unchanged pages are reused from the previous build (see ``incremental``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import cache
from pipeline.build.progress import Progress, QuietProgress
from pipeline.build.swap import empty_trash, replace_folder
from pipeline.config.settings import load_settings
from pipeline.errors import ConfigError, InputError, Problem
from pipeline.i18n import Catalog, get_lang

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
        "busy": (
            "build lain sedang berjalan untuk repositori ini",
            "another build is running for this repository",
        ),
    }
)

CACHE_ROOT = Path(".terbit") / "cache"


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


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(MSG("busy"), path=str(folder)) from None
        yield


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


def build_site(
    root: Path,
    output: Path | None = None,
    *,
    publish: bool = False,
    progress: Progress | None = None,
    full: bool = False,
) -> BuildResult:
    """Build the site of the repository at ``root`` into ``output`` (``build.output``)."""
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
    cache_dir = root / CACHE_ROOT / ("publish" if publish else "site")
    progress = progress or QuietProgress()
    with _lock(cache_dir):
        tmp = output.with_name(f".{output.name}.building-{os.getpid()}")
        staging = cache_dir / f"staging-{os.getpid()}"
        for leftover in (tmp, staging):
            shutil.rmtree(leftover, ignore_errors=True)
        request = {
            "root": str(root),
            "settings_file": name,
            "tmp": str(tmp),
            "output": str(output),
            "cache_dir": str(cache_dir),
            "staging": str(staging),
            "full": full,
            "lang": get_lang(),
        }
        trash = root / CACHE_ROOT.parent / "trash"
        # The previous build's old site is deleted alongside this build's worker (2 cores).
        cleaner = threading.Thread(target=empty_trash, args=(trash,), name="terbit-trash")
        cleaner.start()
        try:
            result = _run_worker(request, progress)
            cleaner.join()
            replace_folder(tmp, output, trash)
            _commit_cache(staging, cache_dir)
        finally:
            cleaner.join()
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(staging, ignore_errors=True)
    result.output = output
    result.seconds = time.perf_counter() - started
    return result


def _run_worker(request: dict, progress: Progress) -> BuildResult:
    result = BuildResult(output=Path(request["output"]), seconds=0.0)
    errors: list[Problem] = []
    failure: dict | None = None
    done: dict | None = None
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.build.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=request["root"],
    )
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(json.dumps(request))
    proc.stdin.close()
    started = False
    try:
        for raw in proc.stdout:
            event = json.loads(raw)
            kind = event.pop("event")
            if kind == "start":
                progress.start(event["total"])
                started = True
            elif kind == "progress":
                progress.update(event["read"], event["written"], event["reused"])
            elif kind == "note":
                result.notes.append(event["message"])
            elif kind in ("warning", "error"):
                problem = Problem(event["path"] or "-", event["line"], event["message"])
                (errors if kind == "error" else result.warnings).append(problem)
            elif kind == "fail":
                failure = event
            elif kind == "done":
                done = event
    finally:
        if started:
            progress.stop()
        stderr = proc.stderr.read()
        code = proc.wait()
    if done is not None and failure is None:
        result.rendered, result.reused = done["rendered"], done["reused"]
        result.articles, result.pages = done["articles"], done["pages"]
        result.incremental = done["incremental"]
        return result
    if failure is None:
        tail = " ".join(stderr.strip().splitlines()[-3:])
        raise InputError(MSG("crashed", code=code, tail=tail))
    if failure.get("message"):
        errors.insert(0, Problem(failure["path"] or "-", failure["line"], failure["message"]))
    kind = ConfigError if failure["kind"] == "config" else InputError
    if len(errors) == 1:
        only = errors[0]
        raise kind(only.message, path=None if only.path == "-" else only.path, line=only.line)
    raise kind(MSG("failed"), problems=errors)
