"""Assemble the record of one publication: gate re-run with the publish events, files to commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.change.model import Change
from pipeline.clock import now
from pipeline.config.roles import Roles
from pipeline.config.settings import Settings
from pipeline.config.sop import Sop
from pipeline.evidence.progress import Progress
from pipeline.gate import ProofEvent, evaluate, policy_at
from pipeline.record.build import build_record
from pipeline.record.model import PublishFacts, Record, dump, record_id
from pipeline.record.official import contact_line
from pipeline.record.render import to_markdown, to_pdf
from pipeline.record.signature import can_sign, sign_pdf
from pipeline.record.store import commit_message, commit_record, existing_record
from pipeline.vcs import Repo

PDF_NAME = "lembar-penyelesaian.pdf"
MD_NAME = "README.md"  # GitHub shows it when the folder is opened
YAML_NAME = "record.yml"


def policy_for(forge: Any, base_rev: str) -> tuple[Sop, Roles]:
    """SOP and roles as they were on the branch the change was merged into."""
    return policy_at(lambda path: forge.read_file(base_rev, path))


def admin_for(change: Change, roles: Roles) -> str | None:
    """Who did step 6 and signs the record: the signer of the merge (the step's signed
    evidence), never a name picked from the role table. Whether that person was allowed to
    merge is the gate's and the server's business; the record states what happened."""
    return change.merged_by


def assemble(
    *,
    forge: Any,
    change: Change,
    base_rev: str,
    facts: PublishFacts,
    settings: Settings,
    shots_dir: Path,
    now: datetime,
    repo_root: Path | None = None,
) -> tuple[Record, dict[str, bytes]]:
    """``(record, files)``; files are named inside the record folder. ``repo_root``: the
    repository, which the signing certificate must lie outside of."""
    sop, roles = policy_for(forge, base_rev)
    admin = admin_for(change, roles)
    events = {
        "merge": ProofEvent(at=facts.merged_at, by=change.merged_by),
        "record": ProofEvent(at=now, by=admin),
    }
    if facts.deployed_at is not None:
        events["deploy"] = ProofEvent(at=facts.deployed_at, by=admin)
    if facts.notice_at is not None:
        events["notice"] = ProofEvent(at=facts.notice_at, by=admin)
    if facts.screenshots == [] and any(a.url for a in facts.articles):
        events.pop("deploy")  # step 6's output is the screenshot: without it, not done
    if facts.failure is not None:
        # Nothing after a failure happened: no step 6 output, no notice, and this record is
        # the record of a failure, not step 8's report of finished work.
        for proof in ("deploy", "notice", "record"):
            events.pop(proof, None)
    report = evaluate(
        change,
        sop=sop,
        roles=roles,
        signatures_required=forge.signatures_required(),
        now=now,
        events=events,
    )
    record = build_record(
        change=change,
        report=report,
        sop=sop,
        roles=roles,
        facts=facts,
        admin=admin,
        place=settings.publish.place,
        timezone=settings.site.timezone,
        now=now,
        number_pattern=settings.publish.record_number,
    )
    files: dict[str, bytes] = {YAML_NAME: dump(record).encode("utf-8")}
    for shot in facts.screenshots:
        files[shot.file] = (shots_dir / shot.file).read_bytes()
    # The data dukung are kept with the record, byte for byte as their signed record names
    # them; one the forge cannot give back intact is left out, and `terbit verify` says so.
    for listed, document in zip(record.data_dukung or [], change.data_dukung, strict=True):
        data = forge.data_dukung_bytes(document)
        if data is not None:
            files[listed.file] = data
    kop = tuple(settings.publish.kop)
    files[MD_NAME] = to_markdown(record, settings.site.timezone, kop).encode("utf-8")
    # The office certificate signs the PDF (PAdES); without one the page says it is unsigned.
    publish = settings.publish
    signed = can_sign(publish.signing, repo_root)
    contact = contact_line(publish.address, publish.telephone, publish.website)
    pdf = to_pdf(record, shots_dir, settings.site.timezone, kop, contact=contact, signed=signed,
                 records_path=settings.publish.records_path)  # fmt: skip
    files[PDF_NAME] = sign_pdf(pdf, publish.signing, what=record.id, location=publish.place,
                               repo_root=repo_root)  # fmt: skip
    assert record.id == record_id(change.id, facts.merge_sha)
    return record, files


def record_stage(
    repo: Repo,
    forge: Any,
    change: Any,
    prep: dict[str, Any],
    facts: Any,
    settings: Settings,
    shots_dir: Path,
    state: Progress,
    say: Callable[[str], None],
    *,
    signer: Callable[[str], str | None] | None = None,
) -> dict[str, Any]:
    """Assemble the record and commit it on main, signed with the key ``signer`` names for
    the tip it goes on (the embedded server's own key), else unsigned."""
    record, files = assemble(
        forge=forge, change=change, base_rev=prep["base"], facts=facts, settings=settings,
        shots_dir=shots_dir, now=now(), repo_root=repo.work_tree or repo.git_dir,
    )  # fmt: skip
    folder = f"{settings.publish.records_path.strip('/')}/{record.id}"
    bot = settings.publish
    # A GitHub Actions checkout pushes the record; the embedded server and a local clone
    # move their own main (the server's hooks do not run for its own ref updates).
    remote = "origin" if settings.forge.kind == "github" and not repo.bare else None
    commit = commit_record(
        repo,
        folder,
        files,
        commit_message(record.data()),
        name=bot.bot_name,
        email=bot.bot_email,
        remote=remote,
        signer=signer,
    )
    data = record.data()
    if commit is None:  # already on main (a rerun): report what is there
        data = existing_record(repo, "refs/heads/main", folder) or data
    say(f"record: {folder}" + (f" ({commit[:10]})" if commit else ""))
    value = {
        "folder": folder,
        "commit": commit,
        "status": data["status"],
        "reasons": data["reasons"],
    }
    state.save("record", value)
    return value
