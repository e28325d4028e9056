"""The fast build's only contact with Pelican's, Jinja's and blinker's internals.

The incremental, two-core build needs a few things Pelican has no public hook for: its
generators' caches and file stamps, the writer's file opening and its record of files written,
the taxonomy and archive ordering (quadratic in Pelican 4.12), a few module-wide functions
(``process_translations``, ``Content.url``, ``os.makedirs``), the log filter's memory, blinker's
receiver lists and Jinja's context-passing marker. Every one of them is touched here and nowhere
else, and only on the versions this module was written for (``SUPPORTED``). On any other
version ``unsupported`` says why and the worker builds with Pelican's own generators and writer:
the same site, slower (no reuse of pages, one core).

What the fast build shares with Pelican's objects goes in explicit objects (``Plan``, the
writer's ``Session``), never through the settings or class variables. Public signals are used
where Pelican has them (``get_writer``).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import pickle
import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import posixize_path, sanitised_join
from pelican.writers import FileOverwriteFailedError

from pipeline.render import cache, held, readahead, split
from pipeline.render.fingerprint import ContentNames, Digester
from pipeline.render.incremental import (
    LocatedWriter,
    Session,
    Sink,
    Tracked,
    replace_with_link,
    unusual_name,
)
from pipeline.render.tuning import Clearing

# The versions this module was written for (distribution -> release prefixes).
SUPPORTED: dict[str, tuple[str, ...]] = {
    "pelican": ("4.12.",),
    "jinja2": ("3.1.",),
    "blinker": ("1.9.",),
}

DELTA_SUFFIX = cache.DELTA_SUFFIX
DELTA_MIN = 200  # entries a delta may hold before it is folded into a new base ...
DELTA_SHARE = 0.05  # ... or this share of all entries, when that is more
logger = logging.getLogger(__name__)


def installed() -> dict[str, str]:
    """The installed version of each distribution in ``SUPPORTED``."""
    found = {}
    for dist in SUPPORTED:
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found[dist] = "none"
    return found


def unsupported() -> dict[str, str]:
    """The installed distributions this module was not written for ({} when all are)."""
    return {
        dist: version
        for dist, version in installed().items()
        if not version.startswith(SUPPORTED[dist])
    }


def written_for() -> str:
    """``pelican 4.12, jinja2 3.1, ...``: the versions, for messages."""
    return ", ".join(f"{d} {' / '.join(v.rstrip('.') for v in s)}" for d, s in SUPPORTED.items())


# Pelican's content objects: the shared site state they hold, and their raw body.
# ``late``: what Terbit's plugins set on every article in every build (``history``,
# ``theme_text``, ``thumbnails``), digested apart from what the cache holds (``held``).
CONTENT_NAMES = ContentNames(
    shared=frozenset({"_context", "_summary_cache"}),
    body="_content",
    late=frozenset({"versions", "correction", "newer_article", "older_article", "thumbnail"}),
    wrapper=("_name", "_slug"),  # ``URLWrapper.name`` and ``slug`` (made once, then kept)
)


def static_links(content: Any) -> set[str]:
    """Pelican's ``get_static_links()`` of ``content``: the files its body links with
    ``{static}``/``{attach}``. With Pelican's own link syntax (``INTRASITE_LINK_REGEX``) a
    link needs a ``{`` or a ``|``; most articles have neither, and the search over every
    article's HTML costs a build at 5,000 articles 30 ms, where looking for them costs 4."""
    body = getattr(content, CONTENT_NAMES.body, None)
    settings = getattr(content, "settings", None) or {}
    if (
        isinstance(body, str)
        and settings.get("INTRASITE_LINK_REGEX") == DEFAULT_CONFIG["INTRASITE_LINK_REGEX"]
        and "{" not in body
        and "|" not in body
    ):
        return set()
    return content.get_static_links()


# -- blinker and Jinja ---------------------------------------------------------------------------


def _name(receiver: Any) -> str:
    return f"{getattr(receiver, '__module__', '')}.{getattr(receiver, '__qualname__', '')}"


def receiver_names(signal: Any) -> set[str]:
    """``module.qualname`` of every function connected to a blinker ``signal``."""
    names = set()
    for kept in signal.receivers.values():
        receiver = kept() if isinstance(kept, weakref.ReferenceType) else kept
        names.add(_name(receiver))
    return names


def reads_context(value: object) -> bool:
    """Whether a Jinja filter, global or test receives the whole template context (and so
    may read anything): marked with Jinja's ``pass_context``, outside Jinja itself."""
    from jinja2.utils import _PassArg

    if not callable(value) or isinstance(value, type):
        return False
    try:
        marked = value.jinja_pass_arg is _PassArg.context  # type: ignore[attr-defined]
    except Exception:  # objects with a custom __getattr__ (string tables) are not filters
        return False
    return marked and not str(getattr(value, "__module__", "")).startswith("jinja2")


# Receivers of the reading signals that only look at or change the article being read.
KNOWN_READERS = frozenset(
    {
        "pipeline.render.plugins.sanitizing.clean_content",
        "pipeline.render.worker.Counts.read",  # counts drafts read, for the progress
    }
)
READING_SIGNALS = (
    signals.article_generator_preread,
    signals.article_generator_context,
    signals.content_object_init,
)
# Receivers of ``article_writer_finalized`` that read the site model only, never a page
# written before: they may run while the fork still writes.
MODEL_ONLY = frozenset(
    {
        "pipeline.render.plugins.search_index.write_index",
        "pipeline.render.plugins.sitemap.write_sitemap",
    }
)


def may_read_ahead(missing: int) -> bool:
    """Drafts may be read in a fork when every reading receiver is known to keep nothing."""
    return (
        hasattr(os, "fork")
        and missing >= split.MIN_PAGES
        and all(receiver_names(sent) <= KNOWN_READERS for sent in READING_SIGNALS)
    )


def finalize_articles(generator: Any, writer: Any, join: Callable[[], None]) -> None:
    """Send ``article_writer_finalized`` around the fork's ``join``: the receivers that read
    the site model only (search index, sitemap) run while the fork still writes, every other
    one after it (it may read the pages the fork writes), each in its order of connection."""
    receivers = list(signals.article_writer_finalized.receivers_for(generator))
    later = [r for r in receivers if _name(r) not in MODEL_ONLY]
    for receiver in receivers:
        if _name(receiver) in MODEL_ONLY:
            receiver(generator, writer=writer)
    join()
    for receiver in later:
        receiver(generator, writer=writer)


def can_split(writer: Any, items: list[Any]) -> bool:
    """Whether article pages may be written by a fork: nobody listens while pages are
    written, and no article overrides another page."""
    return (
        hasattr(os, "fork")
        and len(items) >= split.MIN_PAGES
        and isinstance(writer, FastWriter)
        and not signals.article_generator_write_article.receivers
        and not signals.content_written.receivers
        and not any(hasattr(item, "override_save_as") for item in items)
    )


@contextlib.contextmanager
def forgetting_logged() -> Iterator[None]:
    """Pelican logs a message once (``LimitFilter``): whatever it noted inside is forgotten
    again, so its own loop says it, in order."""
    from pelican.log import LimitFilter

    raised = set(LimitFilter._raised_messages)
    groups = dict(LimitFilter._group_count)
    try:
        yield
    finally:
        LimitFilter._raised_messages.clear()
        LimitFilter._raised_messages.update(raised)
        LimitFilter._group_count.clear()
        LimitFilter._group_count.update(groups)


# -- module-wide costs ---------------------------------------------------------------------------


def linear_translations() -> None:
    """Pelican's ``process_translations`` ends with ``x not in index`` over lists: quadratic
    (a quarter of a second at 5,000 articles, every build). The same function called once per
    translation group gives the same lists, in the same order, and the same ``translations``;
    an article alone in its group and not marked as a translation is its own answer."""
    from itertools import groupby
    from operator import attrgetter

    import pelican.generators

    original = pelican.generators.process_translations

    def per_group(content_list: list[Any], translation_id: Any = None) -> Any:
        if not translation_id:
            return original(content_list, translation_id)
        ids = {translation_id} if isinstance(translation_id, str) else translation_id
        try:
            content_list.sort(key=attrgetter(*ids))  # in place, as Pelican does
        except (TypeError, AttributeError):
            return original(content_list, translation_id)  # its own error message
        index: list[Any] = []
        translations: list[Any] = []
        for _, items in groupby(content_list, attrgetter(*ids)):
            group = list(items)
            if len(group) == 1 and "translation" not in group[0].metadata:
                # Pelican's answer for an article alone in its group, without its per-group
                # strings and lists (5,000 groups a build: 30-50 ms, now a few).
                group[0].translations = []
                index.append(group[0])
                continue
            origs, extra = original(group, translation_id)
            index += origs
            translations += extra
        return index, translations

    pelican.generators.process_translations = per_group


def memoize_urls() -> None:
    """``url`` and ``save_as`` of articles and pages are formatted from settings on every
    access (tens of thousands of times on a big site); once output starts they cannot change."""
    from pelican.contents import Content

    memo: dict[tuple[int, str], tuple[Any, str]] = {}
    for name in ("url", "save_as"):
        compute = Content.__dict__[name].fget

        def cached(self: Any, _compute: Any = compute, _name: str = name) -> str:
            key = (id(self), _name)
            hit = memo.get(key)
            if hit is None or hit[0] is not self:
                hit = (self, _compute(self))
                memo[key] = hit
            return hit[1]

        setattr(Content, name, property(cached))


def untagged_text_unchanged() -> None:
    """Pelican's ``_update_content`` rewrites intrasite links, which its pattern finds only
    inside a tag (it starts with ``<``); it runs on every summary of every build (5,000 a
    build, each pattern built again): a text without ``<`` is its own answer."""
    update = Content._update_content

    def updated(self: Any, content: str, siteurl: str) -> str:
        if isinstance(content, str) and "<" not in content:
            return content
        return update(self, content, siteurl)

    Content._update_content = updated


def memoize_relative_paths() -> None:
    """Pelican turns an article's source path into one relative to the content folder (two
    ``abspath`` and a ``relpath``) on every URL it formats; the answer depends on nothing else
    (the worker's folder does not change once the build starts). A normalised absolute path
    under a normalised absolute content folder is simply cut."""
    compute = Content.get_relative_source_path
    memo: dict[tuple[str, str], str | None] = {}
    normpath = os.path.normpath

    def relative(self: Any, source_path: str | None = None) -> str | None:
        path = source_path or self.source_path
        if path is None:
            return None
        base = self.settings["PATH"]
        key = (path, base)
        if key not in memo:
            prefix = base + "/"
            if (
                path.startswith(prefix)
                and base.startswith("/")
                and normpath(base) == base
                and normpath(path) == path
            ):
                memo[key] = path[len(prefix) :]
            else:
                memo[key] = compute(self, path)
        return memo[key]

    Content.get_relative_source_path = relative


@contextlib.contextmanager
def remembered_folders(existing: set[str], asked: set[str]) -> Iterator[None]:
    """Pelican asks for every page's folder to be made; on a big site they exist already (the
    spare tree's ``existing`` folders, or made for an earlier page), and each failed mkdir is
    a few system calls. The folders asked for go to ``asked`` (pages were written there)."""
    real = os.makedirs

    def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
        key = os.fspath(name)
        asked.add(key)
        if exist_ok and key in existing:
            return
        real(name, mode, exist_ok)
        existing.add(key)

    os.makedirs = makedirs
    try:
        yield
    finally:
        os.makedirs = real


# -- the build -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one fast build shares with its generators and writer."""

    session: Session  # the writer's state: page digests, counts, the previous site
    staging: Path  # where Pelican's caches of this build go (kept when the build succeeds)
    load: bool  # whether the last build's caches are trusted
    clearing: Clearing | None = None  # the child emptying the spare tree (see ``tuning``)
    folders: set[str] = field(default_factory=set)  # folders pages were written to
    held: held.Held | None = None  # the caches the warm process holds loaded (``held``)
    trusted: dict[str, str] = field(default_factory=dict)  # cache file -> SHA-256 (the state)
    used_held: bool = False  # whether a held cache was used

    def stamp(self, path: str) -> bytes | None:
        """A content file's MD5 as the clearing child read it ahead, if it did. Asked for at
        the first file Pelican checks, not before: the generators load their caches while the
        child still reads (a tenth of a second at 5,000 drafts)."""
        return self.clearing.stamps().get(path) if self.clearing is not None else None

    def before_output(self) -> None:
        """Once the site model is final, before the first page: the spare tree is empty."""
        if self.clearing is not None:
            self.clearing.wait()
        memoize_urls()  # content is final from here on; Pelican recomputes URLs per use


@contextlib.contextmanager
def installed_for(plan: Plan) -> Iterator[Callable[[dict[str, Any]], Pelican]]:
    """Install the fast path for one build; yields what makes its ``Pelican``."""
    memoize_relative_paths()
    linear_translations()
    untagged_text_unchanged()
    existing: set[str] = set()

    def provide_writer(pelican: Any) -> type:
        plan.before_output()
        if plan.clearing is not None:
            existing.update(plan.clearing.folders)
        session = plan.session

        class BuildWriter(FastWriter):
            def __init__(self, output_path: str, settings: Any = None) -> None:
                super().__init__(output_path, settings=settings, session=session)

        return BuildWriter

    signals.get_writer.connect(provide_writer, weak=False)
    try:
        with remembered_folders(existing, plan.folders):
            yield partial(FastPelican, plan=plan)
    finally:
        signals.get_writer.disconnect(provide_writer)


class FastPelican(Pelican):
    """Pelican with the generators below in place of its own."""

    def __init__(self, settings: dict[str, Any], plan: Plan) -> None:
        self.plan = plan
        super().__init__(settings)

    def _get_generator_classes(self) -> list[Any]:
        fast = {ArticlesGenerator: FastArticlesGenerator, PagesGenerator: FastPagesGenerator}
        return [
            partial(fast[c], plan=self.plan) if c in fast else c
            for c in super()._get_generator_classes()
        ]


# -- caches ----------------------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    """Stores the settings and the shared context by reference: they are the same for every
    entry, belong to the build rather than to one file, and hold functions (Jinja filters)."""

    def __init__(self, file: Any, shared: dict[str, Any]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(v): k for k, v in shared.items()}

    def persistent_id(self, obj: Any) -> str | None:
        return self._ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, shared: dict[str, Any]) -> None:
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid: Any) -> Any:
        if pid not in self._shared:
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self._shared[pid]


def _load(path: Path, shared: dict[str, Any]) -> Any:
    with path.open("rb") as handle:
        return _Unpickler(handle, shared).load()


def context_holders(entries: dict[str, Any], context: dict[str, Any]) -> list[Any]:
    """The cached contents whose context is ``context`` (``held``): Pelican's ``_context``."""
    found = []
    for value in entries.values():
        pair = isinstance(value, tuple) and len(value) == 2
        if pair and getattr(value[1], "_context", None) is context:
            found.append(value[1])
    return found


def hold(folder: Path) -> bool:
    """In the warm process, between builds: hold the caches of the build cache ``folder``, and
    the own digests of their articles as loaded (each checked in the build before it is used)."""
    return held.hold(folder, context_holders, digests_ahead)


def digests_ahead(entries: dict[str, Any]) -> dict[int, Any]:
    """The own digests of the cached contents that can be computed before a build."""
    digester = Digester(CONTENT_NAMES)
    found = {}
    for value in entries.values():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], Content):
            ahead = digester.ahead(value[1])
            if ahead is not None:
                found[id(value[1])] = ahead
    return found


