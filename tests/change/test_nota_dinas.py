"""The nota dinas: both carriers (front matter, fenced yaml in a PR body), errors with lines."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.change.nota_dinas import parse_nota_dinas, render_nota_dinas, template
from pipeline.errors import InputError

FRONT = """---
nomor: ND-12/LPZI/XI/2026
yth: Kepala Balai Besar Kekarantinaan Kesehatan Medan
dari: Tim Kerja Layanan Publik
hal: Permohonan Publikasi Informasi Vaksinasi Meningitis
tanggal: 2026-11-28
sifat: Sangat Segera
lampiran:
  - Draf artikel vaksinasi
  - Foto kegiatan
nama: Rina Marlina Siregar, S.Kom.
nip: "199403122020122002"
---
Dengan hormat, bersama ini kami sampaikan draf informasi untuk dipublikasikan.

Terima kasih.
"""

PR_BODY = """<!-- Isi kolom nota dinas di bawah ini -->
## Nota Dinas

```yaml
nomor: ND-7/LPZI/XI/2026
yth: Kepala Balai Besar Kekarantinaan Kesehatan Medan
dari: Tim Kerja Surveilans
hal: Permohonan Publikasi Jadwal Layanan
tanggal: 28 November 2026
sifat: biasa
lampiran: 1 berkas draf
```

