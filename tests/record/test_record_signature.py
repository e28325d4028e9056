"""The official PDFs: kop contact, verification code and QR, and the PAdES signature
(signed with a test CA's certificate; one changed byte breaks it; unsigned says so)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.config.settings import SigningSettings
from pipeline.errors import ConfigError
from pipeline.record.official import short_code
from pipeline.record.render import to_html, to_pdf
from pipeline.record.signature import can_sign, check_pdf, sign_pdf
from tests.support.pki import PASSPHRASE, make_office_pki
from tests.support.record import TZ, as_record, sample

CONTACT = "Jl. Kapten Sumarsono No. 3, Medan · Telepon (061) 6941343 · bbkkmedan.go.id"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    file = tmp_path / "doc.pdf"
    file.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(file), "-"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_office_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def signing(pki, monkeypatch: pytest.MonkeyPatch) -> SigningSettings:
    ca, p12 = pki
    monkeypatch.setenv("TERBIT_SIGN_PASSPHRASE", PASSPHRASE)
    return SigningSettings(pkcs12=str(p12), trust=[str(ca)])


def test_an_unsigned_record_says_so_and_how_to_verify(tmp_path: Path) -> None:
    record = sample()
    text = text_of(to_pdf(as_record(record), tmp_path, TZ, contact=CONTACT), tmp_path)
    assert "Telepon (061) 6941343" in text and "bbkkmedan.go.id" in text
    assert "Dokumen ini TIDAK ditandatangani secara elektronik" in text
    assert f"Kode verifikasi: {short_code(record['digest'])}" in text
    assert "terbit verify" in text
    # Technical details are an appendix after the signatures.
    assert (
        text.index("Mengetahui,")
        < text.index("Lampiran: rincian teknis")
        < text.index(record["merge_commit"])
    )
    page = to_html(as_record(record), TZ, contact=CONTACT)
    assert page.count("data:image/svg+xml;base64,") == 1  # the QR (segno)
    assert check_pdf(to_pdf(as_record(record), tmp_path, TZ)).signed is False


def test_a_signed_record_validates_and_one_changed_byte_breaks_it(
    tmp_path: Path, signing: SigningSettings
) -> None:
    assert can_sign(signing)
    pdf = to_pdf(as_record(sample()), tmp_path, TZ, contact=CONTACT, signed=True)
    signed = sign_pdf(pdf, signing, what="7-aaaa", location="Medan")
    check = check_pdf(signed, signing)
    assert check.signed and check.problems == ()
    assert "Balai Besar Kekarantinaan Kesehatan Medan" in check.signer
    text = text_of(signed, tmp_path)
    assert "ditandatangani secara elektronik (PAdES)" in text
    assert "Ditandatangani secara elektronik oleh:" in text  # the visible signature block
    for where in (len(signed) // 3, len(signed) // 2, len(signed) - 200):
        damaged = bytearray(signed)
        damaged[where] ^= 0x01
        assert check_pdf(bytes(damaged), signing).problems, where
    appended = check_pdf(signed + b"\n% added later\n", signing)
    assert appended.problems


def test_a_certificate_from_another_ca_is_not_trusted(
    tmp_path: Path, signing: SigningSettings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other_ca, _ = make_office_pki(tmp_path_factory.mktemp("other"))
    signed = sign_pdf(
        to_pdf(as_record(sample()), tmp_path, TZ), signing, what="x", location="Medan"
    )
    stranger = SigningSettings(trust=[str(other_ca)])
    assert any("tepercaya" in p for p in check_pdf(signed, stranger).problems)


def test_bad_certificate_settings_are_clear_errors(
    pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, p12 = pki
    monkeypatch.setenv("TERBIT_SIGN_PASSPHRASE", "salah")
    with pytest.raises(ConfigError) as wrong:
        can_sign(SigningSettings(pkcs12=str(p12)))
    assert "kata sandi di TERBIT_SIGN_PASSPHRASE salah" in str(wrong.value)
    with pytest.raises(ConfigError) as missing:
        can_sign(SigningSettings(pkcs12=str(tmp_path / "tidak-ada.p12")))
    assert "tidak ditemukan" in str(missing.value)
    with pytest.raises(ConfigError) as inside:
        can_sign(SigningSettings(pkcs12=str(p12)), repo_root=p12.parent)
    assert "di dalam repositori" in str(inside.value)
    monkeypatch.delenv("TERBIT_SIGN_PKCS12", raising=False)
    assert can_sign(SigningSettings()) is False
