"""``terbit publish``: steps 6-8 for a merge (build, deploy, live check, screenshots, notice,
completion record). The embedded server runs it after each merge; by hand it resumes or repeats."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from pipeline.clock import now
from pipeline.config.settings import Settings
from pipeline.errors import ConfigError, InputError, TerbitError
from pipeline.forge import Forge, open_forge
from pipeline.i18n import Catalog
from pipeline.publication.merges import latest_merge, repo_settings, retry_command
from pipeline.publication.state import PublishResult, unfinished
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Terbitkan perubahan yang digabung oleh MERGE (bawaan: merge terakhir di main): "
            "build, unggah, periksa tayang, tangkapan layar, pemberitahuan, catatan penyelesaian.",
            "Publish the change merged by MERGE (default: the latest merge on main): build, "
            "deploy, live check, screenshots, notice, completion record.",
        ),
        "resume": (
            "Lanjutkan publikasi yang terhenti dari tahap terakhir yang selesai. Tanpa MERGE: "
            "lebih dulu setiap publikasi yang terhenti karena proses mati (untuk skrip start "
            "server).",
            "Continue a stopped publication from its last finished stage. Without MERGE: "
            "first every publication a kill left unfinished (for the server's start script).",
        ),
        "repo": ("Repositori (bawaan: folder ini).", "Repository (default: this folder)."),
        "no_merge": ("belum ada merge di main", "there is no merge on main yet"),
        "live": ("Tayang      : {url}", "Live        : {url}"),
        "shot": ("Tangkapan   : {path}", "Screenshot  : {path}"),
        "release": ("Rilis       : {release}", "Release     : {release}"),
        "record": ("Catatan     : {folder} ({commit})", "Record      : {folder} ({commit})"),
        "state": ("Status tahap: {path}", "Stage state : {path}"),
        "complete": ("Publikasi #{id} selesai dan lengkap.", "Publication #{id} is complete."),
        "incomplete": (
            "Publikasi #{id} BELUM LENGKAP; catatan menyebut alasannya:",
            "Publication #{id} is INCOMPLETE; the record says why:",
        ),
        "failed": (
            "Publikasi #{id} GAGAL; halaman belum tayang dan penulis belum diberi tahu:",
            "Publication #{id} FAILED; the page is not live and the author was not told:",
        ),
        "retry": (
            "Ulangi setelah penyebabnya diperbaiki: {command}",
            "Retry once the cause is fixed: {command}",
        ),
        "clone": (
            "{path} adalah klon; publikasi dijalankan oleh server forge, bukan di klon. "
            "Jalankan di server: terbit publish {merge}{resume} --repo {server}",
            "{path} is a clone; publishing runs on the forge's server, not in a clone. "
            "Run on the server: terbit publish {merge}{resume} --repo {server}",
        ),
        "clone_remote": (
            "{path} adalah klon; publikasi dijalankan oleh server forge, bukan di klon. "
            "Masuk ke server {host}, lalu jalankan: terbit publish {merge}{resume} --repo {server}",
            "{path} is a clone; publishing runs on the forge's server, not in a clone. "
            "Log in to the server {host}, then run: terbit publish {merge}{resume} --repo {server}",
        ),
        "due": (
            "Terbitkan yang dijadwalkan (publish_at) dan sudah jatuh tempo sejak build terakhir, "
            "lalu selesai; untuk pengatur waktu (timer) server atau alur kerja terjadwal.",
            "Publish what was scheduled (publish_at) and has become due since the last build, "
            "then stop; for the server's timer or a scheduled workflow.",
        ),
        "nothing_due": ("Tidak ada yang jatuh tempo.", "Nothing due."),
        "list": (
            "Dengan --due: hanya cetak merge yang jatuh tempo, satu per baris (SHA dan waktu "
            "jadwal), tanpa menerbitkan.",
            "With --due: only print the due merges, one a line (SHA and scheduled time), "
            "without publishing.",
        ),
        "busy": (
            "Putaran penjadwal lain sedang berjalan; ia yang menerbitkan.",
            "Another round of the scheduler is running; it publishes.",
        ),
        "scheduled": (
            "Publikasi #{id} DIJADWALKAN: {reason}",
            "Publication #{id} is SCHEDULED: {reason}",
        ),
        "late": ("Terlambat   : {n} menit dari jadwal", "Late        : {n} minutes after schedule"),
        "skipped": ("{reason}", "{reason}"),
        "existing": ("sudah ada", "already there"),
    }
)


# scp-like remotes: [user@]host:path (a ':' before any '/'; "C:\\" is no host)
SCP_REMOTE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^@/:]{2,}):(?P<path>.+)$")


def server_location(url: str) -> tuple[str, str]:
    """``(host, path on that host)`` of a clone's origin; host "" when it is a local path.
    ``--repo`` takes a path on the server, never an ``ssh://`` URL."""
    parts = urlsplit(url)
    if parts.scheme in ("ssh", "git+ssh", "ssh+git"):
        return parts.hostname or "", unquote(parts.path)
    if parts.scheme == "file":
        return "", unquote(parts.path)
    found = None if "://" in url else SCP_REMOTE.match(url)
    if found:
        return found["host"], found["path"]
    return "", url


