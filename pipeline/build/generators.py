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
from pathlib import Path
from typing import Any

from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.writers import FileOverwriteFailedError

from pipeline.build import split

STAGING_SETTING = "TERBIT_CACHE_STAGING"
LOAD_SETTING = "TERBIT_CACHE_LOAD"
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


def _stage(cacher: Any, shared: dict[str, Any], settings: dict[str, Any], staging: Path) -> None:
    """Load ``cacher``'s cache from CACHE_PATH when the runner trusts it; save it to staging."""
    name = os.path.basename(cacher._cache_path)
    cacher._cache = {}
    source = Path(settings["CACHE_PATH"]) / name
    loaded = False
    if cacher._cache_data_policy and settings.get(LOAD_SETTING) and source.is_file():
        try:
            with source.open("rb") as handle:
                cacher._cache = _Unpickler(handle, shared).load()
            loaded = True
        except Exception as error:  # a damaged cache costs time, never correctness
            logger.warning("cache %s ignored: %s", source, error)
    target = staging / name
    changed = []
    store = cacher.cache_data

    def cache_data(filename: str, data: Any) -> None:
        changed.append(filename)
        store(filename, data)

    cacher.cache_data = cache_data

    def save() -> None:
        if not cacher._cache_data_policy:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if loaded and not changed:  # nothing new: keep the file as it is
            os.link(source, target)
            return
        try:
            with target.open("wb") as handle:
                _Pickler(handle, shared).dump(cacher._cache)
        except Exception as error:  # an unpicklable plugin value: next build reads again
            target.unlink(missing_ok=True)
            logger.warning("cache %s not saved: %s", target, error)

    cacher.save_cache = save


def _stage_caches(generator: Any) -> None:
    """With the generator layer, whole articles are cached (read, initialised, sanitised)."""
    staging = generator.settings.get(STAGING_SETTING)
    if not staging:
        return
    shared = {"settings": generator.settings, "context": generator.context}
    for cacher in (generator, generator.readers):
        _stage(cacher, shared, generator.settings, Path(staging))


class TerbitArticlesGenerator(ArticlesGenerator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _stage_caches(self)

    def generate_pages(self, writer: Any) -> None:
        self._share: split.Share | None = None
        try:
            super().generate_pages(writer)
        except BaseException:
            if self._share is not None:
                self._share.abandon()
            raise
        if self._share is not None:
            self._share.join()

    def generate_articles(self, write: Callable) -> None:
        """Pelican's loop over article pages, a share of them written by a fork (``split``)."""
        items = [*self.translations, *self.articles, *self.hidden_translations]
        items += self.hidden_articles
        writer = getattr(getattr(write, "func", None), "__self__", None)
        if not split.can_split(writer, items):
            super().generate_articles(write)
            return
        cut = len(items) - int(len(items) * split.FORK_SHARE)
        self._share = split.Share(
            items, items[cut:], lambda part: self._write_articles(write, part), writer, self.context
        )
        self._write_articles(write, items[:cut])
        self._share.take_digests(writer.session.digester)

    def _write_articles(self, write: Callable, part: list[Any]) -> None:
        """Pelican's own loop, over ``part`` only (the order of pages does not change them)."""
        saved = (self.translations, self.articles, self.hidden_translations, self.hidden_articles)
        self.translations, self.articles, self.hidden_translations = [], part, []
        self.hidden_articles = []
        try:
            super().generate_articles(write)
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


class TerbitPagesGenerator(PagesGenerator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _stage_caches(self)


REPLACEMENTS = {ArticlesGenerator: TerbitArticlesGenerator, PagesGenerator: TerbitPagesGenerator}
