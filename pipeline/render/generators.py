"""Pelican's generators with linear taxonomy pages and caches saved only by a good build.

Pelican 4.12 orders each tag's, category's and author's articles by date with a list
membership test inside a loop over all dates, and fills period archives the same way: quadratic
in the size of the archive. Here the order comes from one index of positions or a set. Its
content caches are written to a staging folder that the runner keeps only when the whole build
succeeds.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator
from pelican.writers import FileOverwriteFailedError

from pipeline.render import confine, readahead, split

STAGING_SETTING = "TERBIT_CACHE_STAGING"
LOAD_SETTING = "TERBIT_CACHE_LOAD"
STAMPS_SETTING = "TERBIT_STAMPS"  # content files' MD5, read ahead (``tuning.file_stamps``)
DELTA_SUFFIX = ".delta"
DELTA_MIN = 200  # entries a delta may hold before it is folded into a new base ...
DELTA_SHARE = 0.05  # ... or this share of all entries, when that is more
logger = logging.getLogger(__name__)


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


def _stage(cacher: Any, shared: dict[str, Any], settings: dict[str, Any], staging: Path) -> None:
    """Load ``cacher``'s cache from CACHE_PATH when the runner trusts it; save it to staging.

    A cache is a base file plus, once a build changed a few entries, a delta file with every
    entry changed since the base: a publication then writes a few articles, not thousands
    (a tenth of a second and 16 MB at 5,000 articles). A big delta is folded into a new base.
    """
    name = os.path.basename(cacher._cache_path)
    cacher._cache = {}
    source = Path(settings["CACHE_PATH"]) / name
    source_delta = source.with_name(name + DELTA_SUFFIX)
    loaded = False
    carried: set[str] = set()  # entries of the delta loaded, still newer than the base
    if cacher._cache_data_policy and settings.get(LOAD_SETTING) and source.is_file():
        try:
            cacher._cache = _load(source, shared)
            if source_delta.is_file():
                delta = _load(source_delta, shared)
                cacher._cache.update(delta)
                carried = set(delta)
            loaded = True
        except Exception as error:  # a damaged cache costs time, never correctness
            cacher._cache, carried = {}, set()
            logger.warning("cache %s ignored: %s", source, error)
    target = staging / name
    changed: set[str] = set()
    store = cacher.cache_data

    def cache_data(filename: str, data: Any) -> None:
        changed.add(filename)
        store(filename, data)

    cacher.cache_data = cache_data

    def store_read(filename: str, stamp: Any, data: Any) -> None:
        """An entry read ahead (``readahead``), with the stamp of the file as it was read."""
        if cacher._cache_data_policy:
            changed.add(filename)
            cacher._cache[filename] = (stamp, data)

    cacher._terbit_store = store_read

    def dump(entries: dict[str, Any], path: Path) -> None:
        try:
            with path.open("wb") as handle:
                _Pickler(handle, shared).dump(entries)
        except Exception as error:  # an unpicklable plugin value: next build reads again
            path.unlink(missing_ok=True)
            logger.warning("cache %s not saved: %s", path, error)

    def save() -> None:
        if not cacher._cache_data_policy:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        newer = carried | changed
        if loaded and len(newer) <= max(DELTA_MIN, len(cacher._cache) * DELTA_SHARE):
            os.link(source, target)  # the base as it is
            if newer:
                entries = {key: cacher._cache[key] for key in sorted(newer)}
                dump(entries, target.with_name(name + DELTA_SUFFIX))
            return
        if len(cacher._cache) < split.MIN_PAGES or not hasattr(os, "fork"):
            dump(cacher._cache, target)
            return
        # Thousands of articles take a tenth of a second to pickle: a fork does it while the
        # pages are written; ``generate_output`` collects it before the build counts as done.
        cacher._terbit_saving = (split.in_fork(lambda: dump(cacher._cache, target)), target)

    cacher.save_cache = save


def _stage_caches(generator: Any) -> None:
    """With the generator layer, whole articles are cached (read, initialised, sanitised)."""
    staging = generator.settings.get(STAGING_SETTING)
    if not staging:
        return
    shared = {"settings": generator.settings, "context": generator.context}
    for cacher in (generator, generator.readers):
        _stage(cacher, shared, generator.settings, Path(staging))


class _SavedInFork:
    """Waits, once its pages are written, for the fork that saves the generator's cache; takes
    the stamps of its files from those read ahead when there are."""

    def _get_file_stamp(self, filename: str) -> Any:
        stamps = self.settings.get(STAMPS_SETTING)  # type: ignore[attr-defined]
        if stamps and self.settings.get("CHECK_MODIFIED_METHOD") == "md5":  # type: ignore[attr-defined]
            stamp = stamps.get(os.path.join(self.path, filename))  # type: ignore[attr-defined]
            if stamp is not None:
                return stamp
        return super()._get_file_stamp(filename)  # type: ignore[misc]

    def generate_output(self, writer: Any) -> None:
        try:
            super().generate_output(writer)  # type: ignore[misc]
        finally:
            self._wait_saved()

    def _wait_saved(self) -> None:
        saving = getattr(self, "_terbit_saving", None)
        self._terbit_saving = None
        if saving is not None and not saving[0].wait():
            saving[1].unlink(missing_ok=True)  # a half-written cache is never kept
            logger.warning("cache %s not saved", saving[1])


class _Confined:
    """Pelican walks the content following symbolic links and copies whatever a ``{static}`` or
    ``{attach}`` link names, even outside content/. Here only regular files inside content/
    are found or linked, and static ones must be images (see ``confine``)."""

    path: str
    settings: dict[str, Any]
    context: dict[str, Any]
    static_only = False  # the static generator: files of allowed image types only

    def get_files(
        self, paths: Any, exclude: list[str] | None = None, extensions: Any = None
    ) -> set[str]:
        content = confine.Content(self.path)
        excluded = {os.path.normpath(e) for e in exclude or []}
        files = set()
        for path in [paths] if isinstance(paths, str) else paths:
            if path and os.path.isfile(os.path.join(self.path, path)):
                found: Iterable[str] = [] if content.problem(path) else [os.path.normpath(path)]
            else:
                found = content.walk(path, excluded, self.settings["IGNORE_FILES"])
            for rel in found:
                if not self._include_path(rel, extensions):  # type: ignore[attr-defined]
                    continue
                problem = confine.image_problem(rel) if self.static_only else None
                if problem:
                    confine.refuse(content.shown(rel), None, problem)
                else:
                    files.add(rel)
        return files

    def add_static_links(self, content: Any) -> None:
        """Pelican's, with every linked file checked; a refused link is located in its draft."""
        from urllib.parse import urlparse

        folder = confine.Content(self.path)
        shown = os.path.relpath(content.source_path, folder.repo)
        for match in content._get_intrasite_link_regex().finditer(content._content):
            if match.group("what") not in ("static", "attach"):
                continue
            value = match.group("value")
            path = urlparse(value).path
            if path.startswith("/"):
                rel = path[1:]
            else:
                rel = content.get_relative_source_path(os.path.join(content.relative_dir, path))
            rel = rel.replace("%20", " ")
            problem = folder.problem(rel) or confine.image_problem(rel)
            if problem:
                confine.refuse(shown, confine.line_of(content.source_path, value), problem)
            else:
                self.context["static_links"].add(os.path.normpath(rel))