@click.command(help=MSG("help"))
@click.argument("merge", required=False)
@click.option("--resume", is_flag=True, help=MSG("resume"))
@click.option("--due", is_flag=True, help=MSG("due"))
@click.option("--list", "list_due", is_flag=True, help=MSG("list"))
@click.option("--repo", "repo_path", type=click.Path(path_type=Path), default=None,
              help=MSG("repo"))  # fmt: skip
def command(
    merge: str | None, resume: bool, due: bool, list_due: bool, repo_path: Path | None
) -> None:
    repo = Repo(repo_path) if repo_path else Repo.discover(Path.cwd())
    root = repo.work_tree or repo.git_dir
    settings = repo_settings(repo)
    if due:
        refuse_clone(repo, settings, "--due", "")
        if list_due:
            _list_due(repo, settings)
            return
        if not due_round(root):
            raise SystemExit(1)
        return
    given = merge is not None
    merge = merge or latest_merge(repo)
    if not merge:
        raise InputError(MSG("no_merge"))
    refuse_clone(repo, settings, merge, " --resume" if resume else "")
    forge = open_forge(root, settings)
    with contextlib.suppress(TerbitError):  # a clone: the latest changes and reviews first
        forge.sync()
    # `--resume` without MERGE (a server's start script) first finishes every publication a
    # kill left unfinished, oldest first, then the latest merge.
    merges = [*unfinished(repo), merge] if resume and not given else [merge]
    outcomes = [
        _publish_one(repo, root, m, settings, forge, resume)
        for m in dict.fromkeys(repo.rev_parse(m) or m for m in merges)
    ]
    if not all(outcomes):
        raise SystemExit(1)


def refuse_clone(repo: Repo, settings: Settings, merge: str, resume: str) -> None:
    """A person's clone of the embedded forge: publishing here would build and deploy into
    the clone and commit a record nobody sees. It belongs to the server."""
    if settings.forge.kind == "local" and not repo.bare and repo.config("remote.origin.url"):
        host, server = server_location(repo.config("remote.origin.url") or "")
        raise ConfigError(
            MSG(
                "clone_remote" if host else "clone", path=repo.work_tree or repo.git_dir,
                merge=merge, resume=resume, host=host, server=server,
            )
        )  # fmt: skip


def _list_due(repo: Repo, settings: Settings) -> None:
    """What a round would publish now, for a scheduled workflow's first, read-only job."""
    # The publication's modules are loaded here, as in ``_publish_one``, for start-up time.
    from pipeline.publication.due import due_merges

    for due in due_merges(repo, settings, now()):
        click.echo(f"{due.merge} {due.scheduled_at.isoformat()}")


def due_round(root: Path) -> bool:
    """One round of the scheduler; whether every due publication is complete."""
    # Loaded here for start-up time, as in ``_publish_one``.
    from pipeline.publication.due import publish_due

    started = time.monotonic()
    ran, results = publish_due(
        root, lambda line: click.echo(f"  [{time.monotonic() - started:5.1f} s] {line}", err=True)
    )
    return report_round(Repo(root), ran, results)


def report_round(repo: Repo, ran: bool, results: list[PublishResult]) -> bool:
    """What a round did, in the words of ``terbit publish``."""
    if not ran:
        click.echo(MSG("busy"))
        return True
    if not results:
        click.echo(MSG("nothing_due"))
    settings = repo_settings(repo)
    return all([_report(repo, result, settings) for result in results])


def _publish_one(
    repo: Repo, root: Path, merge: str, settings: Settings, forge: Forge, resume: bool
) -> bool:
    """Publish one merge and print where everything is; whether it is complete (or skipped)."""
    # start-up: `terbit --help` loads this module; every stage of the publication adds 0.5 s.
    from pipeline.publication.run import publish

    started = time.monotonic()
    result = publish(
        root, merge, settings=settings, forge=forge, resume=resume,
        say=lambda line: click.echo(f"  [{time.monotonic() - started:5.1f} s] {line}", err=True),
    )  # fmt: skip
    return _report(repo, result, settings)


def _report(repo: Repo, result: PublishResult, settings: Settings) -> bool:
    """Print where everything of one publication is; whether it is complete (or skipped)."""
    if result.status == "skipped":
        click.echo(MSG("skipped", reason="; ".join(result.problems)))
        return True
    if result.status == "scheduled":
        click.echo(MSG("release", release=result.release))
        click.echo(MSG("scheduled", id=result.change_id, reason="; ".join(result.problems)))
        return True
    for url in result.urls:
        click.echo(MSG("live", url=url))
    for path in result.screenshots:
        click.echo(MSG("shot", path=path))
    click.echo(MSG("release", release=result.release))
    commit = result.record_commit[:10] if result.record_commit else MSG("existing")
    click.echo(MSG("record", folder=result.record_folder, commit=commit))
    if result.late_minutes:
        click.echo(MSG("late", n=result.late_minutes))
    if result.status == "complete":
        click.echo(MSG("complete", id=result.change_id))
        return True
    click.echo(MSG("failed" if result.status == "failed" else "incomplete", id=result.change_id))
    for reason in result.problems:
        click.echo(f"  - {reason}")
    if result.status == "failed":
        click.echo(MSG("retry", command=retry_command(repo, result.merge_sha, settings)))
    click.echo(MSG("state", path=result.state_file))
    return False
