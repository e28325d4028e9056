"""``terbit github …``: what the GitHub workflows run, and the office's one-time setup."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.options import lang_option, options_metavar
from pipeline.config import yamlsrc
from pipeline.config.settings import load_settings
from pipeline.errors import ConfigError
from pipeline.gate import policy_at, render
from pipeline.gate.messages import when
from pipeline.i18n import Catalog

if TYPE_CHECKING:
    from pipeline.forge.github import GitHubForge
    from pipeline.forge.github.waiting import Waiting

MSG = Catalog(
    {
        "help": (
            "GitHub: gerbang SOP sebagai status check, komentar PR, pratinjau, dan penyiapan "
            "repositori kantor.",
            "GitHub: the SOP gate as a status check, the PR comment, previews, and setting up "
            "the office's repository.",
        ),
        "repo_help": (
            "Repositori PEMILIK/NAMA (bawaan: GITHUB_REPOSITORY atau remote origin).",
            "Repository OWNER/NAME (default: GITHUB_REPOSITORY or the origin remote).",
        ),
        "pr_help": ("Nomor pull request.", "Pull request number."),
        "root_help": (
            "Folder repositori (bawaan: folder kerja).",
            "Repository folder (default: cwd).",
        ),
        "subcommand_metavar": ("PERINTAH [ARG]...", "COMMAND [ARGS]..."),
        "gate_help": (
            "Nilai PR dengan aturan SOP (peran dan SOP dari cabang tujuan), kirim status "
            "'terbit / sop-gate' dan tulis laporan per langkah ke ringkasan job.",
            "Judge the PR by the SOP (roles and SOP from the base branch), post the "
            "'terbit / sop-gate' status and write the per-step report to the job summary.",
        ),
        "no_status_help": ("Jangan kirim status (hanya tampilkan).", "Do not post the status."),
        "merge_help": (
            "Nilai ulang PR yang menghasilkan commit merge ini (alur publikasi, sebelum apa pun "
            "diterbitkan); tanpa status, keluar 1 bila tidak lulus.",
            "Re-judge the PR that produced this merge commit (the publish workflow, before "
            "anything is deployed); no status, exit 1 when it does not pass.",
        ),
        "pr_or_merge": (
            "pilih tepat satu: --pr NOMOR atau --merge COMMIT",
            "choose exactly one: --pr NUMBER or --merge COMMIT",
        ),
        "report_only_help": (
            "Keluar 0 setelah status terkirim meski belum lulus (status yang memutuskan).",
            "Exit 0 once the status is posted even when not passed (the status decides).",
        ),
        "nota_help": (
            "Periksa kolom nota dinas di deskripsi PR.",
            "Check the nota dinas fields in the PR description.",
        ),
        "nota_ok": (
            "nota dinas {nomor} tanggal {tanggal}: lengkap",
            "nota dinas {nomor} dated {tanggal}: complete",
        ),
        "files_help": (
            "Cetak berkas yang diubah PR (yang masih ada), satu per baris.",
            "Print the files the PR changes (still present), one per line.",
        ),
        "annotate_help": (
            "Ubah keluaran 'terbit check --format json' menjadi anotasi GitHub pada baris berkas.",
            "Turn 'terbit check --format json' output into GitHub annotations on the lines.",
        ),
        "preview_help": (
            "Tangkapan layar desktop dan seluler dari halaman yang diubah, dari hasil build.",
            "Desktop and mobile screenshots of the changed pages, from the build output.",
        ),
        "output_help": ("Folder hasil build.", "Build output folder."),
        "changed_help": (
            "Berkas berisi daftar berkas yang diubah (satu per baris).",
            "File listing the changed files (one per line).",
        ),
        "out_help": ("Folder tujuan tangkapan layar.", "Folder for the screenshots."),
        "preview_title": ("pratinjau", "preview"),
        "shots_taken": ("{n} tangkapan layar di {out}", "{n} screenshot(s) in {out}"),
        "comment_help": (
            "Perbarui SATU komentar Terbit di PR: nota dinas, hasil pemeriksaan draf, pratinjau.",
            "Update the ONE Terbit comment on the PR: nota dinas, draft checks, previews.",
        ),
        "check_json_help": (
            "Keluaran 'terbit check --format json' (tanpa ini: tidak ada draf yang diubah).",
            "Output of 'terbit check --format json' (without it: no draft changed).",
        ),
        "shots_help": (
            "Folder tangkapan layar (manifest.json).",
            "Screenshot folder (manifest.json).",
        ),
        "artifact_help": (
            "Tautan unduhan artefak pratinjau.",
            "Download link of the preview artifact.",
        ),
        "commented": ("komentar PR #{pr} diperbarui", "PR #{pr} comment updated"),
        "setup_help": (
            "Buat CODEOWNERS, templat PR (formulir nota dinas) dan ruleset dari roles.yml dan "
            "sop.yml. Tanpa --apply hanya menampilkan rencana.",
            "Generate CODEOWNERS, the PR template (nota dinas form) and the ruleset from roles.yml "
            "and sop.yml. Without --apply it only shows the plan.",
        ),
        "write_help": (
            "Hanya tulis CODEOWNERS dan templat PR (tanpa API), untuk di-commit sebelum ruleset "
            "dipasang.",
            "Only write CODEOWNERS and the PR template (no API), to commit before the ruleset is "
            "applied.",
        ),
        "apply_help": (
            "Tulis berkas dan kirim ruleset lewat API (perlu GITHUB_TOKEN admin).",
            "Write the files and send the ruleset through the API (needs an admin GITHUB_TOKEN).",
        ),
        "plan_file": ("akan menulis {path} ({state})", "would write {path} ({state})"),
        "plan_ruleset": (
            "akan menyimpan ruleset {name} di {repo} (POST/PUT /repos/{repo}/rulesets):",
            "would save ruleset {name} in {repo} (POST/PUT /repos/{repo}/rulesets):",
        ),
        "plan_hint": (
            "Ini hanya rencana; jalankan lagi dengan --apply untuk menerapkannya.",
            "This is only the plan; run again with --apply to carry it out.",
        ),
        "wrote": ("ditulis: {path}", "written: {path}"),
        "ruleset_done": (
            "ruleset '{name}' {action} di {repo}",
            "ruleset '{name}' {action} in {repo}",
        ),
        "created": ("dibuat", "created"),
        "updated": ("diperbarui", "updated"),
        "commit_hint": (
            "Ajukan berkas .github/ yang berubah lewat pull request (berkas itu dilindungi).",
            "Propose the changed .github/ files through a pull request (they are protected).",
        ),
        "warning": ("PERINGATAN: {text}", "WARNING: {text}"),
        "waiting_help": (
            "Yang menunggu di GitHub: PR terbuka pada langkah SOP-nya (penilaian gerbang) dan PR "
            "Sangat Segera yang sudah digabung tetapi masih berutang pemeriksaan tertunda, "
            "dengan tenggatnya. Tanpa --person/--role: semuanya.",
            "What waits on GitHub: open PRs at their SOP step (the gate's evaluation) and merged "
            "Sangat Segera PRs that still owe their deferred review, with the deadline. "
            "Without --person/--role: everything.",
        ),
        "person_help": (
            "Hanya yang menunggu orang ini (id roles.yml atau login GitHub).",
            "Only what waits for this person (roles.yml id or GitHub login).",
        ),
        "role_help": (
            "Hanya yang menunggu peran ini (id peran).",
            "Only what waits for this role (role id).",
        ),
        "format_help": ("Bentuk keluaran.", "Output format."),
        "no_person": (
            "'{who}' tidak ada di roles.yml (id atau login GitHub) pada cabang main",
            "'{who}' is not in roles.yml (id or GitHub login) on the main branch",
        ),
        "no_role": (
            "peran '{role}' tidak ada di roles.yml; yang ada: {known}",
            "role '{role}' is not in roles.yml; known: {known}",
        ),
        "one_filter": ("pilih salah satu: --person atau --role", "choose one: --person or --role"),
        "nothing": ("Tidak ada yang menunggu.", "Nothing is waiting."),
        "row_step": (
            "#{n} {title} — langkah {steps} ({activity}) menunggu {role} sejak {since}; "
            "{elapsed}/{std} menit kerja{over}",
            "#{n} {title} — step {steps} ({activity}) waits for {role} since {since}; "
            "{elapsed}/{std} working minutes{over}",
        ),
        "row_over": (", melebihi mutu baku {n} menit", ", {n} minutes over the standard"),
        "row_fix": (
            "#{n} {title} — perbaikan diminta pada langkah {steps} ({since}); giliran penulis",
            "#{n} {title} — changes requested at step {steps} ({since}); the author's turn",
        ),
        "row_owed": (
            "#{n} {title} — sudah terbit (Sangat Segera); pemeriksaan tertunda langkah {steps} "
            "oleh {role}, tenggat {due}{overdue}",
            "#{n} {title} — published (Sangat Segera); deferred review of step(s) {steps} by "
            "{role}, due by {due}{overdue}",
        ),
        "row_overdue": (" — TERLAMBAT", " — OVERDUE"),
        "remind_help": (
            "Tandai dan ingatkan PR Sangat Segera yang sudah digabung dan masih berutang "
            "pemeriksaan tertunda: label dan komentar dengan tenggatnya, pengingat ke peran itu "
            "dan eskalasi ke Kepala Satker bila terlambat (masing-masing sekali), label dilepas "
            "setelah /setuju yang sah. Tanpa --pr/--merge: semua PR semacam itu.",
            "Mark and remind merged Sangat Segera PRs that still owe their deferred review: a "
            "label and a comment with the deadline, a reminder to the role and an escalation to "
            "the head when overdue (each once), the label removed after a valid /setuju. "
            "Without --pr/--merge: every such PR.",
        ),
        "remind_pr_help": ("Hanya PR ini.", "Only this PR."),
        "remind_merge_help": (
            "Hanya PR yang menghasilkan commit merge ini (alur publikasi).",
            "Only the PR that produced this merge commit (the publish workflow).",
        ),
        "pr_and_merge": (
            "pilih paling banyak satu: --pr atau --merge",
            "choose at most one: --pr or --merge",
        ),
        "remind_done": (
            "ditandai: {marked}; diingatkan: {reminded}; dieskalasi: {escalated}; selesai: "
            "{cleared}; masih berutang: {owed}",
            "marked: {marked}; reminded: {reminded}; escalated: {escalated}; done: {cleared}; "
            "still owed: {owed}",
        ),
        "no_token": (
            "GITHUB_TOKEN belum diatur; --apply memerlukan token admin repositori",
            "GITHUB_TOKEN is not set; --apply needs a repository admin token",
        ),
    }
)

repo_option = click.option("--repo", default=None, help=MSG("repo_help"))
pr_option = click.option(
    "--pr", "number", type=click.IntRange(min=1), required=True, help=MSG("pr_help")
)
root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help=MSG("root_help"),
)


def _forge(repo: str | None, root: Path | None = None) -> GitHubForge:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github import GitHubClient, GitHubForge, repository_name

    where = root or Path.cwd()
    return GitHubForge(GitHubClient(repo or repository_name(where)), repo_root=where)


@click.group(
    name="github",
    help=MSG("help"),
    options_metavar=options_metavar(),
    subcommand_metavar=MSG("subcommand_metavar"),
)
@lang_option
def command() -> None:
    pass


@command.command(options_metavar=options_metavar(), name="gate", help=MSG("gate_help"))
@repo_option
@click.option("--pr", "number", type=click.IntRange(min=1), default=None, help=MSG("pr_help"))
@click.option("--merge", "merge_sha", default=None, metavar="COMMIT", help=MSG("merge_help"))
@click.option("--no-status", is_flag=True, help=MSG("no_status_help"))
@click.option("--report-only", is_flag=True, help=MSG("report_only_help"))
@lang_option
def gate_cmd(
    repo: str | None, number: int | None, merge_sha: str | None, no_status: bool,
    report_only: bool,
) -> None:  # fmt: skip
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.checks import gate, markdown, publish_gate, write_step_summary

    if (number is None) == (merge_sha is None):
        raise ConfigError(MSG("pr_or_merge"))
    if merge_sha is not None:
        report = publish_gate(_forge(repo), merge_sha)  # raises, with a summary, when it fails
        click.echo(render(report), nl=False)
        return
    assert number is not None
    report = gate(_forge(repo), number, post=not no_status)
    click.echo(render(report), nl=False)
    write_step_summary(markdown(report))
    if not report.passed and not report_only:
        raise SystemExit(1)


@command.command(options_metavar=options_metavar(), name="nota-dinas", help=MSG("nota_help"))
@repo_option
@pr_option
@lang_option
def nota_cmd(repo: str | None, number: int) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.report import annotation, nota_status

    pr = _forge(repo).client.pull(number)
    nota, error = nota_status(pr.get("body"))
    if nota is None:
        click.echo(annotation({"message": error}, title="nota dinas"))
        raise SystemExit(1)
    click.echo(MSG("nota_ok", nomor=nota.nomor, tanggal=when(nota.tanggal)))


@command.command(options_metavar=options_metavar(), name="files", help=MSG("files_help"))
@repo_option
@pr_option
def files_cmd(repo: str | None, number: int) -> None:
    for item in _forge(repo).client.pull_files(number):
        if item.get("status") != "removed":
            click.echo(item["filename"])


@command.command(options_metavar=options_metavar(), name="annotate", help=MSG("annotate_help"))
@click.argument("check_json", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@lang_option
def annotate_cmd(check_json: Path) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.report import annotation, read_findings

    findings = read_findings(check_json)
    for finding in findings:
        click.echo(annotation(finding))
    if any(f.get("severity", "error") != "warning" for f in findings):
        raise SystemExit(1)


@command.command(options_metavar=options_metavar(), name="preview", help=MSG("preview_help"))
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=MSG("output_help"),
)
@click.option(
    "--changed",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help=MSG("changed_help"),
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help=MSG("out_help")
)
@root_option
@lang_option
def preview_cmd(output: Path | None, changed: Path, out: Path, root: Path | None) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.evidence.preview import changed_pages, screenshots

    where = (root or Path.cwd()).resolve()
    settings = load_settings(where)
    folder = output or where / settings.build.output
    listed = yamlsrc.read_text(changed).splitlines()
    files = [line.strip() for line in listed if line.strip()]
    pages = changed_pages(where, folder, files, settings.content.path)
    manifest = screenshots(folder, pages, out, max_kb=settings.publish.screenshot_max_kb)
    click.echo(MSG("shots_taken", n=len(manifest["shots"]), out=out))
    if manifest["error"]:
        # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
        from pipeline.forge.github.report import annotation

        click.echo(annotation({"message": manifest["error"]}, title=MSG("preview_title")))
        raise SystemExit(1)


@command.command(options_metavar=options_metavar(), name="comment", help=MSG("comment_help"))
@repo_option
@pr_option
@click.option(
    "--check-json",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help=MSG("check_json_help"),
)
@click.option(
    "--shots",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=MSG("shots_help"),
)
@click.option("--artifact-url", default=None, help=MSG("artifact_help"))
@lang_option
def comment_cmd(
    repo: str | None,
    number: int,
    check_json: Path | None,
    shots: Path | None,
    artifact_url: str | None,
) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.checks import run_url, write_step_summary
    from pipeline.forge.github.report import (
        REPORT_MARKER,
        PrReport,
        nota_status,
        read_findings,
        read_shots,
    )

    client = _forge(repo).client
    pr = client.pull(number)
    nota, nota_error = nota_status(pr.get("body"))
    report = PrReport(
        head_sha=pr["head"]["sha"],
        nota=nota,
        nota_error=nota_error,
        findings=read_findings(check_json) if check_json else None,
        artifact_url=artifact_url or None,
        run_url=run_url(),
    )
    if shots is not None and (shots / "manifest.json").is_file():
        report.shots, report.shots_error = read_shots(shots / "manifest.json")
    text = report.markdown()
    client.upsert_comment(number, REPORT_MARKER, text)
    write_step_summary(text)
    click.echo(MSG("commented", pr=number))


@command.command(options_metavar=options_metavar(), name="waiting", help=MSG("waiting_help"))
@repo_option
@click.option("--person", default=None, metavar="ID", help=MSG("person_help"))
@click.option("--role", default=None, metavar="ID", help=MSG("role_help"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help=MSG("format_help"))  # fmt: skip
@lang_option
def waiting_cmd(repo: str | None, person: str | None, role: str | None, fmt: str) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.waiting import for_person, for_role, what_waits

    if person is not None and role is not None:
        raise ConfigError(MSG("one_filter"))
    forge = _forge(repo)
    roles = forge.roles_at("main")
    if person is not None:
        found = roles.get(person) or roles.by_github(person)
        if found is None:
            raise ConfigError(MSG("no_person", who=person))
        person = found.id
    if role is not None and role not in roles.titles:
        raise ConfigError(MSG("no_role", role=role, known=", ".join(sorted(roles.titles))))
    items = what_waits(forge)
    if person is not None:
        items = for_person(items, person)
    elif role is not None:
        items = for_role(items, role)
    if fmt == "json":
        click.echo(json.dumps([item.as_json() for item in items], ensure_ascii=False, indent=1))
        return
    if not items:
        click.echo(MSG("nothing"))
    for item in items:
        click.echo(_row(item))


def _row(item: Waiting) -> str:
    """One line of ``terbit github waiting`` (times as the office reads them)."""
    shown = dict(n=item.number, title=item.title, steps=", ".join(map(str, item.steps)),
                 activity=item.activity, role=item.role_title, since=item.local(item.since),
                 due=item.local(item.due), std=item.standard,
                 elapsed=item.elapsed if item.elapsed is not None else "-")  # fmt: skip
    if item.kind == "owed":
        return MSG("row_owed", **shown, overdue=MSG("row_overdue") if item.overdue else "")
    if item.kind == "fix":
        return MSG("row_fix", **shown)
    return MSG("row_step", **shown, over=MSG("row_over", n=item.over) if item.over else "")


@command.command(options_metavar=options_metavar(), name="remind", help=MSG("remind_help"))
@repo_option
@click.option("--pr", "number", type=click.IntRange(min=1), default=None,
              help=MSG("remind_pr_help"))  # fmt: skip
@click.option("--merge", "merge_sha", default=None, metavar="COMMIT",
              help=MSG("remind_merge_help"))  # fmt: skip
@lang_option
def remind_cmd(repo: str | None, number: int | None, merge_sha: str | None) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.remind import remind

    if number is not None and merge_sha is not None:
        raise ConfigError(MSG("pr_and_merge"))
    forge = _forge(repo)
    changes = None
    if number is not None:
        changes = [forge.get_change(str(number))]
    elif merge_sha is not None:
        merged = forge.change_for_merge(merge_sha)
        changes = [merged] if merged is not None else []
    done = remind(forge, changes)

    def listed(numbers: list[int]) -> str:
        return ", ".join(f"#{n}" for n in numbers) or "-"

    click.echo(MSG("remind_done", marked=listed(done.marked), reminded=listed(done.reminded),
                   escalated=listed(done.escalated), cleared=listed(done.cleared),
                   owed=listed(done.owed)))  # fmt: skip


@command.command(options_metavar=options_metavar(), name="setup", help=MSG("setup_help"))
@repo_option
@click.option("--write", "do_write", is_flag=True, help=MSG("write_help"))
@click.option("--apply", "do_apply", is_flag=True, help=MSG("apply_help"))
@root_option
@lang_option
def setup_cmd(repo: str | None, do_write: bool, do_apply: bool, root: Path | None) -> None:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github import GitHubClient, repository_name
    from pipeline.forge.github.client import github_token
    from pipeline.forge.github.setup import apply, plan

    where = (root or Path.cwd()).resolve()

    def read(path: str) -> str | None:
        file = where / path
        return yamlsrc.read_text(file, path) if os.path.lexists(file) else None

    sop, roles = policy_at(read)
    the_plan = plan(sop, roles, load_settings(where))
    for warning in the_plan.warnings:
        click.echo(MSG("warning", text=warning), err=True)
    if do_write and not do_apply:
        for generated in the_plan.files:
            if generated.state(where) != "same":
                generated.write(where)
                click.echo(MSG("wrote", path=generated.path))
        return
    name = repo or repository_name(where)
    if not do_apply:
        for generated in the_plan.files:
            click.echo(MSG("plan_file", path=generated.path, state=_state(generated.state(where))))
        names = ", ".join(f"'{r['name']}'" for r in the_plan.rulesets)
        click.echo(MSG("plan_ruleset", name=names, repo=name))
        click.echo(the_plan.ruleset_json(), nl=False)
        click.echo(MSG("plan_hint"))
        return
    if not github_token():
        raise ConfigError(MSG("no_token"))
    written, saved = apply(the_plan, where, GitHubClient(name))
    for path in written:
        click.echo(MSG("wrote", path=path))
    for ruleset_name, action in saved:
        click.echo(MSG("ruleset_done", name=ruleset_name, action=MSG(action), repo=name))
    if written:
        click.echo(MSG("commit_hint"))


def _state(state: str) -> str:
    # start-up: `terbit --help` loads this module; githubkit and Playwright add 0.6 s.
    from pipeline.forge.github.setup import MSG as SETUP

    return SETUP(state)


__all__ = ["command"]
