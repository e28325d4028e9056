"""Write only what changed: a Pelican writer that skips renders whose inputs are unchanged.

Every page Pelican writes goes through ``write_file`` with a template and a context. We digest
exactly the context values the template reads (see ``templates``); when the digest equals the
one recorded for the same page in the previous build and that page is still on disk untouched,
the page is not rendered and the previous file is hard-linked into the new output. Pages that
are rendered but come out byte-identical are linked too, so unchanged files keep their
timestamps. Everything else about Pelican's run is untouched: every signal still fires.

The writer class that routes Pelican's pages here is in ``fastpath`` (it overrides the
writer's file opening); this module holds only the logic, on Pelican's public names.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_not
from pathlib import Path
from typing import Any

from pelican.utils import get_relative_path, path_to_url
from pelican.writers import FileOverwriteFailedError, Writer

from pipeline.render.fingerprint import (
    SCALARS,
    SEQUENCES,
    ContentNames,
    Digester,
    Undigestable,
    _hash,
)
from pipeline.render.templates import Parsed, TemplateNeeds, Use

# Returned instead of a rendered page; the sink recognises it by identity.
REUSE = "\x00terbit-reuse\x00"
MISSING = "\x00missing"
_UNSET = object()  # no value seen yet: never the same object as a context value


class _Pieces:
    """A template's last page: per name (sorted), the value and its piece of the digest; the
    values are held, so an identity match is never an address reused by another object."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        self.values: list[Any] = [_UNSET] * len(names)
        self.pieces: list[bytes] = [b""] * len(names)


@dataclass
class FileRecord:
    digest: bytes | None
    size: int
    mtime_ns: int


