"""``terbit remind``: e-mail what waits for whom, and the reminders that are due (steps over
their standard minutes, deferred "Sangat Segera" reviews, escalated to the head when overdue).

Idempotent (each e-mail is sent once, remembered in the server repository), so a timer may run
it every few minutes (docs/web.md has a systemd timer); the post-receive hook runs the same pass
after every push.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.errors import ConfigError
from pipeline.i18n import Catalog
from pipeline.notify.people import switched_off
from pipeline.notify.remind import remind, what_is_due
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Kirim e-mail untuk yang menunggu tiap orang dan pengingat yang jatuh tempo "
            "(sekali saja per e-mail; untuk timer systemd).",
            "E-mail what waits for each person and the reminders that are due (each e-mail "
            "once; for a systemd timer).",
        ),
        "server": (
            "Repositori server (buatan `terbit init-server`); bawaan: folder ini.",
            "The server repository (made by `terbit init-server`); default: this folder.",
        ),
        "not_server": (
            "{path} bukan repositori server (bare) terbit",
            "{path} is not a terbit server (bare) repository",
        ),
        "dry": (
            "Tampilkan saja yang jatuh tempo, tanpa mengirim.",
            "Only list what is due, send nothing.",
        ),
        "off": ("TERBIT_NOTIFY=off: tidak ada yang dikirim.", "TERBIT_NOTIFY=off: nothing sent."),
        "no_smtp": (
            "notify.smtp belum diatur di terbit.yml; tidak ada yang dikirim.",
            "notify.smtp is not set in terbit.yml; nothing was sent.",
        ),
        "due": ("{kind:9} #{id} langkah {step} -> {to}", "{kind:9} #{id} step {step} -> {to}"),
        "sent": ("Terkirim: {n} e-mail.", "Sent: {n} e-mail(s)."),
        "off_people": (
            "Tidak dikirim (pemberitahuan dimatikan): {who}",
            "Not sent (notifications turned off): {who}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.option("--server", type=click.Path(path_type=Path, file_okay=False), default=".",
              show_default=True, help=MSG("server"))  # fmt: skip
@click.option("--dry-run", is_flag=True, help=MSG("dry"))
def command(server: Path, dry_run: bool) -> None:
    try:
        bare = Repo(server).bare
    except OSError:
        bare = False
    if not bare:
        raise ConfigError(MSG("not_server", path=server))
    if dry_run:
        for due in what_is_due(Repo(server)):
            to = ", ".join(due.to) or "—"
            click.echo(MSG("due", kind=due.kind, id=due.change_id, step=due.step, to=to))
        return
    if switched_off():
        click.echo(MSG("off"))
        return
    outcome = remind(server)
    if not outcome.smtp:
        click.echo(MSG("no_smtp"))
        return
    for key, person in outcome.sent:
        click.echo(f"  {key} -> {person}")
    click.echo(MSG("sent", n=len(outcome.sent)))
    if outcome.off:
        click.echo(MSG("off_people", who=", ".join(sorted({p for _, p in outcome.off}))))
    for problem in outcome.problems:
        click.echo(problem, err=True)
    if outcome.problems:
        raise SystemExit(1)
