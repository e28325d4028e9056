"""Read drafts: Markdown with YAML front matter (the contract in TEAM.md) into Pelican metadata.

Front matter goes through ``pipeline.draft.frontmatter.parse`` (safe YAML, aliases refused,
located errors) rather than Markdown's ``meta`` extension, so the site reads exactly what
``terbit check`` validated. Dates without a zone are office time (``TIMEZONE``, Asia/Jakarta).
"""

from __future__ import annotations

import datetime as dt
import html
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from markdown import Markdown
from pelican import signals
from pelican.readers import BaseReader
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import slugify

from pipeline.draft.controls import TEXT_CONTROL
from pipeline.draft.frontmatter import parse
from pipeline.errors import InputError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "bad_date": (
            "tanggal '{field}' tidak dapat dibaca: {value!r} (pakai YYYY-MM-DD atau "
            "YYYY-MM-DD HH:MM)",
            "cannot read date '{field}': {value!r} (use YYYY-MM-DD or YYYY-MM-DD HH:MM)",
        ),
        "control": (
            "karakter kendali U+{code:04X} (biasanya tersalin dari Word atau PDF) tidak boleh "
            "ada di draf: feed situs menolaknya; hapus karakter itu",
            "control character U+{code:04X} (usually pasted from Word or a PDF) is not allowed "
            "in a draft: the site's feeds refuse it; delete it",
        ),
        "too_slow": (
            "draf ini butuh lebih dari {seconds:g} detik CPU untuk diubah ke HTML (batas "
            "build.draft_seconds); sederhanakan isinya (misalnya ribuan tanda '[' atau '*')",
            "this draft takes more than {seconds:g} s of CPU to convert to HTML (limit "
            "build.draft_seconds); simplify it (e.g. thousands of '[' or '*')",
        ),
        "bad_image": (
            "setiap gambar di 'images' perlu 'src' dan 'alt'",
            "every entry of 'images' needs 'src' and 'alt'",
        ),
    }
)

# Fields copied through unchanged (after a str() for safety in templates).
PLAIN_FIELDS = ("title", "nota_dinas", "lang", "status", "ralat", "pembaruan")


