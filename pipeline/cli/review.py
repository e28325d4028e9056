"""``terbit review CHANGE``: approve, request changes or comment, signed and bound to the head."""

from __future__ import annotations

import click

from pipeline.cli.verdict import verdict
from pipeline.errors import ConfigError, InputError
from pipeline.forge.local.client.actions import identity, review
from pipeline.forge.local.client.counts import approval_problem
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Beri ulasan pada perubahan: setujui, minta perbaikan, atau komentar. Ulasan "
            "ditandatangani dengan kunci SSH Anda dan terikat pada commit terakhir perubahan.",
            "Review a change: approve, request changes, or comment. The review is signed with "
            "your SSH key and bound to the change's latest commit.",
        ),
        "approve": ("Setujui perubahan.", "Approve the change."),
        "request": ("Minta perbaikan (wajib -m).", "Request changes (needs -m)."),
        "comment": ("Beri komentar (wajib -m).", "Comment (needs -m)."),
        "message": ("Isi ulasan.", "Review text."),
        "one": (
            "pilih tepat satu: --approve, --request-changes atau --comment",
            "choose exactly one: --approve, --request-changes or --comment",
        ),
        "need_text": (
            "--request-changes dan --comment memerlukan -m TEKS",
            "--request-changes and --comment need -m TEXT",
        ),
        "done": (
            "Ulasan '{state}' dicatat pada perubahan #{id}, commit {sha}.",
            "Review '{state}' recorded on change #{id}, commit {sha}.",
        ),
        "not_counted": (
            "Perhatian: ulasan ini tidak dihitung oleh gerbang: {why}",
            "Note: the gate does not count this review: {why}",
        ),
        "wont_count": (
            "persetujuan Anda untuk perubahan #{id} tidak akan dihitung, jadi tidak dicatat: {why}",
            "your approval of change #{id} would not count, so it was not recorded: {why}",
        ),
        "gate": ("Gerbang: {state}", "Gate: {state}"),
        "passed": ("lulus, siap digabung", "passed, ready to merge"),
        "waiting": ("belum lulus ({n} hal)", "not passed yet ({n} items)"),
    }
)


@click.command(help=MSG("help"))
@click.argument("change")
@click.option("--approve", "state", flag_value="approve", help=MSG("approve"))
@click.option("--request-changes", "state", flag_value="request_changes", help=MSG("request"))
@click.option("--comment", "state", flag_value="comment", help=MSG("comment"))
@click.option("-m", "--message", default="", help=MSG("message"))
def command(change: str, state: str | None, message: str) -> None:
    if state is None:
        raise ConfigError(MSG("one"))
    if state != "approve" and not message.strip():
        raise ConfigError(MSG("need_text"))
    forge = open_local()
    who = identity(forge)
    change_id = change.lstrip("#")
    if state == "approve":  # an approval the gate would not count is refused before signing
        forge.sync()
        current = forge.get_change(change_id)
        why = approval_problem(forge, current, who.person.id) if current.state == "open" else None
        if why:
            raise InputError(MSG("wont_count", id=change_id, why=why))
    updated = review(forge, who, change_id, state, message)
    mine = updated.reviews[-1]
    click.echo(MSG("done", state=state, id=updated.id, sha=mine.commit[:10]))
    if mine.signature_ok is False:
        click.secho(MSG("not_counted", why=mine.signature_note), err=True, fg="yellow")
    report = verdict(forge, updated)
    for note in report.notes:
        if who.person.id in note:
            click.secho(MSG("not_counted", why=note), err=True, fg="yellow")
    shown = MSG("passed") if report.passed else MSG("waiting", n=len(report.problems))
    click.echo(MSG("gate", state=shown))
