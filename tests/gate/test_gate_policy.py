"""The policy (sop.yml, roles.yml) is read from the target branch, never from the change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.errors import ConfigError
from pipeline.gate import evaluate, policy_at, policy_ref
from tests.support.gate import C_HEAD, ROOT, review

BASE = {
    "sop.yml": (ROOT / "sop.yml").read_text("utf-8"),
    "roles.yml": (ROOT / "roles.yml").read_text("utf-8"),
}
# What a change could carry: Budi (staff) makes himself Katimker in its own roles.yml.
HEAD = dict(BASE)
HEAD["roles.yml"] = BASE["roles.yml"].replace(
    "roles: [staf]\n  - id: sari", "roles: [staf, katimker_lpzi]\n  - id: sari", 1
)


def test_roles_edited_in_the_same_change_grant_nothing(change):
    assert HEAD["roles.yml"] != BASE["roles.yml"]
    attack = replace(
        change,
        files=["roles.yml", "content/articles/x.md"],
        reviews=[
            review("budi", "approve", C_HEAD, 160),
            review("andi", "approve", C_HEAD, 165),
            review("budi", "approve", C_HEAD, 180),
        ],
    )
    sop, roles = policy_at(HEAD.get)
    assert evaluate(attack, sop=sop, roles=roles).passed  # what reading the head would allow
    sop, roles = policy_at(BASE.get)
    report = evaluate(attack, sop=sop, roles=roles)
    assert not report.passed
    assert report.step(3).state == "pending" and report.step(5).state == "pending"
    assert report.protected_files == ["roles.yml"]


def test_policy_reads_only_its_files_through_the_reader():
    asked: list[str] = []

    def reader(path: str) -> str | None:
        asked.append(path)
        return BASE.get(path)

    sop, roles = policy_at(reader)
    # sop.yml and roles.yml, and terbit.yml for the working calendar, all from the base.
    assert sorted(asked) == ["roles.yml", "sop.yml", "terbit.yml"]
    assert len(sop.steps) == 8 and roles.by_id["andi"].roles == ("kepala_satker",)


@pytest.mark.parametrize("missing", ["sop.yml", "roles.yml"])
def test_missing_policy_file_is_a_config_error(missing):
    files = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError) as raised:
        policy_at(files.get)
    assert str(raised.value).startswith(f"{missing}: {missing} tidak ada di cabang tujuan")


def test_invalid_policy_is_a_located_config_error():
    files = dict(BASE)
    old, new = "role: kepala_satker\n    kelengkapan: Nota", "role: kepala\n    kelengkapan: Nota"
    files["sop.yml"] = BASE["sop.yml"].replace(old, new)
    with pytest.raises(ConfigError) as raised:
        policy_at(files.get)
    line = files["sop.yml"].splitlines().index("    role: kepala") + 1
    assert str(raised.value).startswith(f"sop.yml:{line}: peran 'kepala' tidak dikenal")


def test_sop_roles_must_exist_in_the_roles_file():
    files = dict(BASE)
    title = "  kepala_satker:\n    title: Kepala Satker\n    title_en: Head of office\n"
    files["roles.yml"] = BASE["roles.yml"].replace(title, "")
    files["roles.yml"] = files["roles.yml"].replace("roles: [kepala_satker]", "roles: [staf]")
    with pytest.raises(ConfigError) as raised:
        policy_at(files.get)
    assert str(raised.value).startswith("sop.yml:")
    assert "peran 'kepala_satker' tidak dikenal" in str(raised.value)


def test_open_change_obeys_the_target_branch_now_merged_one_its_merge_base(change):
    assert policy_ref(change) == "main"  # a role removed on main since the change opened counts
    merged = replace(change, state="merged")
    assert policy_ref(merged) == change.base_sha
