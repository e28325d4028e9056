"""What a build may take from the tree it builds, which it never trusts (a merged change may be
hostile even when reviewers approved it).

- Files: only regular files whose every path component below ``content/`` is a real folder or
  file, never a symbolic link, never a path that climbs out (``../``, absolute paths). Static
  files (``{static}``, ``{attach}``, the static folders) must also be images of allowed types.
- Code: only the settings files, loaded by path. No other module of the tree is importable,
  whatever lands on ``sys.path`` (a root-level ``markdown.py``, a ``pelicanconf/`` package, a
  ``pipeline`` link).

A refused file is reported as a located error through the ``pipeline.render.confine`` logger;
the worker's log handler turns it into a ``path:line: message`` problem.
"""

from __future__ import annotations

import fnmatch
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from pelican.generators import StaticGenerator

# One list of image types and one file-name rule: the draft checks, the server and the build.
from pipeline.draft.content_model import IMAGE_SUFFIXES, bad_name_char, shown_name
from pipeline.errors import InputError
from pipeline.i18n import Catalog
from pipeline.render import fastpath

MSG = Catalog(
    {
        "outside": (
            "berkas di luar content/ tidak pernah diterbitkan: {path}",
            "a file outside content/ is never published: {path}",
        ),
        "symlink": (
            "tautan simbolik tidak diterbitkan; hanya berkas biasa di content/ yang dibaca",
            "symbolic links are never published; only regular files in content/ are read",
        ),
        "link_symlink": (
            "berkas yang ditautkan melewati tautan simbolik, tidak diterbitkan: {path}",
            "the linked file goes through a symbolic link and is never published: {path}",
        ),
        "missing": (
            "berkas yang ditautkan tidak ada di content/: {path}",
            "the linked file is not in content/: {path}",
        ),
        "not_file": ("bukan berkas biasa, tidak diterbitkan", "not a regular file, not published"),
        "type": (
            "jenis berkas tidak diizinkan sebagai berkas statis: {path} (hanya gambar {allowed})",
            "file type not allowed as a static file: {path} (only images {allowed})",
        ),
        "bad_name": (
            "nama berkas berisi karakter kendali atau bukan UTF-8: {name}",
            "the file name holds control characters or is not UTF-8: {name}",
        ),
    }
)

log = logging.getLogger(__name__)


_reported: set[tuple[str, int | None, str]] = set()  # a build is one process (see ``worker``)


def refuse(path: str, line: int | None, message: str) -> None:
    """Report a refused file as a located error (see ``worker.LogCapture``), once per build:
    several generators walk the same folders."""
    if (path, line, message) in _reported:
        return
    _reported.add((path, line, message))
    log.error("%s", message, extra={"terbit": InputError(message, path=path, line=line)})


class Content:
    """The content folder of one build and the checks on paths below it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(os.path.abspath(path))
        self.repo = self.path.parent  # messages name files relative to the repository

    def shown(self, rel: str) -> str:
        return (Path(self.path.name) / rel).as_posix() if rel not in ("", ".") else self.path.name

    def problem(self, rel: str) -> str | None:
        """Why the file at ``rel`` (relative to content/) may not be read, or None."""
        norm = os.path.normpath(rel)
        if os.path.isabs(norm) or norm == ".." or norm.startswith(".." + os.sep):
            return MSG("outside", path=rel)
        current = self.path
        try:
            mode = os.lstat(current).st_mode
            if stat.S_ISLNK(mode):
                return MSG("link_symlink", path=rel)
            for part in Path(norm).parts:
                current = current / part
                mode = os.lstat(current).st_mode
                if stat.S_ISLNK(mode):
                    return MSG("link_symlink", path=rel)
        except OSError:
            return MSG("missing", path=rel)
        return None if stat.S_ISREG(mode) else MSG("missing", path=rel)

    def walk(self, top: str, exclude: set[str], ignores: Sequence[str]) -> Iterator[str]:
        """Regular files under ``content/top``, relative to content/; never follows a symbolic
        link (so a folder loop cannot happen) and reports every link and bad name it meets."""
        ignored = ignoring(ignores)
        start = self.path / top if top else self.path
        rel_top = os.path.normpath(top) if top else ""
        parts = [self.path, *(self.path / p for p in _prefixes(rel_top))]
        for folder in parts:
            if folder.is_symlink():
                refuse(self.shown(os.path.relpath(folder, self.path)), None, MSG("symlink"))
                return
        if not start.is_dir():
            return
        for dirpath, dirs, files in _walk(str(start)):
            rel_dir = os.path.relpath(dirpath, self.path)
            rel_dir = "" if rel_dir == "." else rel_dir
            entered = []
            for entry in sorted(dirs, key=_name):
                rel = os.path.join(rel_dir, entry.name)
                if rel in exclude or ignored(entry.name):
                    continue
                if entry.is_symlink():
                    refuse(self.shown(rel), None, MSG("symlink"))  # never entered
                elif bad_name_char(entry.name):
                    refuse(self.shown(rel_dir), None, MSG("bad_name", name=shown_name(entry.name)))
                else:
                    entered.append(entry)
            kept = {id(entry) for entry in entered}
            dirs[:] = [entry for entry in dirs if id(entry) in kept]  # entered in found order
            for entry in files:
                name = entry.name
                if ignored(name):
                    continue
                if bad_name_char(name):
                    refuse(self.shown(rel_dir), None, MSG("bad_name", name=shown_name(name)))
                    continue
                rel = os.path.join(rel_dir, name)
                # The kind the folder listing gave (no ``lstat`` per file where it gives one).
                if entry.is_symlink():
                    refuse(self.shown(rel), None, MSG("symlink"))
                elif not entry.is_file(follow_symlinks=False):
                    refuse(self.shown(rel), None, MSG("not_file"))
                else:
                    yield rel


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _walk(top: str) -> Iterator[tuple[str, list[os.DirEntry[str]], list[os.DirEntry[str]]]]:
    """``os.walk(top)`` top-down without following links, with the folder listing's entries
    instead of names: their kinds come from the listing, where ``os.walk``'s names would cost
    an ``lstat`` each (5,000 drafts a build). Folders left in the yielded list are entered
    next, in its order; a link to a folder is listed with the folders, as ``os.walk`` lists it,
    and never entered; a folder that cannot be read is skipped, as ``os.walk`` skips it. A
    stack, not recursion: a tree of any depth is walked."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        dirs: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry)
        yield folder, dirs, files
        stack += [entry.path for entry in reversed(dirs) if not entry.is_symlink()]