@dataclass
class Session:
    """The state one build shares with its writer."""

    output: Path  # the folder being built
    previous: Path | None  # the current site, whose files may be reused
    previous_files: dict[str, FileRecord]
    settings: dict[str, Any]
    reads_context: Callable[[object], bool]  # see ``TemplateNeeds``
    content_names: ContentNames  # Pelican's private attribute names (``fastpath``)
    on_write: Callable[[str, bool], None] = lambda path, reused: None
    on_read: Callable[[], None] = lambda: None
    # A fork finished its job ("read" drafts, "pages"): how many items it did, and whether it
    # did them all (or this process did its share again).
    on_fork: Callable[[str, int, bool], None] = lambda job, items, ok: None
    digests: dict[str, bytes | None] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0
    needs: TemplateNeeds | None = None
    templates: dict[str, Parsed] = field(default_factory=dict)  # the last build's analysis
    reuse_next: str | None = None  # the file the next open is for, when it is reused
    kept: set[str] = field(default_factory=set)  # pages linked unrendered from the last build

    def __post_init__(self) -> None:
        self.digester = Digester(self.content_names, str(self.settings.get("PATH", "")))
        self._prefix = os.path.join(os.path.normpath(self.output), "")
        self._previous = str(self.previous) if self.previous is not None else None
        # Per template: the values its last page had and their pieces of the digest.
        self._pieces: dict[str, _Pieces] = {}

    def continue_from(self, previous: Path | None, state: Any) -> None:
        """Reuse pages of the last good build (``cache.State``), whose site is ``previous``."""
        self.previous = previous
        self._previous = str(previous) if previous is not None else None
        self.previous_files = state.files
        self.templates = state.templates

    @property
    def previous_folder(self) -> str:
        return self._previous or ""

    def reuse_digest(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool,
        values: dict[str, Any],
    ) -> bytes | None:
        """The digest of the page ``name`` when the last build's file can be reused, else None.

        The values Pelican's writer adds to a page's context are added here the same way
        (``localsiteurl``, ``SITEURL``, ``output_file``), so the digest is the one
        ``write_file`` records; when reused, the site's ``localsiteurl`` moves on as there."""
        localsiteurl = context.get("localsiteurl")
        page: dict[str, Any] = {}
        if relative_urls:
            localsiteurl = relative_root(name)
            page["SITEURL"] = localsiteurl
        page["localsiteurl"] = localsiteurl
        page["output_file"] = name
        page.update(values)  # as Pelican: the page's own values win
        digest = self.page_digest(template, context, page)
        if not self.reusable(name, digest):
            return None
        if page["localsiteurl"]:
            context["localsiteurl"] = page["localsiteurl"]
        return digest

    def kept_page(self, name: str, digest: bytes) -> None:
        """The page ``name`` was linked unrendered from the last build."""
        self.digests[name] = digest
        self.kept.add(name)
        self.reused += 1
        self.on_write(name, True)

    def relative(self, filename: str) -> str:
        """``filename`` relative to the output (``relpath`` costs ~20 µs; there are thousands).

        Only the part below the output is checked for ``.``/``..`` parts and doubled slashes:
        the output itself is often under ``.terbit/``."""
        if filename.startswith(self._prefix):
            rest = filename[len(self._prefix) :]
            if rest and not rest.startswith((".", "/")) and "/." not in rest and "//" not in rest:
                return rest
        return os.path.relpath(filename, self.output)

    def page_digest(
        self, template: Any, context: dict[str, Any], page: dict[str, Any] | None = None
    ) -> bytes | None:
        """The digest of what ``template`` reads from ``context``, with ``page`` over it (the
        values a page adds to the site's context, when Pelican has not copied it yet)."""
        if self.needs is None:
            self.needs = TemplateNeeds(
                template.environment, self.templates, reads_context=self.reads_context
            )
        needs = self.needs.of(template.name)
        page = page or {}
        names = sorted({*context, *page}) if needs.everything else needs.sorted_names
        output_file = page["output_file"] if "output_file" in page else context.get("output_file")
        # Most values are the very objects the last page of this template had (the site-wide
        # lists, settings, strings): their pieces are kept by identity, like the digests, and
        # the values are looked up and compared in C (``map``), not name by name in Python: a
        # site's pages share one template and ~50 names, thousands of times a build.
        kept = self._pieces.get(str(template.name))
        if kept is None or kept.names != names:
            kept = _Pieces(names)
            self._pieces[str(template.name)] = kept
        values = list(map(context.get, names, repeat(MISSING, len(names))))
        for name, value in page.items():
            where = kept.index.get(name)
            if where is not None:
                values[where] = value
        for i in list(compress(range(len(names)), map(is_not, values, kept.values))):
            try:
                kept.pieces[i] = self._piece(names[i], values[i], needs.uses.get(names[i]))
            except Undigestable:
                kept.values[i] = _UNSET  # its piece is not this value's: never matched
                return None
            kept.values[i] = values[i]
        return _hash(f"{template.name}\n{output_file}".encode(), b"".join(kept.pieces))

    def _piece(self, name: str, value: Any, use: Use | None) -> bytes:
        """One name's share of a page digest, length-prefixed so pieces cannot run together;
        empty for the settings' own values (the build key covers them)."""
        if value is self.settings.get(name, MISSING):
            return b""
        if isinstance(value, SCALARS):
            text = f"{name}={type(value).__name__}:{value!r}".encode()
            return b"s" + len(text).to_bytes(8, "little") + text
        encoded = name.encode()
        return b"v" + len(encoded).to_bytes(8, "little") + encoded + self._value(value, use)

    def _value(self, value: Any, use: Use | None) -> bytes:
        digest = self.digester.digest
        if use is None or use.whole or not isinstance(value, SEQUENCES):
            return digest(value)
        parts = [b"U"]
        if use.head:
            parts.append(digest(list(value[: use.head])))
        if use.length:
            parts.append(str(len(value)).encode())
        if use.pair_lengths:
            for pair in value:
                if not (isinstance(pair, tuple) and len(pair) == 2):
                    return digest(value)
                parts += [digest(pair[0]), str(len(pair[1])).encode()]
        return _hash(*parts)

    def reusable(self, rel: str, digest: bytes | None) -> bool:
        old = self.previous_files.get(rel)
        if digest is None or old is None or old.digest != digest or self.previous is None:
            return False
        try:
            st = os.stat(os.path.join(self.previous, rel))
        except OSError:
            return False
        return st.st_size == old.size and st.st_mtime_ns == old.mtime_ns

    def records(self) -> dict[str, FileRecord]:
        out = {}
        for rel, digest in self.digests.items():
            if rel in self.kept:  # the same file as last time, checked when it was reused
                out[rel] = self.previous_files[rel]
                continue
            st = (self.output / rel).stat()
            out[rel] = FileRecord(digest, st.st_size, st.st_mtime_ns)
        return out