class _StagedCache:
    """A generator's (or its readers') content cache: loaded from CACHE_PATH when the runner
    trusts it, saved to the build's staging folder.

    A cache is a base file plus, once a build changed a few entries, a delta file with every
    entry changed since the base: a publication then writes a few articles, not thousands
    (a tenth of a second and 16 MB at 5,000 articles). A big delta is folded into a new base.
    """

    def __init__(self, cacher: Any, shared: dict[str, Any], plan: Plan) -> None:
        self.cacher = cacher
        self.shared = shared
        self.name = os.path.basename(cacher._cache_path)
        self.source = Path(cacher.settings["CACHE_PATH"]) / self.name
        self.target = plan.staging / self.name
        self.loaded = False
        self.carried: set[str] = set()  # entries of the delta loaded, still newer than the base
        self.changed: set[str] = set()
        self.saving: tuple[split.Forked, Path] | None = None
        cacher._cache = {}
        source_delta = self.source.with_name(self.name + DELTA_SUFFIX)
        if cacher._cache_data_policy and plan.load and self.source.is_file():
            try:
                kept = None
                if plan.held is not None:
                    sha = plan.trusted.get(self.name)
                    kept = plan.held.take(self.source, sha, shared["settings"])
                if kept is not None:  # loaded already by the warm process
                    cacher._cache = dict(kept.entries)
                    for content in kept.holders:
                        content._context = shared["context"]
                    plan.used_held = True
                else:
                    cacher._cache = _load(self.source, shared)
                if source_delta.is_file():
                    delta = _load(source_delta, shared)
                    cacher._cache.update(delta)
                    self.carried = set(delta)
                self.loaded = True
            except Exception as error:  # a damaged cache costs time, never correctness
                cacher._cache, self.carried = {}, set()
                logger.warning("cache %s ignored: %s", self.source, error)
        store = cacher.cache_data

        def cache_data(filename: str, data: Any) -> None:
            self.changed.add(filename)
            store(filename, data)

        cacher.cache_data = cache_data
        cacher.save_cache = self.save
        # ``cached`` checks every entry before Pelican's loop asks for it again: the loop takes
        # what was found there (once), not the file's stamp a second time (5,000 a build).
        self.found: dict[str, Any] = {}
        get = cacher.get_cached_data

        def get_cached_data(filename: str, default: Any = None) -> Any:
            data = self.found.pop(filename, None)
            return get(filename, default) if data is None else data

        cacher.get_cached_data = get_cached_data

    @property
    def whole(self) -> bool:
        """Whether whole articles are cached here (the generator layer)."""
        return bool(self.cacher._cache_data_policy)

    def cached(self, filename: str) -> bool:
        data = self.cacher.get_cached_data(filename, None)
        if data is not None:
            self.found[filename] = data
        return data is not None

    def store_read(self, filename: str, stamp: Any, data: Any) -> None:
        """An entry read ahead (``readahead``), with the stamp of the file as it was read."""
        if self.cacher._cache_data_policy:
            self.changed.add(filename)
            self.cacher._cache[filename] = (stamp, data)

    def _dump(self, entries: dict[str, Any], path: Path) -> None:
        try:
            with path.open("wb") as handle:
                _Pickler(handle, self.shared).dump(entries)
        except Exception as error:  # an unpicklable plugin value: next build reads again
            path.unlink(missing_ok=True)
            logger.warning("cache %s not saved: %s", path, error)

    def save(self) -> None:
        cache = self.cacher._cache
        if not self.cacher._cache_data_policy:
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        newer = self.carried | self.changed
        if self.loaded and len(newer) <= max(DELTA_MIN, len(cache) * DELTA_SHARE):
            os.link(self.source, self.target)  # the base as it is
            if newer:
                entries = {key: cache[key] for key in sorted(newer)}
                self._dump(entries, self.target.with_name(self.name + DELTA_SUFFIX))
            return
        if len(cache) < split.MIN_PAGES or not hasattr(os, "fork"):
            self._dump(cache, self.target)
            return
        # Thousands of articles take a tenth of a second to pickle: a fork does it while the
        # pages are written; ``generate_output`` collects it before the build counts as done.
        self.saving = (split.in_fork(lambda: self._dump(cache, self.target)), self.target)

    def wait_saved(self) -> None:
        saving, self.saving = self.saving, None
        if saving is not None and not saving[0].wait():
            saving[1].unlink(missing_ok=True)  # a half-written cache is never kept
            logger.warning("cache %s not saved", saving[1])