def _prefixes(rel: str) -> list[str]:
    parts = Path(rel).parts if rel else ()
    return [os.path.join(*parts[: i + 1]) for i in range(len(parts))]


def image_problem(rel: str) -> str | None:
    if Path(rel).suffix.lower() in IMAGE_SUFFIXES:
        return None
    return MSG("type", path=rel, allowed=", ".join(sorted(IMAGE_SUFFIXES)))


def line_of(source: str, needle: str) -> int | None:
    """The first line of the file ``source`` that holds ``needle`` (to locate a link)."""
    try:
        with open(source, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if needle in line:
                    return number
    except OSError:
        pass
    return None


# -- Pelican's generators -----------------------------------------------------------------------


def ignoring(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Whether a file name matches one of ``patterns`` as ``fnmatch`` says (Pelican's
    ``IGNORE_FILES``): one regular expression for them all, made once a walk, where ``fnmatch``
    is called per pattern for each of thousands of files every build."""
    if not patterns:
        return lambda name: False
    either = re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns))
    return lambda name: either.match(os.path.normcase(name)) is not None


def _include(rel: str, extensions: Any, ignored: Callable[[str], bool]) -> bool:
    """Pelican's rule for a found file (``IGNORE_FILES``, the readers' extensions), from
    public names: the file name is matched, its extension checked unless ``extensions`` is
    False."""
    name = os.path.basename(rel)
    if ignored(name):
        return False
    return extensions is False or os.path.splitext(name)[1][1:] in extensions


def confined_files(
    generator: Any,
    paths: Any,
    exclude: list[str] | None = None,
    extensions: Any = None,
    *,
    walks: dict[tuple[str, frozenset[str]], list[str]] | None = None,
) -> set[str]:
    """``get_files`` of a generator: only regular files inside content/, never through a
    symbolic link; the static generator's must be images. Pelican's own walk follows links
    and takes whatever it finds. ``walks`` keeps each folder's walk for the generator's next
    call: Pelican walks the articles' folders twice a build (files of disabled readers, then
    articles), a tenth of a second at 5,000 articles; a build's content does not change."""
    content = Content(generator.path)
    excluded = {os.path.normpath(e) for e in exclude or []}
    static = isinstance(generator, StaticGenerator)
    # Images only drafts not yet due show (``TERBIT_EMBARGOED``, with those drafts): not
    # copied before their time.
    held = set(generator.settings.get("TERBIT_EMBARGOED") or ()) if static else set()
    if extensions is None:
        extensions = tuple(generator.readers.extensions)
    ignored = ignoring(generator.settings["IGNORE_FILES"])
    # A file's extension is one of these only if its name ends with it: a test in C before
    # ``_include`` (Pelican asks for the files of its disabled readers, most often none).
    suffixes = (
        None if extensions is False or "" in extensions else tuple(f".{e}" for e in extensions)
    )
    files = set()
    for path in [paths] if isinstance(paths, str) else paths:
        if path and os.path.isfile(os.path.join(generator.path, path)):
            found: Iterable[str] = [] if content.problem(path) else [os.path.normpath(path)]
        else:
            key = (path, frozenset(excluded))
            walked = walks.get(key) if walks is not None else None
            if walked is None:  # refused files are reported while walking, once a build
                walked = list(content.walk(path, excluded, generator.settings["IGNORE_FILES"]))
                if walks is not None:
                    walks[key] = walked
            found = walked
        for rel in found:
            if suffixes is not None and not rel.endswith(suffixes):
                continue
            if rel in held or not _include(rel, extensions, ignored):
                continue
            problem = image_problem(rel) if static else None
            if problem:
                refuse(content.shown(rel), None, problem)
            else:
                files.add(rel)
    return files


