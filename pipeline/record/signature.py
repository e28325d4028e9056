"""PAdES signatures on the official PDFs (record and report), made and checked with pyHanko.

The office certificate is a PKCS#12 file outside the repository; its passphrase comes from the
environment only. ``sign_pdf`` adds a visible signature block on the last page; ``check_pdf``
says whether a PDF's signatures are intact, cryptographically valid, cover the whole file and
(when trust roots are configured) chain to them. One changed byte breaks it.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config.settings import SigningSettings
from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

if TYPE_CHECKING:  # pyHanko is imported only when a PDF is signed
    from pyhanko.sign.signers import SimpleSigner

MSG = Catalog(
    {
        "no_file": (
            "sertifikat penanda tangan {path} tidak ditemukan",
            "the signing certificate {path} does not exist",
        ),
        "in_repo": (
            "sertifikat penanda tangan {path} berada di dalam repositori; simpan di luar "
            "repositori (kunci privat tidak boleh ikut di-commit)",
            "the signing certificate {path} is inside the repository; keep it outside (a "
            "private key must never be committed)",
        ),
        "bad_p12": (
            "sertifikat {path} tidak dapat dibuka (berkas PKCS#12 atau kata sandi di {env} salah)",
            "the certificate {path} cannot be opened (wrong PKCS#12 file or passphrase in {env})",
        ),
        "stamp": (
            "Ditandatangani secara elektronik oleh:\n%(signer)s\nWaktu: %(ts)s",
            "Signed electronically by:\n%(signer)s\nTime: %(ts)s",
        ),
        "reason": ("Dokumen resmi {what}", "Official document {what}"),
        "unsigned": ("PDF tidak ditandatangani", "the PDF is not signed"),
        "broken": (
            "tanda tangan PDF tidak sah: isi berubah setelah ditandatangani atau tanda tangan "
            "rusak",
            "the PDF signature is not valid: the content changed after signing or the signature "
            "is damaged",
        ),
        "partial": (
            "tanda tangan PDF tidak meliputi seluruh berkas (ada tambahan setelah ditandatangani)",
            "the PDF signature does not cover the whole file (something was added after signing)",
        ),
        "untrusted": (
            "sertifikat penanda tangan PDF tidak berantai ke sertifikat tepercaya "
            "(publish.signing.trust)",
            "the PDF signer's certificate does not chain to a trusted certificate "
            "(publish.signing.trust)",
        ),
        "unreadable": ("PDF tidak dapat dibaca: {error}", "the PDF cannot be read: {error}"),
    }
)


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    problems: tuple[str, ...] = ()
    signer: str = ""


def certificate_path(settings: SigningSettings, repo_root: Path | None = None) -> Path | None:
    """The configured PKCS#12 file, or None when documents are to be unsigned."""
    value = os.environ.get(settings.pkcs12_env) or settings.pkcs12
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(MSG("no_file", path=path))
    if repo_root is not None and path.is_relative_to(repo_root.resolve()):
        raise ConfigError(MSG("in_repo", path=path))
    return path


def _signer(settings: SigningSettings, path: Path) -> SimpleSigner:
    from pyhanko.sign import signers

    secret = os.environ.get(settings.passphrase_env, "")
    # pyHanko logs a wrong passphrase with a traceback; the user gets our one-line error.
    quiet = logging.getLogger("pyhanko")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)
    try:
        # pyHanko leaves this classmethod unannotated.
        signer: SimpleSigner | None = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            str(path), passphrase=secret.encode("utf-8") if secret else None
        )
    finally:
        quiet.setLevel(level)
    if signer is None:
        raise ConfigError(MSG("bad_p12", path=path, env=settings.passphrase_env))
    return signer


def can_sign(settings: SigningSettings, repo_root: Path | None = None) -> bool:
    """True when a certificate is configured (and opens); raises ConfigError when it is
    configured but unusable, so a broken setup never silently yields unsigned documents."""
    path = certificate_path(settings, repo_root)
    if path is None:
        return False
    _signer(settings, path)
    return True


def sign_pdf(
    pdf: bytes,
    settings: SigningSettings,
    *,
    what: str,
    location: str,
    repo_root: Path | None = None,
) -> bytes:
    """``pdf`` with a PAdES signature and a visible block on its last page; unchanged when no
    certificate is configured."""
    path = certificate_path(settings, repo_root)
    if path is None:
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    signer = _signer(settings, path)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # Bottom-left of the last page, clear of the record's signature table (A4: 595 x 842 pt).
    spec = fields.SigFieldSpec("TerbitSignature", on_page=-1, box=(46, 40, 300, 100))
    fields.append_signature_field(writer, spec)
    meta = signers.PdfSignatureMetadata(
        field_name="TerbitSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=MSG("reason", what=what),
        location=location,
    )
    style = TextStampStyle(stamp_text=MSG("stamp"), border_width=1)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(writer, output=out)
    return out.getvalue()


def check_pdf(pdf: bytes, settings: SigningSettings | None = None) -> SignatureCheck:
    """Whether ``pdf`` is signed, and every reason its signatures do not hold."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a damaged PDF fails in many of pyHanko's ways
        return SignatureCheck(True, (MSG("unreadable", error=str(error)[:160]),))
    if not signatures:
        return SignatureCheck(False)
    roots = []
    if settings is not None and settings.trust:
        from asn1crypto import pem, x509

        for name in settings.trust:
            data = Path(name).expanduser().read_bytes()
            if pem.detect(data):
                data = pem.unarmor(data)[2]
            roots.append(x509.Certificate.load(data))
    problems: list[str] = []
    signer = ""
    for embedded in signatures:
        context = ValidationContext(trust_roots=roots or None, allow_fetching=False)
        try:
            status = validate_pdf_signature(embedded, context)
        except Exception:  # a mangled signature dictionary or CMS blob
            problems.append(MSG("broken"))
            continue
        signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
        if not (status.intact and status.valid):
            problems.append(MSG("broken"))
        elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(MSG("partial"))
        elif roots and not status.trusted:
            problems.append(MSG("untrusted"))
    return SignatureCheck(True, tuple(dict.fromkeys(problems)), signer)
