"""sop.yml and roles.yml: the shipped files load; every mistake is reported at its line."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from pipeline.config.roles import key_problem, load_roles, nip_problem
from pipeline.config.sop import load_sop
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SOP_TEXT = (ROOT / "sop.yml").read_text("utf-8")
ROLES_TEXT = (ROOT / "roles.yml").read_text("utf-8")


def ed25519(seed: int) -> str:
    """A well-formed OpenSSH ed25519 public key line (type string + 32 key bytes)."""
    kind = b"ssh-ed25519"
    blob = len(kind).to_bytes(4, "big") + kind + (32).to_bytes(4, "big") + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} orang{seed}@kantor"


def error_of(loader, text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        loader(text)
    return str(raised.value)


# --- sop.yml -------------------------------------------------------------------------------


def test_shipped_sop_has_the_eight_steps_of_the_seed():
    sop = load_sop(SOP_TEXT)
    assert [s.minutes for s in sop.steps] == [60, 30, 60, 10, 60, 30, 15, 15]
    assert sop.total_minutes == 280
    assert [s.proof for s in sop.steps] == [
        "draft_commit", "change_opened", "review", "approval", "review", "deploy", "notice",
        "record",
    ]  # fmt: skip
    assert [s.role for s in sop.steps] == ["staf", "staf", "katimker_lpzi", "kepala_satker",
                                           "katimker_lpzi", "admin_website", "admin_website",
                                           "admin_website"]  # fmt: skip
    assert [s.number for s in sop.steps if s.bound_to_head] == [5]
    assert sop.step(4).kegiatan.startswith("Mendisposisikan nota dinas")
    assert sop.step(6).output == "Screenshot hasil publikasi laporan di website"
    assert sop.ordered and sop.protected_role == "kepala_satker"
    assert {"sop.yml", "roles.yml", ".github/**", "pipeline/**"} <= set(sop.protected_paths)


MINI = """\
ordered: true
steps:
  - number: 1
    kegiatan: Memeriksa
    role: katimker_lpzi
    minutes: 60
    proof: review
  - number: 2
    kegiatan: Menyetujui
    role: kepala_satker
    minutes: 10
    proof: approval
