"""Standing delegations in sop.yml and absences in roles.yml: every mistake at its line."""

from __future__ import annotations

import pytest

from pipeline.config.roles import load_roles
from pipeline.config.sop import load_sop
from pipeline.errors import ConfigError
from pipeline.gate import policy_at
from tests.support.delegation import ABSENT, RULE, roles_text, sop_text

SOP_LINES = sop_text("").count("\n")  # the rule starts on the next line
ROLES_LINES = roles_text(absent="").count("\n")


def load(rule: str = RULE):
    roles = load_roles(roles_text())
    people = {p.id: p.roles for p in roles.people}
    return load_sop(sop_text(rule), known_roles=roles.titles, people=people), roles


def sop_error(rule: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        load(rule)
    return raised.value


def test_the_rule_and_the_absence_load():
    sop, roles = load()
    (rule,) = sop.delegations
    assert (rule.role, rule.steps, rule.person, rule.kind) == ("kepala_satker", (4,), "hendra",
                                                               "Plh")  # fmt: skip
    assert rule.nomor == "KEP-7/C.IX/I/2026" and rule.line == SOP_LINES + 2
    (away,) = roles.absent
    assert (away.person, str(away.start), str(away.to)) == ("andi", "2026-12-07", "2026-12-11")
    # Without 'steps' the rule covers every review/approval step of the role.
    every, _ = load(RULE.replace("    steps: [4]\n", ""))
    assert every.delegations[0].steps == (4,)


@pytest.mark.parametrize(
    ("old", "new", "offset", "message"),
    [
        ("role: kepala_satker", "role: kepala", 2, "peran 'kepala' tidak dikenal"),
        ("steps: [4]", "steps: [9]", 3, "langkah 9 tidak ada di 'steps' SOP ini"),
        ("steps: [4]", "steps: []", 3, "'delegations.steps'"),
        ("steps: [4]", "steps: [5]", 3,
         "langkah 5 bukan langkah pemeriksaan/persetujuan peran kepala_satker"),
        ("steps: [4]", "steps: [6]", 3,
         "langkah 6 bukan langkah pemeriksaan/persetujuan peran kepala_satker"),
        ("person: hendra", "person: hendro", 4, "orang 'hendro' tidak ada di 'people' roles.yml"),
        ("person: hendra", "person: andi", 4,
         "andi sudah memegang peran kepala_satker; pelimpahan tidak diperlukan"),
        ("person: hendra", "by_role: kepala", 4, "peran 'kepala' tidak dikenal"),
        ("person: hendra", "by_role: kepala_satker", 2,
         "'by_role' (kepala_satker) sama dengan peran yang diwakili"),
        ("person: hendra", "person: hendra\n    by_role: katimker_lpzi", 2,
         "sebutkan tepat satu dari 'person' (satu orang) atau 'by_role'"),
        ("kind: Plh", "kind: Pjs", 5, "'Plh', 'Plt'"),
        ("kind: Plh", "kind: Plh\n    when: cuti", 6, "'absent'"),
        ("    nomor: KEP-7/C.IX/I/2026\n", "", 2, "'delegations.nomor' wajib diisi"),
    ],
)  # fmt: skip
def test_rule_mistakes_are_located(old, new, offset, message):
    error = sop_error(RULE.replace(old, new))
    assert error.line == SOP_LINES + offset, str(error)
    assert message in str(error), str(error)


def test_a_role_approving_no_step_cannot_be_stood_in_for():
    error = sop_error(RULE.replace("role: kepala_satker", "role: staf").replace(
        "    steps: [4]\n", ""))  # fmt: skip
    assert error.line == SOP_LINES + 2
    assert "peran staf tidak menyetujui langkah mana pun" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "offset", "message"),
    [
        ("person: andi", "person: ando", 2, "orang 'ando' tidak ada di 'people' roles.yml"),
        ("to: 2026-12-11", "to: 2026-12-01", 2,
         "'to' (2026-12-01) tidak boleh sebelum 'from' (2026-12-07)"),
    ],
)  # fmt: skip
def test_absence_mistakes_are_located(old, new, offset, message):
    with pytest.raises(ConfigError) as raised:
        load_roles(roles_text(absent=ABSENT.replace(old, new)))
    assert raised.value.line == ROLES_LINES + offset, str(raised.value)
    assert message in str(raised.value)


def test_the_gate_s_policy_checks_the_people_a_rule_names():
    files = {"roles.yml": roles_text(), "sop.yml": sop_text(RULE.replace("hendra", "hendro"))}
    with pytest.raises(ConfigError) as raised:
        policy_at(files.get)
    assert str(raised.value).startswith(f"sop.yml:{SOP_LINES + 4}: orang 'hendro' tidak ada")


def test_english_messages():
    from contextvars import copy_context

    from pipeline.i18n import set_lang

    def run() -> str:
        set_lang("en")
        return str(sop_error(RULE.replace("steps: [4]", "steps: [5]")))

    assert "step 5 is not a review/approval step of the role kepala_satker" in copy_context().run(
        run
    )
