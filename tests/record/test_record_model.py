"""The record is a typed, versioned model: the same bytes as before, read back validated, and a
published JSON Schema that real records satisfy."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from benchmarks.recordgen import Spec, record_for
from pipeline.errors import InputError
from pipeline.i18n import set_lang
from pipeline.record.build import build_record
from pipeline.record.model import digest, dump, parse
from pipeline.record.schema import schema_text
from pipeline.record.store import commit_message, commit_record
from pipeline.record.verify import verify_records
from pipeline.vcs import Repo
from tests.support.golden import CASES, inputs
from tests.support.record import sample

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


def golden(case: str) -> str:
    return (GOLDEN / f"{case}.yml").read_text(encoding="utf-8")


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((ROOT / "docs" / "record.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("case", CASES)
def test_the_model_writes_the_bytes_the_dict_builder_wrote(case: str) -> None:
    record = build_record(**inputs(case))
    assert dump(record) == golden(case)
    assert record.digest == yaml.safe_load(golden(case))["digest"]


def older() -> str:
    """A record written before ``nomor``, ``waktu_kerja`` and the author's fixing minutes."""
    data = yaml.safe_load(golden("complete"))
    del data["nomor"], data["waktu_kerja"]
    for step in data["steps"]:
        del step["perbaikan_staf_minutes"]
    data["digest"] = digest(data)
    return dump(data)


def unshared(data: dict) -> dict:
    """``data`` with no object shared (YAML would write it as an alias), digest recomputed."""
    fresh = json.loads(json.dumps(data))
    fresh["digest"] = digest(fresh)
    return fresh


@pytest.mark.parametrize("case", [*CASES, "older", "sample"])
def test_a_record_reads_back_to_the_same_bytes(case: str) -> None:
    # sample() shares one person between steps: a copy, or YAML would write an alias.
    fresh = {"older": older, "sample": lambda: dump(unshared(sample()))}
    text = fresh.get(case, lambda: golden(case))()
    record = parse(text, "records/x/record.yml")
    assert dump(record) == text  # nothing added, dropped or reordered: the digest still holds
    assert digest(record.data()) == record.digest


def test_a_malformed_record_is_refused_at_its_line_in_indonesian_and_english() -> None:
    text = golden("complete").replace("  state: done\n", "  state: selesai\n", 1)
    with pytest.raises(InputError) as bad:
        parse(text, "records/12-dddddddddddd/record.yml")
    line = text.splitlines().index("  state: selesai") + 1
    assert str(bad.value) == (
        f"records/12-dddddddddddd/record.yml:{line}: 'steps.state' harus salah satu dari: "
        "'done', 'pending', 'refused', 'failed', 'deferred', 'skipped'"
    )
    missing = golden("complete").replace("merge_commit: " + "d" * 40 + "\n", "")
    set_lang("en")
    try:
        with pytest.raises(InputError) as bad:
            parse(missing, "record.yml")
    finally:
        set_lang("id")
    assert bad.value.message == "field 'merge_commit' is required"


def test_an_unknown_format_is_one_located_problem() -> None:
    text = golden("complete").replace("format: terbit-record/1", "format: terbit-record/9")
    with pytest.raises(InputError) as bad:
        parse(text, "record.yml")
    assert str(bad.value) == "record.yml:2: format catatan 'terbit-record/9' tidak dikenal"


def _committed(make_repo, data: dict) -> Repo:  # type: ignore[no-untyped-def]
    path = make_repo("site")
    (path / "a.txt").write_text("a")
    subprocess.run(["git", "-C", str(path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "awal"], check=True)
    repo = Repo(path)
    commit_record(repo, f"records/{data['id']}", {"record.yml": dump(data).encode()},
                  commit_message(data), name="Terbit", email="terbit@localhost")  # fmt: skip
    return repo


@pytest.mark.parametrize(
    ("damage", "where", "message"),
    [
        (lambda d: d.update(screenshots=["gambar.png"]), "- gambar.png",
         "'screenshots' harus berupa pemetaan (kunci: nilai)"),
        (lambda d: d["change"].update(commits=7), "  commits: 7",
         "'change.commits' harus berupa daftar"),
        (lambda d: d.update(steps={"nomor": 1}), "steps:", "'steps' harus berupa daftar"),
    ],
)  # fmt: skip
def test_verify_locates_a_record_of_the_wrong_shape_instead_of_crashing(
    make_repo, damage, where: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    data = unshared(sample())
    damage(data)
    data["digest"] = digest(data)  # a careful forger: the digest holds
    repo = _committed(make_repo, data)
    text = dump(data)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(where))
    problems = [str(p) for p in verify_records(repo).problems]
    assert f"records/{data['id']}/record.yml:{line}: {message}" in problems, problems


def test_the_published_schema_is_the_one_the_model_generates() -> None:
    committed = (ROOT / "docs" / "record.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "regenerate: .venv/bin/python -m pipeline.record.schema > docs/record.schema.json"
    )


def test_records_validate_against_the_published_schema() -> None:
    check = validator()
    for case in CASES:
        check.validate(yaml.safe_load(golden(case)))
    check.validate(yaml.safe_load(older()))
    check.validate(unshared(sample()))
    check.validate(record_for(3, Spec(day=date(2026, 3, 2), acting={4: "budi"}), "a" * 40))
    broken = copy.deepcopy(yaml.safe_load(golden("acting")))
    broken["steps"][3]["pelaksana"]["jabatan"] = "Kepala"  # a key people do not have there
    assert not check.is_valid(broken)
    broken = yaml.safe_load(golden("failed"))
    broken["status"] = "disetujui"
    assert not check.is_valid(broken)
