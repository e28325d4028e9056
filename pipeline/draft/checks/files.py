"""Finding drafts and reading them safely: symlinks out, oversize, empty, non-UTF-8 files."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.config import yamlsrc
from pipeline.draft.checks.base import Context, Draft, Finding, inside, real_path
from pipeline.draft.content_model import bad_name_char, shown_name
from pipeline.draft.model import Kind
from pipeline.errors import ConfigError, InputError
from pipeline.i18n import Catalog

SUFFIXES = (".md", ".markdown")

MSG = Catalog(
    {
        "no_path": ("jalur ini tidak ada", "no such path"),
        "outside_repo": (
            "berada di luar repositori; hanya berkas di dalam repositori yang diperiksa",
            "is outside the repository; only files inside the repository are checked",
        ),
        "symlink_out": (
            "tautan simbolik menunjuk ke luar repositori ({target}); salin berkasnya ke dalam",
            "symbolic link points outside the repository ({target}); copy the file in instead",
        ),
        "symlink_broken": (
            "tautan simbolik rusak (menunjuk ke {target} yang tidak ada atau berputar)",
            "broken symbolic link (points to {target}, which does not exist or loops)",
        ),
        "too_big": (
            "berkas terlalu besar ({size} KB, maksimum {limit} KB untuk satu draf)",
            "file too large ({size} KB, at most {limit} KB for one draft)",
        ),
        "empty": (
            "berkas kosong; draf perlu front matter (title, date, …) dan isi",
            "empty file; a draft needs front matter (title, date, …) and a body",
        ),
        "nul": (
            "berkas berisi byte NUL; ini berkas biner, bukan draf Markdown",
            "the file contains NUL bytes; it is binary, not a Markdown draft",
        ),
        "bad_name": (
            "nama berkas berisi karakter kendali atau byte bukan UTF-8 ({char}); ganti namanya "
            "dengan huruf, angka dan tanda hubung",
            "the file name contains a control character or a non-UTF-8 byte ({char}); rename it "
            "with letters, digits and hyphens",
        ),
        "symlink_absolute": (
            "tautan simbolik absolut (ke {target}) tidak diizinkan di content/; salin berkasnya",
            "absolute symbolic links (to {target}) are not allowed in content/; copy the file",
        ),
        "unreadable": ("berkas tidak dapat dibaca: {error}", "cannot read the file: {error}"),
    }
)


def _kind(ctx: Context, path: Path) -> Kind:
    relative = Path(os.path.abspath(path)).relative_to(ctx.content)
    return "page" if relative.parts[:1] == ("pages",) else "article"


def _link_target(path: Path) -> Path:
    target = Path(os.readlink(path))
    return Path(os.path.abspath(path.parent / target))


def symlink_finding(ctx: Context, path: Path, rel: str) -> Finding | None:
    """A symlink (anywhere along the path) that leaves the repository or dangles."""
    real = real_path(path)
    if real is None or not os.path.exists(real):
        shown = _link_target(path) if path.is_symlink() else path
        return Finding(rel, None, "symlink_broken", MSG("symlink_broken", target=shown))
    if not inside(real, ctx.root):
        shown = _link_target(path) if path.is_symlink() else real
        return Finding(rel, None, "symlink_outside", MSG("symlink_out", target=shown))
    return None


def name_finding(ctx: Context, path: Path) -> Finding | None:
    """A bad name (control characters, non-UTF-8 bytes) or an absolute symbolic link under
    content/: both are refused whatever the file is (the server refuses them too)."""
    absolute = Path(os.path.abspath(path))
    if not inside(absolute, ctx.content):
        return None
    rel = shown_name(ctx.rel(absolute))
    bad = bad_name_char(absolute.name)
    if bad is not None:
        return Finding(rel, None, "bad_name", MSG("bad_name", char=shown_name(bad)))
    if absolute.is_symlink() and os.readlink(absolute).startswith("/"):
        if leaving := symlink_finding(ctx, absolute, rel):
            return leaving  # out of the repository or dangling: the sharper message
        target = shown_name(os.readlink(absolute))
        return Finding(rel, None, "symlink_absolute", MSG("symlink_absolute", target=target))
    return None


def discover(ctx: Context, paths: list[Path]) -> tuple[list[Draft], list[Finding]]:
    """Drafts under ``paths`` (files or folders); findings for paths that may not be read.

    Files outside ``content/`` are not drafts and are skipped; a path that does not exist is a
    usage error.
    """
    drafts: dict[Path, Draft] = {}
    findings: list[Finding] = []

    def add(file: Path) -> None:
        absolute = Path(os.path.abspath(file))
        rel = ctx.rel(absolute)
        if not inside(absolute, ctx.root):
            findings.append(Finding(rel, None, "outside_repo", MSG("outside_repo")))
            return
        if named := name_finding(ctx, absolute):
            findings.append(named)
            return
        if not inside(absolute, ctx.content) or absolute.suffix.lower() not in SUFFIXES:
            return
        problem = symlink_finding(ctx, absolute, rel)
        if problem:
            findings.append(problem)
            return
        if not absolute.is_file():  # a FIFO or device would block or never end
            return
        drafts.setdefault(absolute, Draft(absolute, rel, _kind(ctx, absolute)))

    for given in paths:
        if not os.path.lexists(given):
            raise ConfigError(MSG("no_path"), path=str(given))
        if given.is_symlink() or not given.is_dir():
            add(given)
            continue
        absolute = Path(os.path.abspath(given))
        if not inside(absolute, ctx.root):
            findings.append(Finding(str(given), None, "outside_repo", MSG("outside_repo")))
            continue
        for folder, dirs, files in os.walk(absolute):
            base = Path(folder)
            for name in sorted(dirs):
                sub = base / name
                if named := name_finding(ctx, sub):
                    dirs.remove(name)
                    findings.append(named)
                    continue
                if name.startswith(".") or sub.is_symlink():
                    dirs.remove(name)
                    # A linked folder is not followed; report it only when it leads out.
                    if sub.is_symlink():
                        problem = symlink_finding(ctx, sub, ctx.rel(sub))
                        if problem and problem.code == "symlink_outside":
                            findings.append(problem)
            dirs.sort()
            for name in sorted(files):
                if not name.startswith("."):
                    add(base / name)
    return sorted(drafts.values(), key=lambda d: d.rel), findings


def read(ctx: Context, draft: Draft) -> list[Finding]:
    """Fill ``draft.text``; findings when the bytes cannot be a draft."""
    limit_kb = ctx.settings.draft_max_kb
    try:
        size = draft.path.stat().st_size
        if size > limit_kb * 1024:
            return [
                draft.find(1, "file_too_big", MSG("too_big", size=size // 1024, limit=limit_kb))
            ]
        data = draft.path.read_bytes()
    except OSError as error:
        return [draft.find(None, "unreadable", MSG("unreadable", error=error.strerror or error))]
    found = text_of(data, draft.rel)
    if isinstance(found, Finding):
        return [found]
    draft.text = found
    return []


def text_of(data: bytes, rel: str) -> str | Finding:
    """The text of a draft's bytes, or why they cannot be a draft (empty, not UTF-8, NUL)."""
    if not data.strip():
        return Finding(rel, 1, "empty", MSG("empty"))
    try:
        text = yamlsrc.decode(data, rel, error=InputError)
    except InputError as bad:
        return Finding(rel, bad.line, "not_utf8", bad.message)
    if "\x00" in text:
        return Finding(rel, text[: text.index("\x00")].count("\n") + 1, "nul", MSG("nul"))
    return text