def link_or_copy(source: str | Path, target: str) -> None:
    """A hard link, or a copy where links cannot be made; never into an existing file."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            os.unlink(target)
        shutil.copy2(source, target)


class Tracked:
    """A template whose ``render`` is skipped when the page's inputs are unchanged."""

    def __init__(self, template: Any, session: Session) -> None:
        self._template = template
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)

    def render(self, context: dict[str, Any]) -> str:
        rel = str(context.get("output_file"))
        digest = self._session.page_digest(self._template, context)
        self._session.digests[rel] = digest
        if self._session.reusable(rel, digest):
            self._session.reuse_next = os.path.join(self._session.output, rel)
            return REUSE
        return self._template.render(context)


class Sink:
    """Collects what Pelican writes to one file, then writes, or links the identical old file."""

    def __init__(self, handle: Any, filename: str, session: Session) -> None:
        self._handle = handle
        self._filename = filename
        self._session = session
        self._chunks: list[str] = []

    def write(self, data: str | bytes) -> int:
        # Feeds arrive as UTF-8 bytes (the XML writer wraps anything not a text file).
        self._chunks.append(data.decode("utf-8") if isinstance(data, bytes) else data)
        return len(data)

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        session = self._session
        if self._handle is None and not (kind is None and self._chunks == [REUSE]):
            self._handle = open(self._filename, "w", encoding="utf-8")  # noqa: SIM115
        if kind is not None or self._filename == os.devnull:
            self._handle.writelines(c for c in self._chunks if c is not REUSE)
            self._handle.close()
            return
        rel = session.relative(self._filename)
        old = os.path.join(session._previous, rel) if session._previous else None
        session.digests.setdefault(rel, None)
        if len(self._chunks) == 1 and self._chunks[0] is REUSE:
            self._relink(old, rel)  # type: ignore[arg-type]
            session.kept.add(rel)
            return
        session.kept.discard(rel)  # written again (Pelican's override): no longer the old file
        text = "".join(self._chunks)
        if old is not None and self._same(old, text):
            self._relink(old, rel)
            return
        self._handle.write(text)
        self._handle.close()
        session.rendered += 1
        session.on_write(rel, False)

    def _same(self, old: str, text: str) -> bool:
        try:
            if os.stat(old).st_size != len(text.encode("utf-8")):
                return False
            with open(old, encoding="utf-8") as handle:
                return handle.read() == text
        except (OSError, UnicodeDecodeError):
            return False

    def _relink(self, old: str, rel: str) -> None:
        if self._handle is not None:
            self._handle.close()
            os.unlink(self._filename)
        link_or_copy(old, self._filename)
        self._session.reused += 1
        self._session.on_write(rel, True)


# A page name Pelican's path functions would treat specially: a dot part, an absolute path,
# doubled or trailing slashes. Other names are joined and counted directly.
_UNUSUAL = re.compile(r"(^|/)\.{1,2}(/|$)|//|^/|/$")
_ROOTS: dict[int, str] = {}


def unusual_name(name: str) -> bool:
    return _UNUSUAL.search(name) is not None


def relative_root(name: str) -> str:
    """``path_to_url(get_relative_path(name))``: the way up from a page to the site root."""
    if unusual_name(name):
        return path_to_url(get_relative_path(name))
    depth = name.count("/")
    if depth not in _ROOTS:
        _ROOTS[depth] = path_to_url(get_relative_path(name))
    return _ROOTS[depth]


def replace_with_link(source: str, target: str) -> None:
    """Link ``source`` at ``target``; never into an existing file: ``link`` refuses one,
    which is then removed first (a page written twice, a folder of the spare)."""
    try:
        link_or_copy(source, target)
    except FileExistsError:
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        else:
            os.unlink(target)
        link_or_copy(source, target)


class LocatedWriter(Writer):
    """Pelican's writer; two pages at one address (a slug taken twice, or by a built-in page)
    fail with the address and the draft written second, which the worker reports."""

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
        try:
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
        except FileOverwriteFailedError as error:
            content = kwargs.get("article") or kwargs.get("page")
            error.terbit_output = name
            error.terbit_source = getattr(content, "source_path", None)
            raise
