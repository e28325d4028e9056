"""Personal data in a draft: NIK, private phone numbers and e-mail addresses."""

from __future__ import annotations

from pipeline.draft.checks.base import Context, Draft, Finding
from pipeline.draft.privacy import Allowed, scan
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "nik": (
            "kemungkinan NIK (nomor induk kependudukan) {shown}: data pribadi tidak boleh "
            "dipublikasikan; hapus atau samarkan",
            "looks like an NIK (Indonesian ID number) {shown}: personal data must not be "
            "published; remove or mask it",
        ),
        "phone": (
            "nomor telepon {shown} tampak sebagai data pribadi; hapus, atau bila memang kontak "
            "resmi, tambahkan ke public_contacts",
            "phone number {shown} looks like personal data; remove it, or if it is an official "
            "contact, add it to public_contacts",
        ),
        "email": (
            "alamat e-mail pribadi {shown} tidak boleh dipublikasikan; hapus, atau bila memang "
            "kontak resmi, tambahkan ke public_contacts",
            "private e-mail address {shown} must not be published; remove it, or if it is an "
            "official contact, add it to public_contacts",
        ),
    }
)


def check_personal(ctx: Context, draft: Draft) -> list[Finding]:
    assert draft.text is not None
    contacts = list(ctx.settings.public_contacts)
    declared = draft.raw.get("public_contacts")
    if isinstance(declared, list):
        contacts += [c for c in declared if isinstance(c, str)]
    allowed = Allowed.of(contacts, ctx.settings.public_email_domains)
    return [
        draft.find(f.line, f"personal_{f.kind}", MSG(f.kind, shown=f.shown))
        for f in scan(draft.text, allowed)
    ]