class TerbitStaticGenerator(_Confined, StaticGenerator):
    static_only = True

    def generate_context(self) -> None:
        # Links were checked where they were found; anything else put here is not trusted.
        folder = confine.Content(self.path)
        links = self.context["static_links"]
        for rel in list(links):
            if folder.problem(rel) or confine.image_problem(rel):
                links.discard(rel)
        super().generate_context()


class TerbitArticlesGenerator(_SavedInFork, _Confined, ArticlesGenerator):
    _walked: set[str] | None
    # Pelican's lists of articles, swapped for a part of them while one process writes it.
    translations: list[Any]
    articles: list[Any]
    hidden_translations: list[Any]
    hidden_articles: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _stage_caches(self)

    def generate_context(self) -> None:
        """Pelican's, after the drafts its cache lacks were read on both cores (``readahead``)."""
        store = getattr(self, "_terbit_store", None)
        if store is not None and self._cache_data_policy:  # whole articles are cached
            files = self.get_files(  # Pelican's own call, in its ``generate_context``
                self.settings["ARTICLE_PATHS"], exclude=self.settings["ARTICLE_EXCLUDES"]
            )
            self._walked = files  # that call, next, gets these instead of a second walk
            missing = sorted(f for f in files if self.get_cached_data(f, None) is None)
            if readahead.may_read_ahead(len(missing), split.MIN_PAGES):
                shared = {"settings": self.settings, "context": self.context}
                found = readahead.read_ahead(
                    self,
                    missing,
                    lambda handle: _Pickler(handle, shared),
                    lambda handle: _Unpickler(handle, shared),
                )
                for name, stamp, article in found:
                    store(name, stamp, article)
        try:
            super().generate_context()
        finally:
            self._walked = None

    def get_files(
        self, paths: Any, exclude: list[str] | None = None, extensions: Any = None
    ) -> set[str]:
        walked = getattr(self, "_walked", None)
        if walked is not None and (paths, exclude, extensions) == (
            self.settings["ARTICLE_PATHS"],
            self.settings["ARTICLE_EXCLUDES"],
            None,
        ):
            self._walked = None
            return set(walked)
        return super().get_files(paths, exclude, extensions)

    def generate_output(self, writer: Any) -> None:
        """Pelican's feeds, pages of articles, archives and lists; on a big site on both cores:
        a fork writes most article pages and the topic pages, this process the rest."""
        items = [*self.translations, *self.articles, *self.hidden_translations]
        items += self.hidden_articles
        if not split.can_split(writer, items):
            super().generate_output(writer)
            return
        try:
            self._split_output(writer, items)
        finally:
            self._wait_saved()

    def _split_output(self, writer: Any, items: list[Any]) -> None:
        # Pelican's ``generate_output`` and ``generate_pages``: the same ``write``, the same
        # steps, shared between two processes.
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        cut = int(len(items) * split.here_share(writer))

        def fork_part() -> None:
            self._write_articles(write, items[cut:])
            self.generate_tags(write)

        share = split.Share(items, writer, self.context, fork_part)  # the fork does not return
        try:
            share.send_digests()
            self.generate_feeds(writer)  # while the fork computes its half of the digests
            share.receive_digests()
            self._write_articles(write, items[:cut])
            self.generate_period_archives(write)
            self.generate_direct_templates(write)
            self.generate_categories(write)
            self.generate_authors(write)
            self.generate_drafts(write)
            if not split.may_finish_first():
                share.join()  # a receiver may read the pages the fork writes
            signals.article_writer_finalized.send(self, writer=writer)
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
                self._write_one(write, template, kind, key, wrapper, articles)
            except FileOverwriteFailedError:
                if wrapper.slug:
                    raise  # a real clash of two pages; an empty slug is skipped, as Pelican does

    def _write_one(
        self, write: Callable, template: Any, kind: str, key: str, wrapper: Any, articles: list
    ) -> None:
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


class TerbitPagesGenerator(_SavedInFork, _Confined, PagesGenerator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _stage_caches(self)


REPLACEMENTS = {
    ArticlesGenerator: TerbitArticlesGenerator,
    PagesGenerator: TerbitPagesGenerator,
    StaticGenerator: TerbitStaticGenerator,
}