"""


def test_minimal_sop_loads_and_review_steps_need_their_role():
    sop = load_sop(MINI)
    assert [s.approver_role for s in sop.steps] == ["katimker_lpzi", "kepala_satker"]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("role: kepala_satker", "role: kepala", 10, "peran 'kepala' tidak dikenal"),
        ("number: 2", "number: 1", 8, "nomor langkah 1 dipakai dua kali (juga di baris 3)"),
        ("minutes: 10", "minutes: 0", 11, "'steps.minutes' harus lebih dari 0"),
        ("minutes: 10", "minutes: -5", 11, "'steps.minutes' harus lebih dari 0"),
        ("minutes: 10", "minutes: sepuluh", 11, "'steps.minutes' harus berupa bilangan bulat"),
        ("proof: approval", "proof: tanda_tangan", 12,
         "'steps.proof' harus salah satu dari: 'draft_commit'"),
        ("    role: kepala_satker\n", "", 8, "kolom 'steps.role' wajib diisi"),
        ("minutes: 10", "minutes: 10\n    waktu: 10", 12, "kolom 'steps.waktu' tidak dikenal"),
    ],
)  # fmt: skip
def test_sop_mistakes_are_located(old, new, line, message):
    error = error_of(load_sop, MINI.replace(old, new))
    assert error.startswith(f"sop.yml:{line}: {message}"), error


def test_sop_checks_roles_against_the_roles_file():
    text = MINI.replace("role: katimker_lpzi", "role: humas")
    assert load_sop(text, known_roles=["humas", "kepala_satker"]).steps[0].role == "humas"
    assert "peran 'humas' tidak dikenal" in error_of(load_sop, text)


def test_bound_to_head_only_on_review_steps():
    text = MINI + "  - number: 3\n    kegiatan: X\n    role: staf\n    minutes: 5\n" \
        "    proof: deploy\n    bound_to_head: true\n"  # fmt: skip
    assert error_of(load_sop, text).startswith("sop.yml:13: 'steps': 'bound_to_head' hanya")


def test_sop_without_any_review_step_is_refused():
    text = MINI.replace("proof: review", "proof: notice").replace("proof: approval", "proof: merge")
    assert "tidak punya langkah 'review' atau 'approval'" in error_of(load_sop, text)


def test_protected_path_patterns_are_validated_and_matched():
    text = MINI + "protected:\n  role: kepala_satker\n  paths: [theme/**, ../etc/passwd]\n"
    assert error_of(load_sop, text).startswith("sop.yml:15: 'protected.paths': pola berkas")
    sop = load_sop(MINI + "protected:\n  paths: ['theme/**', '*.py', 'docs/']\n")
    assert sop.is_protected("theme/templates/base.html") and sop.is_protected("setup.py")
    assert sop.is_protected("docs/a/b.md")
    assert not sop.is_protected("pipeline/x.py") and not sop.is_protected("themes/x")


def test_sop_yaml_syntax_error_is_located():
    assert error_of(load_sop, MINI.replace("minutes: 60", "minutes: [60")).startswith("sop.yml:")


# --- roles.yml -----------------------------------------------------------------------------


def test_shipped_roles_have_the_demo_office():
    roles = load_roles(ROLES_TEXT)
    assert [p.id for p in roles.people] == ["rina", "budi", "sari", "andi", "dewi"]
    assert [p.id for p in roles.members("katimker_lpzi")] == ["sari"]
    assert roles.role_titles["katimker_lpzi"] == "Katimker Layanan Publik dan Zona Integritas"
    assert roles.role_titles["staf"] == "Staf Tim Kerja"
    assert roles.by_email("SARI.LUBIS@bbkkmedan.go.id").id == "sari"
    assert roles.by_github("Andi-Harahap").id == "andi"
    assert roles.by_email("someone@else.test") is None and roles.by_github(None) is None
    assert all(p.email.endswith("@bbkkmedan.go.id") and len(p.nip) == 18 for p in roles.people)


ONE = """\
people:
  - id: rina
    name: Rina
    nip: "199403122020122002"
    email: rina@kantor.go.id
    github: rina-x
    roles: [staf]
  - id: sari
    name: Sari
    nip: "198505212010122003"
    email: sari@kantor.go.id
    roles: [katimker_lpzi]
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("roles: [staf]", "roles: [penulis]", 7, "peran 'penulis' tidak dikenal"),
        ("id: sari", "id: rina", 8, "id 'rina' sudah dipakai oleh 'rina' (baris 2)"),
        ("sari@kantor.go.id", "RINA@kantor.go.id", 11, "email 'rina@kantor.go.id' sudah dipakai"),
        ("roles: [katimker_lpzi]", "github: RINA-X\n    roles: [katimker_lpzi]", 12,
         "github 'rina-x' sudah dipakai oleh 'rina'"),
        ('"198505212010122003"', '"1985052120101220"', 10, "NIP harus 18 angka"),
        ('"198505212010122003"', '"198513212010122003"', 10, "tanggal lahir TTTTBBHH"),
        ('"198505212010122003"', '"198505212001122003"', 10, "TMT pengangkatan"),
        ('"198505212010122003"', '"198505212010133003"', 10, "TMT pengangkatan"),
        ('"198505212010122003"', '"198505212010123003"', 10, "jenis kelamin) harus 1 atau 2"),
        ('"198505212010122003"', '"198505212010122000"', 10, "nomor urut) tidak boleh 000"),
        ("sari@kantor.go.id", "sari-at-kantor", 11, "alamat e-mail 'sari-at-kantor' tidak valid"),
        ("roles: [katimker_lpzi]", "roles: []", 12, "tidak boleh kosong"),
        ("    roles: [katimker_lpzi]\n", "", 8, "kolom 'people.roles' wajib diisi"),
    ],
)  # fmt: skip
def test_roles_mistakes_are_located(old, new, line, message):
    error = error_of(load_roles, ONE.replace(old, new))
    assert error.startswith(f"roles.yml:{line}:") and message in error, error


def test_ssh_keys_are_checked_and_matched():
    key = ed25519(7)
    assert key_problem(key) is None
    roles = load_roles(ONE.replace("roles: [staf]", f"roles: [staf]\n    ssh_key: {key}"))
    assert roles.by_ssh_key(" ".join(key.split()[:2]) + " other-comment").id == "rina"
    assert roles.allowed_signers("terbit").startswith('rina namespaces="terbit" ssh-ed25519 AAAA')
    bad = {
        "ssh-ed25519": "ssh_key harus satu baris kunci publik",
        "ssh-dss AAAAB3NzaC1kc3M= x": "jenis kunci 'ssh-dss' tidak didukung",
        "ssh-ed25519 bukan-base64!! x": "isi kunci publik rusak",
        key.replace("ssh-ed25519", "ssh-rsa"): "rusak (bukan base64 jenis 'ssh-rsa')",
    }  # fmt: skip
    for line, message in bad.items():
        text = ONE.replace("roles: [staf]", f"roles: [staf]\n    ssh_key: {line}")
        assert message in error_of(load_roles, text)
        assert error_of(load_roles, text).startswith("roles.yml:8:")
    twice = ONE.replace("roles: [staf]", f"roles: [staf]\n    ssh_key: {key}").replace(
        "roles: [katimker_lpzi]", f"roles: [katimker_lpzi]\n    ssh_key: {key}"
    )
    assert "ssh_key" in error_of(load_roles, twice) and "sudah dipakai oleh 'rina'" in error_of(
        load_roles, twice
    )