class _Staged:
    """A generator whose content caches are staged (``_StagedCache``), whose file stamps come
    from those read ahead, and which waits, once its pages are written, for the fork saving
    its cache."""

    plan: Plan
    staged: _StagedCache | None = None
    settings: dict[str, Any]
    context: dict[str, Any]
    path: str

    def _stage(self) -> None:
        if not self.settings.get("CACHE_CONTENT"):
            return
        shared = {"settings": self.settings, "context": self.context}
        # With the generator layer, whole articles are cached (read, initialised, sanitised).
        self.staged = _StagedCache(self, shared, self.plan)
        _StagedCache(self.readers, shared, self.plan)  # type: ignore[attr-defined]

    def _get_file_stamp(self, filename: str) -> Any:
        if self.settings.get("CHECK_MODIFIED_METHOD") == "md5":
            stamp = self.plan.stamp(os.path.join(self.path, filename))
            if stamp is not None:
                return stamp
        return super()._get_file_stamp(filename)  # type: ignore[misc]

    def generate_output(self, writer: Any) -> None:
        try:
            super().generate_output(writer)  # type: ignore[misc]
        finally:
            self._wait_saved()

    def _wait_saved(self) -> None:
        if self.staged is not None:
            self.staged.wait_saved()


class FastPagesGenerator(_Staged, PagesGenerator):
    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)
        self._stage()


