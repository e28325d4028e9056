"""What a page check found, in sentences (the record's reasons, the preview's error).

Apart from ``evidence.visitor`` so the record can word its reasons without loading the browser.
"""

from __future__ import annotations

from typing import Any

from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "violations": (
            "pemeriksaan halaman: {n} pelanggaran aksesibilitas ({rules})",
            "page check: {n} accessibility violations ({rules})",
        ),
        "broken": (
            "pemeriksaan halaman: {n} tautan/gambar internal rusak ({first})",
            "page check: {n} broken internal links/images ({first})",
        ),
    }
)


def findings(check: dict[str, Any]) -> list[str]:
    """Why a page check (``PageReport.data()``, as the record keeps it) is not clean, in the
    office's language: the violations, the broken links, the pages that could not be checked."""
    found = []
    violations, broken = check.get("violations") or [], check.get("broken_links") or []
    if violations:
        rules = ", ".join(sorted({v["rule"] for v in violations}))
        found.append(MSG("violations", n=len(violations), rules=rules))
    if broken:
        found.append(MSG("broken", n=len(broken), first=broken[0]["href"]))
    return found + list(check.get("problems") or [])
