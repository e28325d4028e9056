"""What makes a Terbit PDF read as an official document: the kop's contact line, the
verification code and QR of the record's digest, how to verify, and the signature statement.

Shared by the Lembar Penyelesaian Pekerjaan and the compliance report.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from datetime import datetime

import segno

from pipeline.i18n import Catalog
from pipeline.record.model import Record

MSG = Catalog(
    {
        "contact": (
            "{address} · Telepon {telephone} · {website}",
            "{address} · Phone {telephone} · {website}",
        ),
        "verify_title": ("Verifikasi dokumen", "Verifying this document"),
        "code": ("Kode verifikasi", "Verification code"),
        "how": (
            "Kode dan QR adalah digest catatan {path} di repositori situs. Keaslian isinya "
            "diperiksa dengan `terbit verify` (digest, commit, tangkapan layar, tanda tangan "
            "ulasan dan tanda tangan PDF), dan tanda tangan elektronik PDF dengan pembaca PDF "
            "mana pun.",
            "The code and QR are the digest of the record {path} in the site's repository. Its "
            "content is checked with `terbit verify` (digest, commits, screenshots, review and "
            "PDF signatures), and the PDF's electronic signature with any PDF reader.",
        ),
        "approvals": ("Persetujuan digital", "Digital approvals"),
        "approval": (
            "Langkah {n}: {who} ({role}) menyetujui pada {at}; {sig}",
            "Step {n}: {who} ({role}) approved at {at}; {sig}",
        ),
        "sig_ok": ("tanda tangan ulasan terverifikasi", "review signature verified"),
        "sig_none": ("tanpa tanda tangan ulasan", "no review signature"),
        "signed": (
            "Dokumen ini ditandatangani secara elektronik (PAdES) dengan sertifikat kantor; "
            "blok tanda tangan ada di bagian bawah halaman terakhir.",
            "This document is signed electronically (PAdES) with the office certificate; the "
            "signature block is at the bottom of the last page.",
        ),
        "unsigned": (
            "Dokumen ini TIDAK ditandatangani secara elektronik: sertifikat kantor belum diatur "
            "(publish.signing di terbit.yml).",
            "This document is NOT signed electronically: no office certificate is configured "
            "(publish.signing in terbit.yml).",
        ),
    }
)

CSS = """
.kop p.contact { margin: 1pt 0 0; font-size: 7.8pt; font-weight: normal; letter-spacing: 0; }
.verify { margin-top: 8pt; border: .6pt solid #000; padding: 4pt; page-break-inside: avoid;
  display: flex; gap: 6pt; }
.verify img { width: 24mm; height: 24mm; }
.verify p { margin: 0 0 2pt; } .verify .code { font-family: "DejaVu Sans Mono", monospace;
  font-size: 10pt; font-weight: bold; }
.appendix { margin-top: 8pt; font-size: 7.6pt; color: #222; }
"""


def contact_line(address: str, telephone: str, website: str) -> str:
    return MSG("contact", address=address, telephone=telephone, website=website)


def short_code(digest: str) -> str:
    """``sha256:9f1c…`` → ``9F1C-2A7B-0C3D-4E5F``: enough to look a record up by hand."""
    hexpart = digest.split(":", 1)[-1][:16].upper()
    return "-".join(hexpart[i : i + 4] for i in range(0, 16, 4))


def qr_data_uri(text: str) -> str:
    """A QR code (segno) of ``text`` as an SVG data URI for the PDF."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=1, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


# pyHanko stamps the visible signature 14–35 mm above the last page's bottom edge: a signed
# document ends with this much blank space so the stamp never covers text.
STAMP_SPACE = '<div style="height: 24mm; page-break-inside: avoid"></div>'


def signature_note(signed: bool) -> str:
    return MSG("signed") if signed else MSG("unsigned")


def verify_block(digest: str, path: str, signed: bool, approvals: list[str]) -> str:
    """The HTML block stating the digital approvals and how to verify the document."""
    e = html.escape
    qr = qr_data_uri(f"TERBIT {path} {digest}")
    items = "".join(f"<p>• {e(a)}</p>" for a in approvals)
    approved = f"<p><b>{e(MSG('approvals'))}</b></p>{items}" if approvals else ""
    return (
        f'<div class="verify"><img src="{qr}" alt="QR {e(short_code(digest))}"><div>'
        f"<p><b>{e(MSG('verify_title'))}</b> — {e(MSG('code'))}: "
        f'<span class="code">{e(short_code(digest))}</span></p>'
        f"<p>{e(MSG('how', path=path))}</p>{approved}"
        f"<p><b>{e(signature_note(signed))}</b></p></div></div>"
    )


def approvals(record: Record, when: Callable[[datetime | None], str]) -> list[str]:
    """One line per approval that proved a step (from the record's signed evidence)."""
    reviews = {r.id: r for r in record.change.reviews}
    lines = []
    for step in record.steps:
        review = reviews.get(str(step.evidence.review))
        if review is None:
            continue
        person = step.pelaksana
        sig = MSG("sig_ok") if review.signature_ok else MSG("sig_none")
        lines.append(MSG("approval", n=step.number, who=person.name or "-",
                         role=person.role_title, at=when(review.at), sig=sig))  # fmt: skip
    return lines
