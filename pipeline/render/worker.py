"""The build itself, run in a fresh process by ``runner`` (``pipeline.render.worker.main``).

A fresh process per build keeps Pelican's global signal registry and plugin state from leaking
between builds. The request comes as JSON on stdin; events go out as JSON lines on the file
descriptor named in the request, so Pelican's own console output cannot mix with them.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from pipeline.errors import TerbitError
from pipeline.i18n import Catalog, set_lang
from pipeline.render import cache, confine, fastpath, held, tuning
from pipeline.render.incremental import LocatedWriter, Session

PROFILE_ENV = "TERBIT_BUILD_PROFILE"  # a file for cProfile stats of the build, for tuning
GC_THRESHOLD = 50_000  # allocations between young-generation collections (Python's is 700)

MSG = Catalog(
    {
        "full_changed": (
            "Pengaturan, tema, plugin, atau versi Terbit berubah: membangun ulang seluruh situs.",
            "Settings, theme, plugins or Terbit version changed: rebuilding the whole site.",
        ),
        "full_corrupt": (
            "Cache build rusak atau tidak cocok: diabaikan, membangun ulang seluruh situs.",
            "The build cache is damaged or does not match: ignored, rebuilding the whole site.",
        ),
        "full_version": (
            "Cache build berasal dari versi Terbit lain: diabaikan, membangun ulang seluruh situs.",
            "The build cache comes from another Terbit version: ignored, rebuilding the whole "
            "site.",
        ),
        "full_output": (
            "Folder keluaran berbeda dari build sebelumnya: membangun ulang seluruh situs.",
            "The output folder differs from the last build: rebuilding the whole site.",
        ),
        "not_processed": ("tidak dapat diproses: {error}", "could not be processed: {error}"),
        "settings_error": (
            "pengaturan Pelican tidak dapat dimuat: {error}",
            "cannot load the Pelican settings: {error}",
        ),
        "template_error": ("kesalahan templat: {error}", "template error: {error}"),
        "build_error": ("build gagal: {error}", "build failed: {error}"),
        "stock": (
            "Jalur cepat Terbit ditulis untuk {known}, terpasang {found}: situs dibangun dengan "
            "Pelican biasa (hasil sama, lebih lambat, tanpa memakai ulang halaman).",
            "Terbit's fast path was written for {known}, installed is {found}: the site is "
            "built with plain Pelican (same pages, slower, no pages reused).",
        ),
        "clash": (
            "alamat {output} sudah dipakai halaman lain (slug yang sama, atau halaman bawaan "
            "seperti arsip, kategori, topik); pakai slug lain",
            "the address {output} is already used by another page (the same slug, or a "
            "built-in page such as arsip, kategori, topik); use another slug",
        ),
    }
)


class Events:
    """JSON lines to the parent. Progress goes as running totals at most every 100 ms: a line
    per page would cost seconds on a big site."""

    def __init__(
        self, stream: TextIO | None, direct: Callable[[str, dict], None] | None = None
    ) -> None:
        self._stream = stream
        self._direct = direct  # in the runner's own process: events go straight to it
        self._sent = 0.0
        self.counts = {"read": 0, "written": 0, "reused": 0}

    def send(self, event: str, **data: Any) -> None:
        if self._direct is not None:
            self._direct(event, data)
            return
        assert self._stream is not None
        self._stream.write(json.dumps({"event": event, **data}) + "\n")
        self._stream.flush()

    def count(self, key: str, reused: bool = False) -> None:
        self.counts[key] += 1
        self.counts["reused"] += reused
        now = time.monotonic()
        if now - self._sent > 0.1:
            self._sent = now
            self.send("progress", **self.counts)


def _located(error: BaseException, roots: list[Path]) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside one of ``roots`` (the theme, the settings file)."""
    filename = getattr(error, "filename", None)
    lineno = getattr(error, "lineno", None)
    if filename and lineno:
        return str(filename), int(lineno)
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(error.__traceback__):
        name = frame.f_code.co_filename
        if any(name.startswith(str(r)) for r in roots):
            found = (name, line)
    return found