<!-- tulis isi nota dinas -->
Mohon jadwal layanan terlampir dipublikasikan.
"""


def error_of(text: str) -> str:
    with pytest.raises(InputError) as raised:
        parse_nota_dinas(text)
    return str(raised.value)


def test_front_matter_form():
    nd = parse_nota_dinas(FRONT)
    assert nd.nomor == "ND-12/LPZI/XI/2026"
    assert nd.tanggal == date(2026, 11, 28)
    assert nd.sifat == "sangat segera" and nd.sifat_title == "Sangat Segera"
    assert nd.lampiran == ["Draf artikel vaksinasi", "Foto kegiatan"]
    assert nd.isi.startswith("Dengan hormat") and nd.isi.endswith("Terima kasih.")
    assert nd.nip == "199403122020122002"


def test_pull_request_body_form_with_crlf_and_comments():
    nd = parse_nota_dinas(PR_BODY.replace("\n", "\r\n"))
    assert nd.nomor == "ND-7/LPZI/XI/2026"
    assert nd.tanggal == date(2026, 11, 28)  # Indonesian long date accepted
    assert nd.lampiran == ["1 berkas draf"]
    assert nd.isi == "Mohon jadwal layanan terlampir dipublikasikan."


def test_template_filled_in_parses_and_blank_template_is_refused():
    blank = template(tanggal=date(2026, 11, 28))
    assert 'nomor: ""' in blank
    assert error_of(blank) == "nota dinas:4: kolom 'nomor' wajib diisi"
    filled = template(nomor="ND-3/LPZI/XI/2026", dari="Rina", tanggal=date(2026, 11, 28))
    nd = parse_nota_dinas(filled)
    assert nd.dari == "Rina" and nd.hal == "Permohonan Publikasi Informasi"
    assert nd.lampiran == ["Draf artikel", "Data dukung"]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("nomor: ND-12/LPZI/XI/2026", "nomor: 12 LPZI 2026", 2,
         "nomor '12 LPZI 2026' tidak sesuai format, contoh: ND-12/LPZI/XI/2026"),
        ("nomor: ND-12/LPZI/XI/2026", "nomor: ND-12/LPZI/XIII/2026", 2, "tidak sesuai format"),
        ("hal: Permohonan Publikasi Informasi Vaksinasi Meningitis\n", "", 2,
         "kolom 'hal' wajib diisi"),
        ("dari: Tim Kerja Layanan Publik", "dari: ''", 4, "kolom 'dari' wajib diisi"),
        ("tanggal: 2026-11-28", "tanggal: besok", 6, "tanggal 'besok' tidak dikenali"),
        ("tanggal: 2026-11-28", "tanggal: 31 Februari 2026", 6, "tidak dikenali"),
        ("tanggal: 2026-11-28", "tanggal: 2026-02-30", 6,
         "tanggal '2026-02-30' tidak ada di kalender"),
        ("tanggal: 2026-11-28", "tanggal: 2026-10-28", 6,
         "nomor 'ND-12/LPZI/XI/2026' bertanggal XI/2026, tetapi tanggal nota dinas "
         "28 Oktober 2026"),
        ("tanggal: 2026-11-28", "tanggal: 28 November 2025", 6,
         "bulan dan tahun pada nomor harus sama dengan tanggalnya"),
        ("nip: \"199403122020122002\"", "nip: \"199413122020122002\"", 12,
         "8 angka pertama harus tanggal lahir"),
        ("sifat: Sangat Segera", "sifat: Rahasia", 7,
         "sifat 'Rahasia' tidak dikenal; pilih: Biasa, Segera, Sangat Segera"),
        ("nip: \"199403122020122002\"", "nip: 12345", 12, "NIP harus 18 angka"),
        ("nama: Rina", "penulis: Rina", 11, "kolom 'penulis' tidak dikenal"),
        ("lampiran:\n  - Draf artikel vaksinasi\n  - Foto kegiatan", "lampiran: {a: 1}", 8,
         "lampiran harus berupa teks atau daftar teks"),
        ("hal: Permohonan", "hal: Permohonan: [", 5, "YAML tidak valid"),
        ("Dengan hormat, bersama ini kami sampaikan draf informasi untuk dipublikasikan.\n\n"
         "Terima kasih.\n", "<!-- kosong -->\n", 14, "isi nota dinas kosong"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_at_their_line(old, new, line, message):
    assert old in FRONT
    error = error_of(FRONT.replace(old, new))
    assert error.startswith(f"nota dinas:{line}: ") and message in error, error


def test_structural_mistakes():
    assert error_of("") == (
        "nota dinas:1: nota dinas kosong; isi formulir nota dinas (nomor, yth, dari, hal, "
        "tanggal, sifat)"
    )
    assert "tidak ditemukan" in error_of("Mohon dipublikasikan.\n")
    assert error_of("\n---\nnomor: x\n").startswith("nota dinas:2: blok kolom nota dinas dibuka")
    assert error_of("teks\n```yaml\nnomor: x\n").startswith("nota dinas:2: blok kolom")
    assert error_of("---\n- a\n- b\n---\nisi\n").startswith("nota dinas:2: kolom nota dinas harus")
    with pytest.raises(InputError) as raised:
        parse_nota_dinas("", path="perubahan 12")
    assert str(raised.value).startswith("perubahan 12:1:")


def test_render_reads_like_a_memo_in_both_languages():
    nd = parse_nota_dinas(FRONT)
    text = render_nota_dinas(nd)
    assert text.startswith("NOTA DINAS\n")
    for line in (
        "Nomor    : ND-12/LPZI/XI/2026",
        "Tanggal  : 28 November 2026",
        "Sifat    : Sangat Segera",
        "Lampiran : 2 berkas",
        "1. Draf artikel vaksinasi",
        "NIP. 199403122020122002",
    ):
        assert line in text, line  # fmt: skip
    english = render_nota_dinas(nd, "en")
    assert "Subject     : Permohonan Publikasi" in english and "28 November 2026" in english
    assert render_nota_dinas(nd).startswith("NOTA DINAS\n")  # the language switch did not leak


def test_keys_may_be_written_like_the_paper_form_but_not_twice():
    nd = parse_nota_dinas(FRONT.replace("yth:", "Yth.:").replace("hal:", "Hal:"))
    assert nd.yth.startswith("Kepala Balai") and nd.hal.startswith("Permohonan")
    twice = FRONT.replace("dari: Tim", "Yth.: Kepala\ndari: Tim")
    assert error_of(twice) == "nota dinas:4: kolom 'Yth.' ditulis dua kali (juga di baris 3)"
    assert error_of(FRONT.replace("nip:", "isi: [a, b]\nnip:")).startswith(
        "nota dinas:12: kolom 'isi' harus berupa teks"
    )


def test_month_of_the_number_may_be_written_in_digits():
    nd = parse_nota_dinas(FRONT.replace("ND-12/LPZI/XI/2026", "ND-12/LPZI/11/2026"))
    assert nd.nomor == "ND-12/LPZI/11/2026" and nd.tanggal == date(2026, 11, 28)
    wrong = FRONT.replace("ND-12/LPZI/XI/2026", "ND-12/LPZI/12/2026")
    assert error_of(wrong).startswith("nota dinas:6: nomor 'ND-12/LPZI/12/2026' bertanggal XII/")


def test_the_written_reason_of_an_urgent_memo_is_kept_and_only_for_sangat_segera():
    reason = "sifat: Sangat Segera\nalasan_segera: KLB difteri;  hari ini\n"
    urgent = FRONT.replace("sifat: Sangat Segera\n", reason)
    nd = parse_nota_dinas(urgent)
    assert (nd.alasan_segera, nd.sifat_line) == ("KLB difteri; hari ini", 7)
    with pytest.raises(InputError) as error:
        parse_nota_dinas(urgent.replace("sifat: Sangat Segera", "sifat: Segera"))
    assert (error.value.line, "'alasan_segera' hanya untuk sifat Sangat Segera") == (
        8, str(error.value).split(": ", 1)[1].split(" (")[0])  # fmt: skip
