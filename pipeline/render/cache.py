"""The build cache (``runner.cache_folder``): build key, file records, Pelican's caches.

The cache is pickled, so it lives only where the tree being built cannot put files: in the
user's cache folder or the server's own state, never inside the tree (a committed
``.terbit/cache/.../state.pickle`` is never read).

The key covers everything besides the content that shapes the site: Terbit's own code, the
versions of Pelican, Markdown and Jinja, the final Pelican settings, and every file of the
theme. A different key, a missing or unreadable state, or Pelican cache files that do not match
what the last good build recorded, all mean a full build.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

import pipeline
from pipeline.render.incremental import FileRecord

FORMAT = 2
STATE_FILE = "state.pickle"
PELICAN_DIR = "pelican"
DELTA_SUFFIX = ".delta"  # a cache's entries changed since its base file (``fastpath``)
THUMB_DIR = "thumbs"  # resized images by digest (``plugins.thumbnails``)
JINJA_DIR = "jinja"  # the theme's compiled templates, one folder per build key
# Settings that name this build's temporary folders, not what the site looks like.
VOLATILE_SETTINGS = frozenset(
    {
        "OUTPUT_PATH",
        "CACHE_PATH",
        "LOAD_CONTENT_CACHE",
        "TERBIT_DRAFT_SECONDS",
        "TERBIT_THUMB_CACHE",
        "TERBIT_HISTORY",  # data, not look: the pages that show it are digested with it
    }
)


@dataclass
class State:
    key: str
    output: str
    files: dict[str, FileRecord] = field(default_factory=dict)
    pelican: dict[str, str] = field(default_factory=dict)  # cache file -> sha256
    templates: dict[str, Any] = field(default_factory=dict)  # parsed templates (``templates``)
    format: int = FORMAT
    version: str = pipeline.__version__


def stable_repr(value: Any) -> str:
    """A repr without memory addresses, so equal settings give equal keys across processes."""
    if isinstance(value, dict):
        pairs = sorted((stable_repr(k), stable_repr(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        items = [stable_repr(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort()
        return f"{type(value).__name__}[" + ", ".join(items) + "]"
    if isinstance(value, str | int | float | bool | type(None)):
        return repr(value)
    if callable(value):
        return f"<{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}>"
    return f"<{type(value).__qualname__}>"


def _tree_digest(folder: Path, pattern: str, h: Any) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(folder)).encode() + b"\0")
            h.update(path.read_bytes())


# Modules that run a build but do not shape its pages: whether they are loaded depends on who
# started the build (the CLI in its own process, or a worker process), never on the site.
NOT_SHAPING = (
    "cli",
    "__main__.py",
    "render/runner.py",
    "render/progress.py",
    "render/swap.py",
    "render/warm.py",
    "codekey.py",
)


@functools.cache
def _real(file: str) -> Path:
    """A module file's real path: resolving hundreds of them costs a build a tenth of a
    second, so a warm process resolves those it preloaded once (``remember_modules``)."""
    return Path(file).resolve()


def remember_modules() -> None:
    """Resolve the files of every module loaded by now (a warm process, before its forks)."""
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file:
            _real(file)


def _loaded_sources(root: Path) -> list[Path]:
    package = _real(pipeline.__file__).parent
    skipped = tuple(str(package / name) for name in NOT_SHAPING)
    found = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = _real(file)
        if str(path).startswith(skipped) and path.is_relative_to(package):
            continue
        if path.suffix == ".py" and (path.is_relative_to(package) or path.is_relative_to(root)):
            found.add(path)
    return sorted(found)


def build_key(settings: dict[str, Any], settings_file: Path) -> str:
    h = hashlib.sha256(f"terbit-build-{FORMAT}-{pipeline.__version__}".encode())
    h.update(sys.version.encode())
    for dist in ("pelican", "markdown", "jinja2", "nh3", "pygments"):
        try:
            h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{dist}=none".encode())
    # The code that shapes pages: Terbit's modules and plugins loaded by now (the reader, the
    # plugins, this package), not the whole package, which has nothing to do with the site.
    root = settings_file.resolve().parent
    for source in _loaded_sources(root):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    shown = {k: v for k, v in settings.items() if k not in VOLATILE_SETTINGS}
    # Paths inside the repository count relative to it: a moved repository keeps its cache.
    h.update(stable_repr(shown).replace(str(root), "<root>").encode())
    h.update(settings_file.read_bytes())
    _tree_digest(Path(settings["THEME"]), "*", h)
    for folder in settings.get("PLUGIN_PATHS") or []:
        _tree_digest(Path(folder), "*.py", h)  # plugins not imported yet count too
    return h.hexdigest()


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's bytecode cache in files, where a damaged file means compiling again: Jinja
    itself lets the error of a cut header out of the build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage: unpickling the header, reading the code
            bucket.reset()


def compiled_templates(cache_dir: Path, key: str) -> CompiledTemplates:
    """Where the theme's templates are kept compiled (Jinja's bytecode cache), so a build loads
    them instead of compiling them again. Jinja checks each one against its template's source;
    the folder is the build key's, which covers the environment's options and the code that
    compiles, and the folders of other keys are removed. Like the pickles, it is code for this
    process, so it lives in the cache, never in the tree."""
    folder = cache_dir / JINJA_DIR / key[:32]
    if not folder.is_dir():
        shutil.rmtree(cache_dir / JINJA_DIR, ignore_errors=True)
        folder.mkdir(parents=True)
    return CompiledTemplates(str(folder))


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# A file as it was: device, inode, size, modification time (a write changes the time, a
# replacement the inode). Not the change time: linking a cache file into a build's staging
# folder changes it, not the file.
Identity = tuple[int, int, int, int]


def identity(path: Path) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class StateProblem(Exception):
    """The cache cannot be trusted; the message says why (for the user)."""


def load_state(
    cache_dir: Path, known: dict[str, tuple[Identity, str]] | None = None, files: bool = True
) -> State | None:
    """The last good build's state; ``None`` when there is none; raises when it is unusable.
    ``known``: cache files hashed already (``held``), not read again while still that file.
    Without ``files``, the state alone: its cache files are not checked (``held`` checks each
    against the state's SHA-256 as it reads it)."""
    path = cache_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)
    except Exception as error:  # any unpickling failure means a damaged file
        raise StateProblem("corrupt") from error
    if (
        not isinstance(state, State)
        or getattr(state, "format", None) != FORMAT
        or getattr(state, "version", None) != pipeline.__version__
    ):
        raise StateProblem("version")
    if not files:
        return state
    for name, digest in state.pelican.items():
        file = cache_dir / PELICAN_DIR / name
        if (known or {}).get(name) == (identity(file), digest):
            continue
        if not file.is_file() or file_sha(file) != digest:
            raise StateProblem("corrupt")
    return state


def save_state(folder: Path, state: State) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / STATE_FILE).open("wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
