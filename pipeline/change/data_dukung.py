"""The SOP's *data dukung*: supporting documents that travel with a change, never to the site.

Terms of reference, original photos, a scan of the signed nota dinas: evidence for the
reviewers and the completion record, like the nota dinas itself. They are untrusted bytes, so
each is judged by its content (the type it claims by its name must be the type its bytes are),
its size, and a name reduced to one safe file name (no folder, no hidden file, no control
characters). Only a short list of document and image types is accepted: never HTML or SVG,
which a browser would run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import filetype

from pipeline.errors import InputError
from pipeline.i18n import Catalog

# Media type (as found in the bytes) -> the file name endings that may carry it.
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
}
FOLDER = "data-dukung"  # the record's sub-folder that keeps them
NAME_MAX = 120
_UNSAFE = re.compile(r"[^\w.\- ()+,]+")

MSG = Catalog(
    {
        "empty": ("berkas data dukung '{name}' kosong", "supporting document '{name}' is empty"),
        "too_big": (
            "berkas data dukung '{name}' berukuran {size} KB, melebihi batas {limit} KB "
            "(data_dukung.max_kb di terbit.yml)",
            "supporting document '{name}' is {size} KB, over the limit of {limit} KB "
            "(data_dukung.max_kb in terbit.yml)",
        ),
        "type": (
            "berkas data dukung '{name}' bukan jenis yang diterima (isinya: {found}); yang "
            "diterima: PDF, JPEG, PNG, DOCX, XLSX, ODT",
            "supporting document '{name}' is not an accepted type (its content: {found}); "
            "accepted: PDF, JPEG, PNG, DOCX, XLSX, ODT",
        ),
        "ending": (
            "nama berkas data dukung '{name}' tidak cocok dengan isinya ({type}); beri akhiran "
            "{endings}",
            "the name of supporting document '{name}' does not match its content ({type}); "
            "name it with {endings}",
        ),
        "bad_name": (
            "nama berkas data dukung '{name}' tidak dapat dipakai; beri nama biasa seperti "
            "kak-kegiatan.pdf",
            "the name of supporting document '{name}' cannot be used; give it a plain name "
            "such as kak-kegiatan.pdf",
        ),
        "twice": (
            "data dukung bernama '{name}' sudah ada pada perubahan ini; beri nama lain",
            "a supporting document named '{name}' is already on this change; rename it",
        ),
        "too_many": (
            "perubahan ini akan memuat {count} data dukung, melebihi batas {limit} "
            "(data_dukung.max_files di terbit.yml)",
            "this change would hold {count} supporting documents, over the limit of {limit} "
            "(data_dukung.max_files in terbit.yml)",
        ),
        "unknown": ("tidak dikenal", "unknown"),
    }
)


@dataclass(frozen=True)
class FileFacts:
    """What a supporting document is, as the signed ``attach`` event states it."""

    name: str
    media_type: str
    size: int
    sha256: str

    def data(self) -> dict[str, object]:
        return {"name": self.name, "type": self.media_type, "size": self.size,
                "sha256": self.sha256}  # fmt: skip


@dataclass(frozen=True)
class SupportingFile:
    """A supporting document on a change: its facts, who attached it when, and the proof."""

    name: str
    media_type: str
    size: int
    sha256: str
    by: str
    at: datetime
    event: str  # the id of the record that carries it (a meta commit, on the embedded forge)
    signature_ok: bool | None = None


def safe_name(raw: str) -> str:
    """One plain file name from whatever a person (or an attacker) sent: the last path part,
    NFC, no control or shell-special characters, no leading dot; raises when nothing is left."""
    base = re.split(r"[\\/]", raw)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("-", base).strip(" .-")
    stem, dot, ending = base.rpartition(".")
    if not dot or not stem or not ending:
        raise InputError(MSG("bad_name", name=raw))
    if len(base) > NAME_MAX:
        base = stem[: NAME_MAX - len(ending) - 1].rstrip(" .-") + "." + ending
    return base


def inspect(raw_name: str, data: bytes, *, max_kb: int) -> FileFacts:
    """The facts of one supporting document, or an ``InputError`` saying what is wrong."""
    name = safe_name(raw_name)
    if not data:
        raise InputError(MSG("empty", name=name))
    if len(data) > max_kb * 1024:
        raise InputError(MSG("too_big", name=name, size=-(-len(data) // 1024), limit=max_kb))
    found = filetype.guess_mime(data)
    if found not in ALLOWED:
        raise InputError(MSG("type", name=name, found=found or MSG("unknown")))
    endings = ALLOWED[found]
    if not name.lower().endswith(endings):
        raise InputError(MSG("ending", name=name, type=found, endings=" / ".join(endings)))
    return FileFacts(name, found, len(data), hashlib.sha256(data).hexdigest())


def check_names(existing: list[str], new: list[str], *, max_files: int) -> None:
    """No two supporting documents of a change share a name; their count stays in bounds."""
    seen = {n.lower() for n in existing}
    for name in new:
        if name.lower() in seen:
            raise InputError(MSG("twice", name=name))
        seen.add(name.lower())
    if len(seen) > max_files:
        raise InputError(MSG("too_many", count=len(seen), limit=max_files))