def _relative(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return path


class LogCapture(logging.Handler):
    """Pelican's warnings and errors as located problems; the rest is dropped."""

    def __init__(self, events: Events, root: Path) -> None:
        super().__init__(logging.WARNING)
        self.events = events
        self.root = root
        self.content = root
        self.errors = 0
        self.skip_bad = False  # a content file's errors leave that file out (publication)

    def emit(self, record: logging.LogRecord) -> None:
        # Handlers run inside Pelican's ``except`` blocks: the exception is still current.
        # A refused file (``confine``) carries its located error with it.
        error = getattr(record, "terbit", None) or sys.exc_info()[1]
        path, line, message = None, None, record.getMessage()
        if isinstance(error, TerbitError):
            path, line, message = error.path, error.line, error.message
        elif error is not None and isinstance(record.args, tuple) and record.args:
            path = str(self.content / str(record.args[0]))  # "Could not process %s"
            message = MSG("not_processed", error=error)
        path = _relative(path, self.root) if path else None
        level = "error" if record.levelno >= logging.ERROR else "warning"
        if level == "error" and self.skip_bad and path and self._in_content(path):
            level = "skipped"  # Pelican leaves a file it could not read out of the site
        self.errors += level == "error"
        self.events.send(level, path=path, line=line, message=message)

    def _in_content(self, path: str) -> bool:
        content = os.path.relpath(self.content, self.root)
        return path.startswith(content + "/") or path == content


def _count_sources(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.suffix in {".md", ".markdown", ".html", ".rst"})


def _trusted_state(
    cache_dir: Path,
    key: str,
    where: str,
    full: bool,
    events: Events,
    known: dict[str, tuple[cache.Identity, str]] | None = None,
) -> cache.State | None:
    """The last build's state when it can be trusted for this build; says why when not."""
    if full:
        return None  # not even read
    state, note = None, None
    try:
        state = cache.load_state(cache_dir, known)
    except cache.StateProblem as problem:
        note = MSG(f"full_{problem}")
    if state is not None and state.key != key:
        state, note = None, MSG("full_changed")
    if state is not None and state.output != where:
        state, note = None, MSG("full_output")
    if note:
        events.send("note", message=note)
    return state


def _send_failure(error: Exception, theme: Path, conf: Path, root: Path, events: Events) -> None:
    """An exception out of Pelican as a located problem: the template, settings or draft."""
    path, line = _located(error, [theme, conf, root / "content"])
    kind = "config" if path and path.startswith(str(theme)) else "input"
    message = (
        MSG("template_error", error=error)
        if kind == "config"
        else MSG("build_error", error=f"{type(error).__name__}: {error}")
    )
    if isinstance(error, TerbitError):
        path, line, message = error.path, error.line, error.message
    if hasattr(error, "terbit_output"):  # see ``LocatedWriter.write_file``
        kind, message = "input", MSG("clash", output=error.terbit_output)
        path, line = getattr(error, "terbit_source", None), None
    events.send("fail", kind=kind, path=_relative(path, root), line=line, message=message)


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space: a draft that makes Markdown allocate without end
    fails with MemoryError (reported with its file), never the server."""
    if not megabytes:
        return
    import resource

    wanted = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def run(request: dict[str, Any], events: Events) -> None:
    root = Path(request["root"])
    # Nothing of the tree is code for this process but its settings files, loaded by path; the
    # working folder is outside the tree (see ``confine``).
    os.chdir(request["workdir"])
    guard = confine.guard_imports(
        root, [root / request["settings_file"], root / request["base_settings_file"]]
    )
    limit_memory(request.get("memory_mb"))
    # Started first, so removing the spare's files overlaps reading the settings and the caches.
    content = Path(request["content"]) if request.get("content") else None
    kept = Path(request["cache_dir"]) / tuning.STAMPS_FILE if request.get("cache_dir") else None
    clearing = (
        tuning.Clearing(Path(request["tmp"]), content, kept) if request.get("clear") else None
    )
    try:
        _build(request, events, clearing)
    finally:
        confine.drop_guard(guard)
        if clearing is not None:
            clearing.join()  # never leave with the child still removing files


class Counts:
    """Drafts read (for the progress), articles and pages (for the result), from Pelican's
    public signals. Its receivers are methods, known by name to ``fastpath``."""

    def __init__(self, reading: Callable[[], None]) -> None:
        self.reading = reading
        self.articles = 0
        self.pages = 0

    def read(self, content: Any) -> None:
        self.reading()

    def articles_done(self, generator: Any) -> None:
        self.articles = len(generator.articles)

    def pages_done(self, generator: Any) -> None:
        self.pages = len(generator.pages)

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        from pelican import signals

        pairs = [
            (signals.content_object_init, self.read),
            (signals.article_generator_finalized, self.articles_done),
            (signals.page_generator_finalized, self.pages_done),
        ]
        for signal, receiver in pairs:
            signal.connect(receiver)  # bound methods, held weakly: ``self`` outlives the build
        try:
            yield
        finally:
            for signal, receiver in pairs:
                signal.disconnect(receiver)


def _settings(request: dict[str, Any], events: Events) -> dict[str, Any] | None:
    """Pelican's settings from the tree's settings file, or None (the failure was sent)."""
    from pelican.settings import read_settings

    root = Path(request["root"])
    conf = root / request["settings_file"]
    try:
        return read_settings(
            str(conf),
            override={"OUTPUT_PATH": request["tmp"], "DELETE_OUTPUT_DIRECTORY": False},
        )
    except Exception as error:
        path, line = _located(error, [conf])
        events.send(
            "fail",
            kind="config",
            path=_relative(path or str(conf), root),
            line=line,
            message=MSG("settings_error", error=error),
        )
        return None


def _build(request: dict[str, Any], events: Events, clearing: tuning.Clearing | None) -> None:
    """The fast build (``fastpath``) on the versions it was written for; else Pelican's own."""
    others = fastpath.unsupported()
    if others:
        shown = ", ".join(f"{dist} {version}" for dist, version in sorted(others.items()))
        events.send("note", message=MSG("stock", found=shown, known=fastpath.written_for()))
        _build_stock(request, events, clearing)
    else:
        _build_fast(request, events, clearing)


def _run_pelican(
    pelican: Any, request: dict[str, Any], events: Events, capture: LogCapture
) -> bool:
    """Run ``pelican``; whether it built the site (a failure was sent when not)."""
    # Thousands of cached articles stay alive the whole build: with the default thresholds the
    # collector walks them again and again while pages are made (tenths of a second for nothing).
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        pelican.run()
    except Exception as error:
        root = Path(request["root"])
        theme = Path(pelican.settings["THEME"]).resolve()
        _send_failure(error, theme, root / request["settings_file"], root, events)
        return False
    finally:
        gc.set_threshold(*thresholds)
    if capture.errors:
        events.send("fail", kind="input", path=None, line=None, message="")
        return False
    return True


def _capture(request: dict[str, Any], events: Events, settings: dict[str, Any]) -> LogCapture:
    capture = LogCapture(events, Path(request["root"]))
    capture.content = Path(settings["PATH"])
    capture.skip_bad = bool(request.get("skip_bad"))
    logging.getLogger().addHandler(capture)
    logging.getLogger().setLevel(logging.WARNING)
    return capture


def _build_stock(request: dict[str, Any], events: Events, clearing: tuning.Clearing | None) -> None:
    """Pelican's own generators and writer, confined (``confine``): every page rendered, on
    one core, no content cache. The pages are the fast build's."""
    from pelican import Pelican, signals

    root, tmp, staging = Path(request["root"]), Path(request["tmp"]), Path(request["staging"])
    settings = _settings(request, events)
    if settings is None:
        return
    settings.update(
        CACHE_CONTENT=False,
        LOAD_CONTENT_CACHE=False,
        TERBIT_DRAFT_SECONDS=request.get("draft_seconds"),
        TERBIT_HISTORY=request.get("history") or {},
        TERBIT_EMBARGOED=request.get("embargoed") or [],
    )
    if clearing is not None:
        clearing.wait()  # the spare's old files are gone before Pelican writes
    capture = _capture(request, events, settings)
    counts = Counts(lambda: events.count("read"))

    def provide_writer(pelican: Any) -> type:
        return LocatedWriter

    signals.get_writer.connect(provide_writer)
    unconfine = confine.confine_generators()
    try:
        pelican = Pelican(settings)
        key = cache.build_key(pelican.settings, root / request["settings_file"])
        events.send("start", total=_count_sources(Path(pelican.settings["PATH"])))
        with counts.connected():
            ok = _run_pelican(pelican, request, events, capture)
    finally:
        unconfine()
        signals.get_writer.disconnect(provide_writer)
        logging.getLogger().removeHandler(capture)
    if not ok:
        return
    if clearing is not None:
        tuning.prune(clearing.folders, set())  # rmdir keeps every folder that holds a file
    written = sum(len(files) for _, _, files in os.walk(tmp))
    where = os.path.relpath(request["output"], root)
    # No record of pages and no content cache (the runner drops the old one): the next fast
    # build reads and renders everything once.
    cache.save_state(staging, cache.State(key=key, output=where))
    events.counts["written"] = written
    events.send("progress", **events.counts)
    events.send(
        "done",
        rendered=written,
        reused=0,
        incremental=False,
        articles=counts.articles,
        pages=counts.pages,
    )


def _build_fast(request: dict[str, Any], events: Events, clearing: tuning.Clearing | None) -> None:
    root = Path(request["root"])
    conf = root / request["settings_file"]
    tmp, final = Path(request["tmp"]), Path(request["output"])
    cache_dir, staging = Path(request["cache_dir"]), Path(request["staging"])
    kept = held.current(cache_dir)  # a fork of the warm process: its caches are loaded
    settings = _settings(request, events)
    if settings is None:
        return
    if kept is not None:
        settings = kept.adopt(settings)  # the very dictionary the held articles refer to
    settings.update(
        CACHE_CONTENT=True,
        CACHE_PATH=str(cache_dir / cache.PELICAN_DIR),
        TERBIT_THUMB_CACHE=str(cache_dir / cache.THUMB_DIR),
        TERBIT_HISTORY=request.get("history") or {},
        TERBIT_EMBARGOED=request.get("embargoed") or [],
        CHECK_MODIFIED_METHOD="md5",
        GZIP_CACHE=False,
        TERBIT_DRAFT_SECONDS=request.get("draft_seconds"),
        # Whole articles are cached, unless future-dated articles turn into drafts at load time.
        CONTENT_CACHING_LAYER="generator" if settings.get("WITH_FUTURE_DATES", True) else "reader",
        # Pelican must not load its caches itself: ours store the settings by reference.
        LOAD_CONTENT_CACHE=False,
    )
    where = os.path.relpath(final, root)
    capture = _capture(request, events, settings)
    session = Session(
        output=tmp,
        previous=None,
        previous_files={},
        settings=settings,
        reads_context=fastpath.reads_context,
        content_names=fastpath.CONTENT_NAMES,
        on_write=lambda path, reused: events.count("written", reused),
        on_read=lambda: events.count("read"),
        on_fork=lambda job, items, ok: events.send("fork", job=job, items=items, ok=ok),
    )
    if kept is not None:
        session.digester.take_ahead(kept.ahead)
    counts = Counts(lambda: session.on_read())
    plan = fastpath.Plan(session=session, staging=staging / cache.PELICAN_DIR, load=False)
    plan.clearing = clearing
    plan.held = kept
    unconfine = confine.confine_generators()
    try:
        with fastpath.installed_for(plan) as make_pelican:
            pelican = make_pelican(settings)
            key = cache.build_key(pelican.settings, conf)
            # After the key: the cache's folder is the key's, not part of what the key covers.
            pelican.settings["JINJA_ENVIRONMENT"] = {
                **pelican.settings["JINJA_ENVIRONMENT"],
                "bytecode_cache": cache.compiled_templates(cache_dir, key),
            }
            known = kept.known() if kept is not None else None
            full = bool(request.get("full"))
            state = _trusted_state(cache_dir, key, where, full, events, known)
            plan.load = state is not None
            if state is not None:
                plan.trusted = state.pelican
                session.continue_from(final if final.is_dir() else None, state)
            # Unchanged articles come from the cache unread: only a full build reads them all.
            total = 0 if state is not None else _count_sources(Path(pelican.settings["PATH"]))
            events.send("start", total=total)
            with counts.connected():
                ok = _run_pelican(pelican, request, events, capture)
    finally:
        unconfine()
        logging.getLogger().removeHandler(capture)
    if not ok:
        return
    if clearing is not None:
        # The folders of pages that are gone (pages written by a fork are in the digests).
        used = plan.folders | {os.path.dirname(os.path.join(tmp, rel)) for rel in session.digests}
        tuning.prune(clearing.folders, used)
    pelican_files = {}
    for file in sorted((staging / cache.PELICAN_DIR).glob("*")):
        old = cache_dir / cache.PELICAN_DIR / file.name
        if state and file.name in state.pelican and old.exists() and file.samefile(old):
            # A link to the file ``load_state`` checked against this very digest.
            pelican_files[file.name] = state.pelican[file.name]
        else:
            pelican_files[file.name] = cache.file_sha(file)
    cache.save_state(
        staging,
        cache.State(
            key=key,
            output=where,
            files=session.records(),
            pelican=pelican_files,
            templates=session.needs.parsed if session.needs else session.templates,
        ),
    )
    events.send("progress", **events.counts)
    events.send(
        "done",
        rendered=session.rendered,
        reused=session.reused,
        incremental=state is not None,
        articles=counts.articles,
        pages=counts.pages,
        held=plan.used_held,
        ahead=session.digester.ahead_used,
    )


def main() -> None:
    request = json.loads(sys.stdin.read())
    set_lang(request.get("lang"))
    stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # Pelican's own console messages go to stderr, away from the events
    events = Events(stream)
    profile = os.environ.get(PROFILE_ENV)
    try:
        if profile:
            import cProfile

            cProfile.runctx("run(request, events)", globals(), locals(), profile)
        else:
            run(request, events)
    except TerbitError as error:
        send_error(error, events)
    stream.close()


def run_reporting(request: dict[str, Any], events: Events) -> None:
    """``run``, with a located error raised out of it sent as the failure event (a fork's
    build: the runner's, the warm process's)."""
    try:
        run(request, events)
    except TerbitError as error:
        send_error(error, events)


def send_error(error: TerbitError, events: Events) -> None:
    """A located error raised out of the build (settings, roles) as the failure event."""
    kind = "input" if error.exit_code == 1 else "config"
    events.send("fail", kind=kind, path=error.path, line=error.line, message=error.message)


if __name__ == "__main__":
    main()
