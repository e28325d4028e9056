"""A standing delegation for the tests: Hendra (Kepala Bagian Umum) is Plh. Kepala Satker for
the disposition (step 4) while Andi is recorded absent, 7-11 December 2026."""

from __future__ import annotations

from tests.support.gate import ROOT

HENDRA = """  - id: hendra
    name: Hendra Gunawan Sitepu, S.E., M.M.
    nip: "197803152003121001"
    jabatan: Kepala Bagian Umum
    email: hendra.sitepu@bbkkmedan.go.id
    ssh_key: null
    roles: [kabag_umum]
"""

RULE = """delegations:
  - role: kepala_satker
    steps: [4]
    person: hendra
    kind: Plh
    nomor: KEP-7/C.IX/I/2026
"""

ABSENT = """absent:
  - person: andi
    from: 2026-12-07
    to: 2026-12-11
    reason: Dinas luar ke Jakarta
"""


def roles_text(*, absent: str = ABSENT, extra: str = "") -> str:
    """The shipped roles.yml with Hendra, his own role, and ``absent``/``extra`` sections."""
    text = (ROOT / "roles.yml").read_text(encoding="utf-8")
    text = text.replace("people:\n", "  kabag_umum:\n    title: Kepala Bagian Umum\npeople:\n", 1)
    return text + HENDRA + absent + extra


def sop_text(rule: str = RULE) -> str:
    return (ROOT / "sop.yml").read_text(encoding="utf-8") + rule
