"""Indonesian for click's own words (usage, options, usage errors).

click looks its strings up through ``gettext`` bound at import as each module's ``_``; pointing
that name at this table is the smallest way to make ``--help`` and usage errors speak the
user's language without shipping compiled catalogues.
"""

from __future__ import annotations

import importlib

from pipeline.i18n import get_lang

INDONESIAN: dict[str, str] = {
    "Usage:": "Penggunaan:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "Error: {message}": "Kesalahan: {message}",
    "Try '{command} {option}' for help.": "Coba '{command} {option}' untuk bantuan.",
    "Invalid value for {param_hint}: {message}": "Nilai tidak valid untuk {param_hint}: {message}",
    "Invalid value: {message}": "Nilai tidak valid: {message}",
    "Missing argument": "Argumen belum diisi",
    "Missing option": "Opsi belum diisi",
    "Missing parameter": "Parameter belum diisi",
    "Missing command.": "Perintah belum diberikan.",
    "No such command {name!r}.": "Perintah {name!r} tidak dikenal.",
    "No such option {name!r}.": "Opsi {name!r} tidak dikenal.",
    "Aborted!": "Dibatalkan.",
    "default: {default}": "bawaan: {default}",
    "env var: {var}": "variabel lingkungan: {var}",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan {number_type} yang valid.",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulis.",
    "Choose from:\n\t{choices}": "Pilih dari:\n\t{choices}",
    "Got unexpected extra argument ({args})": "Argumen tambahan tidak dikenal ({args})",
    "Got unexpected extra arguments ({args})": "Argumen tambahan tidak dikenal ({args})",
    "file": "berkas",
    "directory": "folder",
    "path": "jalur",
    "Confirm the action without prompting.": "Setujui tanpa bertanya.",
    "Do you want to continue?": "Lanjutkan?",
}

_MODULES = ("core", "exceptions", "formatting", "decorators", "types", "termui", "parser")


def _translate(message: str) -> str:
    if get_lang() == "en":
        return message
    return INDONESIAN.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def install() -> None:
    """Route click's message lookups through the table above (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = _translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