class DraftTooSlow(Exception):
    """Raised by the timer inside a conversion that ran past its limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``DraftTooSlow`` in this thread after ``seconds`` of CPU time (a busy server must
    not fail a draft that is merely waiting for a core). Markdown is pure Python, so the signal
    lands between two steps of even a quadratic conversion. Only the main thread gets signals;
    elsewhere (never in a build) there is no limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise DraftTooSlow

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def all_text(value: object) -> str:
    """Every text inside a front-matter value, joined (lists and mappings included)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(all_text(k) + "\n" + all_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return "\n".join(all_text(v) for v in value)
    return ""


def refuse_control(text: str, path: str) -> None:
    """A stray control character, located, before it fails the whole site's feeds."""
    found = TEXT_CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise InputError(MSG("control", code=ord(found.group())), path=path, line=line)


def to_datetime(
    value: object, zone: ZoneInfo, field: str, where: tuple[str, int | None]
) -> dt.datetime:
    """A YAML date, datetime or ``YYYY-MM-DD HH:MM`` string as an aware datetime in ``zone``."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(
                MSG("bad_date", field=field, value=value), path=where[0], line=where[1]
            ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def read_images(value: object, path: str, line: int | None) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise InputError(MSG("bad_image"), path=path, line=line)
    images = []
    for item in value:
        if not isinstance(item, dict) or not item.get("src") or not item.get("alt"):
            raise InputError(MSG("bad_image"), path=path, line=line)
        images.append(
            {
                "src": str(item["src"]).lstrip("/"),
                "alt": str(item["alt"]),
                "caption": str(item.get("caption") or ""),
            }
        )
    return images


class FrontMatterReader(BaseReader):
    """Markdown files whose metadata is a YAML block between ``---`` lines."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md", "markdown"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        if self._embargoed(source_path):
            # Not yet due (``publish_at``): Pelican's own "skip" status leaves it out of every
            # page, list, feed, sitemap and search index, as if the file were not there.
            return "", {"status": "skip"}
        text = Path(source_path).read_text(encoding="utf-8")
        shown = self._shown_path(source_path)
        refuse_control(text, shown)
        parsed = parse(text, shown)
        for field, value in parsed.meta.items():  # YAML escapes ("\u0007") make them too
            found = TEXT_CONTROL.search(all_text(value))
            if found:
                raise InputError(
                    MSG("control", code=ord(found.group())),
                    path=shown,
                    line=parsed.doc.line_of((field,)),
                )
        options = dict(self.settings.get("MARKDOWN", {}))
        extensions = [e for e in options.get("extensions", []) if "meta" not in str(e)]
        configs = {k: v for k, v in options.get("extension_configs", {}).items() if "meta" not in k}
        markdown = Markdown(
            extensions=[*extensions, *configs],
            extension_configs=configs,
            output_format="html",
        )
        seconds = self.settings.get("TERBIT_DRAFT_SECONDS")
        try:
            with time_limit(seconds):
                content = markdown.convert(parsed.body)
        except DraftTooSlow:
            raise InputError(MSG("too_slow", seconds=seconds), path=shown) from None
        return content, self.metadata(parsed.meta, shown, parsed.doc.line_of)

    def _embargoed(self, source_path: str) -> bool:
        """Whether the build was told this draft is not yet due (``TERBIT_EMBARGOED``: paths
        relative to the content folder, decided with the clock by ``runner.build_site``)."""
        hidden = self.settings.get("TERBIT_EMBARGOED") or ()
        if not hidden:
            return False
        content = Path(self.settings.get("PATH", ".")).resolve()
        try:
            return Path(source_path).resolve().relative_to(content).as_posix() in hidden
        except ValueError:
            return False

    def _shown_path(self, source_path: str) -> str:
        # Messages name the file the way the writer knows it: relative to the repository.
        root = Path(self.settings.get("PATH", ".")).resolve().parent
        try:
            return str(Path(source_path).resolve().relative_to(root))
        except ValueError:
            return source_path

    def metadata(self, meta: dict[str, Any], path: str, line_of: Any) -> dict[str, Any]:
        zone = ZoneInfo(self.settings.get("TIMEZONE") or "Asia/Jakarta")
        out: dict[str, Any] = {}
        for field in PLAIN_FIELDS:
            if meta.get(field) not in (None, ""):
                out[field] = str(meta[field])
        if meta.get("slug") not in (None, ""):
            # A slug becomes a folder name: never let it climb out of the output ("../").
            slug = slugify(
                str(meta["slug"]), regex_subs=self.settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
            )
            if slug:
                out["slug"] = slug
        for field in ("date", "modified"):
            if meta.get(field) not in (None, ""):
                out[field] = to_datetime(meta[field], zone, field, (path, line_of((field,))))
        if meta.get("category"):
            out["category"] = Category(str(meta["category"]), self.settings)
        tags = meta.get("tags") or []
        if isinstance(tags, str):
            tags = [t for t in tags.split(",")]
        tag_list = [Tag(str(t).strip(), self.settings) for t in tags if str(t).strip()]
        if tag_list:
            out["tags"] = tag_list
        if meta.get("author"):
            out["author"] = self.author(str(meta["author"]))
        if meta.get("summary"):
            # Pelican treats the summary as HTML: escape the writer's plain text.
            out["summary"] = html.escape(" ".join(str(meta["summary"]).split()))
        out["featured"] = meta.get("featured") is True
        if meta.get("images"):
            out["images"] = read_images(meta["images"], path, line_of(("images",)))
        return out

    def author(self, person: str) -> Author:
        """Display name from ``TERBIT_PEOPLE`` (roles.yml), URL slug from the person id."""
        people: dict[str, str] = self.settings.get("TERBIT_PEOPLE") or {}
        author = Author(people.get(person, person), self.settings)
        if person in people:
            author.slug = person
        return author


def add_reader(readers: Any) -> None:
    for extension in FrontMatterReader.file_extensions:
        readers.reader_classes[extension] = FrontMatterReader


def register() -> None:
    signals.readers_init.connect(add_reader)