def _link_line(source: str, rel: str) -> int | None:
    """The draft line of the link to ``rel``: the first ``{static}``/``{attach}`` link naming
    its file, else the first line naming it."""
    name = os.path.basename(rel)
    names = {name, name.replace(" ", "%20")}
    try:
        with open(source, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    for marked in (True, False):
        for number, line in enumerate(lines, 1):
            if any(n in line for n in names) and (
                not marked or "{static}" in line or "{attach}" in line
            ):
                return number
    return None


def add_checked_links(generator: Any, content: Any, folder: Content | None = None) -> None:
    """``add_static_links``: Pelican's list of linked files (``get_static_links``), each
    checked; a refused link is located in its draft and never copied. Called for every
    article of every build: ``folder`` is the generator's, made once, and the draft's shown
    path is worked out only for a refused link."""
    folder = folder or Content(generator.path)
    for rel in sorted(fastpath.static_links(content)):
        problem = folder.problem(rel) or image_problem(rel)
        if problem:
            shown = os.path.relpath(content.source_path, folder.repo)
            refuse(shown, _link_line(content.source_path, rel), problem)
        else:
            generator.context["static_links"].add(os.path.normpath(rel))


def _checked_static_context(generator: Any) -> Callable[[], None]:
    """The static generator's ``generate_context``, after dropping from the linked files
    anything not checked where it was found (a plugin may have put it there)."""
    generate = generator.generate_context

    def generate_context() -> None:
        folder = Content(generator.path)
        links = generator.context["static_links"]
        for rel in list(links):
            if folder.problem(rel) or image_problem(rel):
                links.discard(rel)
        generate()

    return generate_context


def confine_generator(generator: Any) -> None:
    """``generator_init``: every generator of the build, Pelican's and any plugin's, finds and
    links files only through the checks above (public methods, replaced on the instance)."""
    if hasattr(generator, "get_files"):
        generator.get_files = partial(confined_files, generator, walks={})
    if hasattr(generator, "add_static_links"):
        folder = Content(generator.path)
        generator.add_static_links = partial(add_checked_links, generator, folder=folder)
    if isinstance(generator, StaticGenerator):
        generator.generate_context = _checked_static_context(generator)


def confine_generators() -> Callable[[], None]:
    """Connect ``confine_generator`` for one build; returns what disconnects it."""
    from pelican import signals

    signals.generator_init.connect(confine_generator)
    return lambda: signals.generator_init.disconnect(confine_generator)


# -- code ----------------------------------------------------------------------------------------


def _inside(entry: str, root: Path) -> bool:
    """True for a ``sys.path`` entry in the tree, except the running interpreter's own
    environment (a virtual environment made inside a checkout is not the site's content)."""
    try:
        path = Path(os.path.abspath(entry or os.getcwd())).resolve()
        own = Path(sys.prefix).resolve()
        return path.is_relative_to(root) and not (own != root and path.is_relative_to(own))
    except OSError:
        return False


class TreeImports(importlib.abc.MetaPathFinder):
    """Top-level imports never come from the tree; the settings modules come from their files.

    Placed just before Python's own path finder, so built-in and frozen modules are unaffected.
    Submodules follow their package's ``__path__``: a package imported from outside the tree
    keeps its modules outside it.
    """

    def __init__(self, root: Path, settings: dict[str, Path]) -> None:
        self.root = root.resolve()
        self.settings = settings
        self._split: tuple[tuple[str, ...], list[str], list[str]] = ((), [], [])

    def _paths(self) -> tuple[list[str], list[str]]:
        """``sys.path`` split into entries outside and inside the tree (kept until it changes:
        resolving every entry on every import would cost the build time)."""
        key = tuple(sys.path)
        if self._split[0] != key:
            inside = [p for p in key if _inside(p, self.root)]
            self._split = (key, [p for p in key if p not in inside], inside)
        return self._split[1], self._split[2]

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name in self.settings:
            return importlib.util.spec_from_file_location(name, self.settings[name])
        if path is not None:
            return None
        outside, inside = self._paths()
        spec = importlib.machinery.PathFinder.find_spec(name, outside)
        if spec is not None:
            return spec
        if inside and importlib.machinery.PathFinder.find_spec(name, inside) is not None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def guard_imports(root: Path, settings_files: Sequence[Path]) -> TreeImports:
    """Install the import guard for a build of ``root``; settings files are loaded by path."""
    for name in [n for n in list(sys.modules) if n.split(".")[0] in {"pelicanconf", "publishconf"}]:
        del sys.modules[name]  # never a module of that name loaded from elsewhere before
    finder = TreeImports(root, {f.stem: f for f in settings_files})
    index = sys.meta_path.index(importlib.machinery.PathFinder)
    sys.meta_path.insert(index, finder)
    sys.path_importer_cache.clear()
    return finder


def drop_guard(finder: TreeImports) -> None:
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
