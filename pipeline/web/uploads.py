"""Photos uploaded in the editor, kept on the server until the draft is sent.

An upload is prepared at once (``photos.prepare``: checked by content, resized, no EXIF) and
kept in the writer's own folder, ``<server repo>/terbit/web/uploads/<person>/<sha256>``. The
form then carries only a reference, ``<sha256>/<file name>``, so the typed text and the photo
travel together through every later post without re-sending the picture. On sending, a
reference counts only if that person's folder holds a file whose content has that very sha256:
a reference copied from someone else's form, or edited, finds nothing and is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from pipeline.errors import InputError
from pipeline.i18n import Catalog
from pipeline.web.accounts import web_dir
from pipeline.web.photos import Photo

MSG = Catalog(
    {
        "unknown": (
            "foto '{name}' tidak ada di unggahan Anda; unggah fotonya lagi",
            "the photo '{name}' is not among your uploads; upload it again",
        ),
        "too_many": (
            "terlalu banyak foto untuk satu draf (maksimum {n})",
            "too many photos for one draft (at most {n})",
        ),
    }
)

REFERENCE = re.compile(r"^([0-9a-f]{64})/([a-z0-9][a-z0-9-]{0,80}\.(?:jpg|png|webp))$")
MAX_PHOTOS = 20  # a draft's photos; an article shows a handful
KEEP_S = 7 * 24 * 3600  # uploads never sent are dropped after a week


def _folder(server: Path, person_id: str) -> Path:
    return web_dir(server) / "uploads" / person_id


def keep(server: Path, person_id: str, photo: Photo) -> str:
    """Keep ``photo`` for ``person_id``; the reference the form carries."""
    folder = _folder(server, person_id)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - KEEP_S
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(photo.data).hexdigest()
    stem, _, suffix = photo.name.rpartition(".")
    # The short digest keeps two photos with the same name apart on main.
    name = f"{stem[:60]}-{digest[:8]}.{suffix}"
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(photo.data)
    os.replace(tmp, folder / digest)
    return f"{digest}/{name}"


SHOWN = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}-([0-9a-f]{8})\.(?:jpg|png|webp)$")


def find(server: Path, person_id: str, name: str) -> bytes | None:
    """The bytes of ``person_id``'s upload shown in the body as ``name`` (for the preview)."""
    match = SHOWN.match(name)
    folder = _folder(server, person_id)
    if match is None or not folder.is_dir():
        return None
    for path in folder.glob(match.group(1) + "*"):
        if REFERENCE.match(f"{path.name}/{name}"):
            return path.read_bytes()
    return None


def references(text: str) -> list[str]:
    """The references a form carries (one a line), in order, without repeats."""
    seen: list[str] = []
    for line in text.splitlines():
        if line.strip() and line.strip() not in seen:
            seen.append(line.strip())
    return seen


def load(server: Path, person_id: str, refs: list[str]) -> dict[str, bytes]:
    """``file name -> bytes`` of the referenced uploads of ``person_id``; an ``InputError``
    naming the first reference that is not theirs."""
    if len(refs) > MAX_PHOTOS:
        raise InputError(MSG("too_many", n=MAX_PHOTOS))
    found: dict[str, bytes] = {}
    for ref in refs:
        match = REFERENCE.match(ref)
        shown = ref.rsplit("/", 1)[-1][:80]
        path = _folder(server, person_id) / match.group(1) if match else None
        if match is None or path is None or not path.is_file():
            raise InputError(MSG("unknown", name=shown))
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != match.group(1):
            raise InputError(MSG("unknown", name=shown))
        found[match.group(2)] = data
    return found