def test_inactive_people_are_not_members():
    roles = load_roles(
        ONE.replace("roles: [katimker_lpzi]", "roles: [katimker_lpzi]\n    active: false")
    )
    assert roles.members("katimker_lpzi") == []
    assert [p.id for p in roles.members("katimker_lpzi", include_inactive=True)] == ["sari"]
    assert not roles.by_id["sari"].has_role("katimker_lpzi")


def test_custom_roles_replace_the_defaults():
    text = "roles:\n  humas:\n    title: Tim Humas\n" + ONE.replace("[staf]", "[humas]").replace(
        "[katimker_lpzi]", "[humas]"
    )
    roles = load_roles(text)
    assert roles.role_titles == {"humas": "Tim Humas"} and roles.title("lainnya") == "lainnya"


def test_unquoted_nip_number_is_accepted_and_kept_as_text():
    roles = load_roles(ONE.replace('"199403122020122002"', "199403122020122002"))
    assert roles.by_id["rina"].nip == "199403122020122002"


def test_nip_rules_directly():
    assert nip_problem("198703152010122001") is None
    assert nip_problem("203003152010122001") is not None  # born in the future
    assert nip_problem("19870315201012200A") is not None


@pytest.mark.parametrize(
    ("loader", "text", "expected"),
    [
        (load_roles, "", "roles.yml:1: berkas kosong; isi kolom wajibnya"),
        (load_roles, "people: []\n", "roles.yml:1: 'people' harus berisi minimal satu orang"),
        (load_roles, "people:\n", "roles.yml:1: 'people' harus berupa daftar"),
        (load_roles, "- rina\n", "roles.yml:1: isi berkas harus berupa pemetaan"),
        (load_roles, "roles: {}\n" + ONE, "roles.yml:1: 'roles' tidak boleh kosong"),
        (load_sop, "", "sop.yml:1: berkas kosong"),
        (load_sop, "steps: []\n", "sop.yml:1: 'steps' harus berisi minimal satu langkah"),
    ],
)
def test_empty_or_hollow_files_are_located(loader, text, expected):
    assert error_of(loader, text).startswith(expected)


def test_person_in_no_role_is_refused_at_their_line():
    text = ONE.replace("    roles: [staf]\n", "    roles:\n")
    assert error_of(load_roles, text).startswith("roles.yml:7: 'people.roles' harus berupa daftar")


def test_a_roles_holders_are_its_active_members_and_its_plh_on_the_days_they_serve():
    """Who is told that something waits for a role (reminders, the GitHub mentions): its
    members, and a Plh only within the days of the assignment in the office's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wib = ZoneInfo("Asia/Jakarta")
    roles = load_roles(
        ROLES_TEXT + "acting:\n  - person: budi\n    role: kepala_satker\n    kind: Plh\n"
        "    from: 2026-12-07\n    to: 2026-12-11\n    nomor: SPT-45/C.IX/XII/2026\n"
    )

    def ids(at: datetime) -> list[str]:
        return [p.id for p in roles.holders("kepala_satker", at, wib)]

    assert ids(datetime(2026, 12, 6, 16, 59, tzinfo=ZoneInfo("UTC"))) == ["andi"]  # 23:59 WIB
    assert ids(datetime(2026, 12, 6, 17, 0, tzinfo=ZoneInfo("UTC"))) == ["andi", "budi"]
    assert ids(datetime(2026, 12, 11, 12, 0, tzinfo=wib)) == ["andi", "budi"]
    assert ids(datetime(2026, 12, 12, 0, 0, tzinfo=wib)) == ["andi"]
    assert [p.id for p in roles.holders("katimker_lpzi", datetime(2026, 12, 8, tzinfo=wib), wib)
            ] == ["sari"]  # fmt: skip