class FastArticlesGenerator(_Staged, ArticlesGenerator):
    """Pelican's articles generator: drafts read and pages written on both cores, taxonomy
    pages and archives ordered in linear time."""

    get_files: Callable[..., set[str]]  # the confined walk (``confine``), set on the instance
    articles: list[Any]
    translations: list[Any]
    hidden_articles: list[Any]
    hidden_translations: list[Any]
    dates: list[Any]

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)
        self._stage()

    def generate_context(self) -> None:
        """Pelican's, after the drafts its cache lacks were read on both cores (``readahead``)."""
        staged = self.staged
        if staged is None or not staged.whole:
            super().generate_context()
            return
        paths, exclude = self.settings["ARTICLE_PATHS"], self.settings["ARTICLE_EXCLUDES"]
        files = self.get_files(paths, exclude=exclude)  # Pelican's own first call
        missing = sorted(f for f in files if not staged.cached(f))
        if may_read_ahead(len(missing)):
            shared = {"settings": self.settings, "context": self.context}
            found = readahead.read_ahead(
                missing,
                self._read_silently,
                lambda handle: _Pickler(handle, shared),
                lambda handle: _Unpickler(handle, shared),
                self.plan.session,
            )
            for name, stamp, article in found:
                staged.store_read(name, stamp, article)
        walk = self.get_files  # the confined walk (``confine``), done once above

        def walked(p: Any, exclude: Any = None, extensions: Any = None) -> set[str]:
            if (p, exclude, extensions) == (paths, self.settings["ARTICLE_EXCLUDES"], None):
                return set(files)
            return walk(p, exclude, extensions)

        self.get_files = walked
        try:
            super().generate_context()
        finally:
            self.get_files = walk

    def _read_silently(self, name: str) -> tuple[Any, Any] | None:
        """``(stamp, article)`` when ``name`` reads into a valid article and nothing is said
        (Pelican's loop reads it again otherwise, and reports it once)."""
        stamp = self._get_file_stamp(name)  # before reading: a later edit reads again
        with readahead.quiet() as said, forgetting_logged():
            try:
                article = self.readers.read_file(  # the call of Pelican's own loop
                    base_path=self.path,
                    path=name,
                    content_class=Article,
                    context=self.context,
                    preread_signal=signals.article_generator_preread,
                    preread_sender=self,
                    context_signal=signals.article_generator_context,
                    context_sender=self,
                )
            except Exception:
                return None
            if not isinstance(article, Article) or not article.is_valid() or said.said:
                return None
        return stamp, article

    def generate_output(self, writer: Any) -> None:
        """Pelican's feeds, pages of articles, archives and lists; on a big site on both cores:
        a fork writes most article pages and the topic pages, this process the rest."""
        items = [*self.translations, *self.articles, *self.hidden_translations]
        items += self.hidden_articles
        if not can_split(writer, items):
            super().generate_output(writer)
            return
        try:
            self._split_output(writer, items)
        finally:
            self._wait_saved()

    def _split_output(self, writer: FastWriter, items: list[Any]) -> None:
        # Pelican's ``generate_output`` and ``generate_pages``: the same ``write``, the same
        # steps, shared between two processes.
        # The fork writes the topic pages and article pages; this process the other lists,
        # the search index and sitemap, then article pages until none is left (``split``).
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        share = split.Share(
            items,
            writer.session,
            writer.files,
            self.context,
            partial(self._write_articles, write),
            partial(self.generate_tags, write),
        )
        try:
            share.send_digests()
            self.generate_feeds(writer)  # while the fork computes its half of the digests
            share.receive_digests()
            self.generate_period_archives(write)
            self.generate_direct_templates(write)
            self.generate_categories(write)
            self.generate_authors(write)
            self.generate_drafts(write)
            finalize_articles(self, writer, share.finish)
        except BaseException:
            share.abandon()
            raise
        share.join()

    def _write_articles(self, write: Callable, part: list[Any]) -> None:
        """Pelican's own loop over article pages, over ``part`` only (the order in which pages
        are written does not change them)."""
        saved = (self.translations, self.articles, self.hidden_translations, self.hidden_articles)
        self.translations, self.articles, self.hidden_translations = [], part, []
        self.hidden_articles = []
        try:
            self.generate_articles(write)
        finally:
            self.translations, self.articles, self.hidden_translations = saved[:3]
            self.hidden_articles = saved[3]

    def _by_date(self, articles: Iterable[Any]) -> list[Any]:
        if getattr(self, "_positions", None) is None:
            self._positions = {id(a): i for i, a in enumerate(self.dates)}
        position = self._positions
        unique = {id(a): a for a in articles}
        return sorted(unique.values(), key=lambda a: position[id(a)])

    def _taxonomy(
        self, kind: str, groups: Iterable[tuple[Any, list[Any]]], key: str, write: Callable
    ) -> None:
        template = self.get_template(kind)
        for wrapper, articles in groups:
            try:
                write(
                    wrapper.save_as,
                    template,
                    self.context,
                    url=wrapper.url,
                    articles=articles,
                    dates=self._by_date(articles),
                    template_name=kind,
                    blog=True,
                    page_name=wrapper.page_name,
                    all_articles=self.articles,
                    **{key: wrapper},
                )
            except FileOverwriteFailedError:
                if wrapper.slug:
                    raise  # a real clash of two pages; an empty slug is skipped, as Pelican does

    def _build_period_archives(self, sorted_articles: Any, articles: Any, settings: Any) -> Any:
        """Pelican's period archives, without its quadratic ``a in dates`` filter."""
        archives = super()._build_period_archives(sorted_articles, [], settings)
        for periods in archives.values():
            for period in periods:
                members = {id(a) for a in period["dates"]}
                period["articles"] = [a for a in articles if id(a) in members]
        return archives

    def generate_tags(self, write: Callable) -> None:
        self._taxonomy("tag", self.tags.items(), "tag", write)

    def generate_categories(self, write: Callable) -> None:
        self._taxonomy("category", self.categories, "category", write)

    def generate_authors(self, write: Callable) -> None:
        self._taxonomy("author", self.authors, "author", write)


# -- the writer ----------------------------------------------------------------------------------


class WrittenFiles:
    """Pelican's writer's record of the files it wrote (its duplicate check), for a fork's
    pages to be added to it."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def current(self) -> set[str]:
        return set(self._writer._written_files)

    def clash(self, paths: set[str]) -> set[str]:
        return paths & self._writer._written_files

    def add(self, paths: set[str]) -> None:
        self._writer._written_files |= paths


class FastWriter(LocatedWriter):
    """Pelican's writer, with renders skipped and unchanged files linked from the last build
    (see ``incremental``)."""

    def __init__(self, output_path: str, settings: Any = None, *, session: Session) -> None:
        super().__init__(output_path, settings=settings)
        self.session = session
        self.files = WrittenFiles(self)
        self._base: str | None = None

    def _join(self, name: str) -> str:
        """``sanitised_join(self.output_path, name)``; a plain name is simply appended."""
        if unusual_name(name):
            return sanitised_join(self.output_path, name)
        if self._base is None:
            self._base = posixize_path(os.path.abspath(self.output_path))
        return f"{self._base}/{name}"

    def reuse(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: Any = None,
        template_name: str | None = None,
        override_output: bool = False,
        **kwargs: Any,
    ) -> bool:
        """Link the page ``write_file`` would write, when it is unchanged, without Pelican's
        copy of the context and its writer's round trip (a third of the cost of a page);
        False when it must go through ``write_file``.

        Only for pages without pagination or override, and when no plugin listens to
        ``content_written``. The values Pelican's writer adds to a page's context are added
        here the same way (``localsiteurl``, ``SITEURL``, ``output_file``), so the digest is
        the one ``write_file`` records, and the site's ``localsiteurl`` moves on as there."""
        session = self.session
        if not name or name not in session.previous_files:
            return False
        if override_output or signals.content_written.receivers:
            return False
        if paginated is None:
            paginated = {key: kwargs[key] for key in ("articles", "dates") if key in kwargs}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            return False
        path = self._join(name)
        if path in self._written_files or path in self._overridden_files:
            return False  # Pelican's writer says what happens to a page written twice
        digest = session.reuse_digest(name, template, context, relative_urls, kwargs)
        if digest is None:
            return False
        os.makedirs(os.path.dirname(path), exist_ok=True)
        replace_with_link(os.path.join(session.previous_folder, name), path)
        self._written_files.add(path)
        session.kept_page(name, digest)
        return True

    def write_file(
        self,
        name: Any,
        template: Any,
        context: Any,
        relative_urls: bool = False,
        paginated: Any = None,
        template_name: Any = None,
        override_output: bool = False,
        url: Any = None,
        **kwargs: Any,
    ) -> Any:
        if template is not None:
            shared = (relative_urls, paginated, template_name, override_output)
            if self.reuse(name, template, context, *shared, **kwargs):
                return None
            template = Tracked(template, self.session)
        return super().write_file(
            name,
            template,
            context,
            relative_urls,
            paginated,
            template_name,
            override_output,
            url,
            **kwargs,
        )

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        session = self.session
        if os.path.lexists(filename):
            # Never write into an existing file: it may be a hard link to the live site (a page
            # written twice). A folder of the emptied spare tree where a page goes now, too.
            if os.path.isdir(filename) and not os.path.islink(filename):
                shutil.rmtree(filename)
            else:
                os.unlink(filename)
        if session.reuse_next == filename and not override:
            # A reused page: no file to create and remove again, only the duplicate check.
            session.reuse_next = None
            if filename in self._written_files or filename in self._overridden_files:
                return super()._open_w(filename, encoding, override)  # Pelican's own verdict
            self._written_files.add(filename)
            return Sink(None, filename, session)
        return Sink(super()._open_w(filename, encoding, override), filename, session)
