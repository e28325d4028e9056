"""``terbit demo``: the whole SOP offline, end to end, on the embedded forge.

Creates a demo office (server repository with hooks, one clone and SSH key per person), runs one
article through every step, publishes it, serves the site on 127.0.0.1 and shows the SOP table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from pipeline.cli.demo.office import Office, create_office
from pipeline.cli.demo.story import demo_start, run_story
from pipeline.cli.demo.web import MSG as WEB_MSG
from pipeline.cli.demo.web import demo_accounts, serve_web
from pipeline.cli.verdict import verdict
from pipeline.config.settings import load_settings
from pipeline.deploy import open_target
from pipeline.errors import ConfigError, InputError
from pipeline.gate.report import GateReport
from pipeline.i18n import Catalog, long_date
from pipeline.record.model import record_id
from pipeline.record.store import existing_record
from pipeline.render.runner import build_site
from pipeline.render.serve import serve_in_background
from pipeline.vcs import Repo

MARKER = ".terbit-demo"
SOURCE_FILES = ("sop.yml", "roles.yml")

MSG = Catalog(
    {
        "help": (
            "Jalankan seluruh SOP secara luring: kantor demo (server, klon dan kunci SSH tiap "
            "orang), draf → nota dinas → perbaikan → persetujuan → merge → publikasi, lalu "
            "sajikan situs di 127.0.0.1 dan tampilkan tabel SOP.",
            "Run the whole SOP offline: a demo office (server, a clone and SSH key per person), "
            "draft → nota dinas → corrections → approvals → merge → publishing, then serve the "
            "site on 127.0.0.1 and show the SOP table.",
        ),
        "no_serve": (
            "Selesai tanpa menyajikan situs (untuk skrip dan uji).",
            "Finish without serving the site (for scripts and tests).",
        ),
        "dir": ("Folder kantor demo (bawaan: ./demo).", "Demo office folder (default: ./demo)."),
        "realtime": (
            "Pakai jam sebenarnya (lama tiap langkah ~0 menit) alih-alih hari kerja simulasi.",
            "Use the real clock (each step ~0 minutes) instead of a simulated office day.",
        ),
        "port": (
            "Port situs (bawaan 8000, atau port bebas).",
            "Site port (default 8000, or free).",
        ),
        "not_demo": (
            "{path} sudah ada dan bukan folder demo terbit; pilih --dir lain",
            "{path} exists and is not a terbit demo folder; choose another --dir",
        ),
        "no_source": (
            "jalankan dari checkout Terbit (perlu sop.yml dan roles.yml)",
            "run from a Terbit checkout (sop.yml and roles.yml are needed)",
        ),
        "office": (
            "Kantor demo di {path}: server {server}, {n} orang dengan klon dan kunci SSH sendiri.",
            "Demo office in {path}: server {server}, {n} people with their own clone and SSH key.",
        ),
        "clock": (
            "Jam simulasi: hari kerja {day}, mulai {start} {zone}, di dalam jam kantor "
            "(jalankan --realtime untuk jam asli).",
            "Simulated clock: the working day {day}, from {start} {zone}, inside office hours "
            "(--realtime for the real clock).",
        ),
        "server_said": ("Server:", "Server:"),
        "table": ("SOP perubahan #{id}: {title}", "SOP of change #{id}: {title}"),
        "cols": (
            "No|Kegiatan|Pelaksana|Selesai (WIB)|Lama / Baku|Keterangan",
            "No|Activity|By|Done (WIB)|Took / Std|Note",
        ),
        "minutes": ("{a} / {b} mnt", "{a} / {b} min"),
        "author_fix": ("perbaikan oleh staf {n} mnt", "fixes by the author {n} min"),
        "merged": (
            "main di server: {sha} (merge perubahan #{id})",
            "main on the server: {sha} (merge of change #{id})",
        ),
        "tip_record": (
            "main di server: {sha}, memuat Lembar Penyelesaian Pekerjaan perubahan #{id} "
            "(di atas merge {merge})",
            "main on the server: {sha}, holding the completion record of change #{id} "
            "(on top of merge {merge})",
        ),
        "site": ("Situs: {url}", "Site: {url}"),
        "record": (
            "Lembar Penyelesaian Pekerjaan dan tangkapan layar: {path}",
            "Completion record and screenshots: {path}",
        ),
        "site_dir": ("Folder situs: {path}", "Site folder: {path}"),
        "no_site": (
            "Situs belum terbangun (lihat {log}).",
            "The site was not built (see {log}).",
        ),
        "stop": ("Tekan Ctrl-C untuk berhenti.", "Press Ctrl-C to stop."),
        "not_published": (
            "Publikasi perubahan #{id} tidak lengkap ({status}); lihat catatan dan {log}",
            "Publishing change #{id} is not complete ({status}); see the record and {log}",
        ),
        "took": ("Demo selesai dalam {s:.1f} detik.", "Demo finished in {s:.1f} s."),
        "web_port": (
            "Port aplikasi web (bawaan 8080, atau port bebas).",
            "Web application port (default 8080, or free).",
        ),
    }
)


def _source() -> Path:
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if all((candidate / name).is_file() for name in SOURCE_FILES):
            return candidate
    raise ConfigError(MSG("no_source"))


def _prepare(folder: Path) -> Path:
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise ConfigError(MSG("not_demo", path=folder))
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("terbit demo\n")
    return folder


Row = tuple[int, str, str, str, datetime | None, int | None, int, str, str]


def _with_fix(note: str, author_minutes: int) -> str:
    """The author's fixing time as its own line under the step's note."""
    return f"{note}\n{MSG('author_fix', n=author_minutes)}" if author_minutes else note


def rows_from_report(report: GateReport) -> list[Row]:
    return [
        (
            step.number,
            step.kegiatan,
            step.by_name or "-",
            step.role_title,
            step.ended_at or step.at,
            step.elapsed_minutes,
            step.minutes,
            _with_fix(step.timing_note or step.reason or step.state, step.author_minutes),
            step.state,
        )
        for step in report.steps
    ]


def rows_from_record(record: dict[str, Any]) -> list[Row]:
    """The completion record's table (steps 6-8 included, as publishing proved them)."""
    rows: list[Row] = []
    for step in record.get("steps") or []:
        who = step.get("pelaksana") or {}
        ended = step.get("ended_at")
        rows.append(
            (
                int(step.get("number", 0)),
                str(step.get("kegiatan", "")),
                str(who.get("name") or "-"),
                str(who.get("role_title") or ""),
                datetime.fromisoformat(str(ended).replace("Z", "+00:00")) if ended else None,
                step.get("elapsed_minutes"),
                int(step.get("standard_minutes") or 0),
                _with_fix(
                    str(step.get("keterangan") or step.get("state") or ""),
                    int(step.get("perbaikan_staf_minutes") or 0),
                ),
                str(step.get("state")),
            )
        )
    return rows


def sop_table(title: str, rows: list[Row]) -> Table:
    table = Table(title=title, show_lines=False)
    for col in MSG("cols").split("|"):
        table.add_column(col, overflow="fold")
    tz = ZoneInfo("Asia/Jakarta")
    for number, kegiatan, name, role, ended, took, standard, note, state in rows:
        style = {"done": "green", "refused": "red"}.get(state, "yellow")
        table.add_row(
            str(number),
            kegiatan,
            f"{name}\n[dim]{role}[/dim]",
            ended.astimezone(tz).strftime("%H:%M") if ended else "-",
            MSG("minutes", a="-" if took is None else took, b=standard),
            f"[{style}]{note}[/{style}]",
        )
    return table


def _record(office: Office, change_id: str, merge_sha: str) -> tuple[str, dict[str, Any]] | None:
    """The completion record publishing committed for this merge, if any (folder, data)."""
    settings = load_settings(office.clone_path(office.admin))
    folder = f"{settings.publish.records_path.strip('/')}/{record_id(change_id, merge_sha)}"
    data = existing_record(Repo(office.server), "refs/heads/main", folder)
    return (folder, data) if data else None


def _live_path(server: Path, source: Path) -> Path:
    """The folder the local deploy target makes live (a link switched per release)."""
    target = open_target(server, load_settings(source))
    return getattr(target, "live_dir", server / "terbit" / "site")


def _serve(folder: Path, port: int) -> tuple[str, Callable[[], None]]:
    try:
        return serve_in_background(folder, port)
    except OSError:  # port taken (another demo, a test run): any free port will do
        return serve_in_background(folder, 0)


def _build_fallback(office: Office) -> Path | None:
    """Build main in the admin's clone when the server's publishing produced no site."""
    clone = office.forge(office.admin)
    clone.repo.run("pull", "--quiet", "--ff-only", "origin", "main")
    output = office.root / "site"
    build_site(clone.repo.work_tree or office.root, output)
    return output if (output / "index.html").is_file() else None


@click.command(help=MSG("help"))
@click.option("--no-serve", is_flag=True, help=MSG("no_serve"))
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None, help=MSG("dir"))
@click.option("--realtime", is_flag=True, help=MSG("realtime"))
@click.option("--port", type=int, default=8000, help=MSG("port"))
@click.option("--web-port", type=int, default=8080, help=MSG("web_port"))
def command(no_serve: bool, folder: Path | None, realtime: bool, port: int, web_port: int) -> None:
    started = time.perf_counter()
    console = Console(width=max(100, shutil.get_terminal_size().columns))
    source = _source()
    root = _prepare(
        folder
        or (
            Path.cwd() / "demo"
            if Path.cwd() == source
            else Path(tempfile.mkdtemp(prefix="terbit-demo-"))
        )
    )
    ours = "TERBIT_PUBLISH" not in os.environ
    os.environ.setdefault("TERBIT_PUBLISH", "sync")  # the site must exist before we serve it
    stops: list[Callable[[], None]] = []
    # Serve the live folder from the start: publishing checks the live page while it runs.
    live = _live_path(root / "server.git", source)
    url, stop = _serve(live, port)
    try:
        office = create_office(
            root, source, seed_message="Isi awal situs dan kunci SSH pegawai", site_url=url
        )
        console.print(MSG("office", path=root, server=office.server.name, n=len(office.people)))
        calendar = load_settings(source).calendar.build()
        start = None if realtime else demo_start(datetime.now(UTC), calendar)
        if start:
            local = start.astimezone(calendar.tz)
            console.print(MSG("clock", day=long_date(local), start=f"{local:%H:%M}",
                              zone=calendar.zone))  # fmt: skip
        result = run_story(office, start=start, say=console.print)
        if result.server_output:
            console.print(f"[dim]{MSG('server_said')}\n{result.server_output}[/dim]")
        forge = office.forge(office.admin)
        forge.sync()
        change = forge.get_change(result.change.id)
        title = MSG("table", id=change.id, title=change.title)
        found = _record(office, change.id, result.merge_sha)
        if found:
            record_folder, record = found
            console.print(sop_table(title, rows_from_record(record)))
            forge.repo.run("pull", "--quiet", "--ff-only", "origin", "main")
            console.print(MSG("record", path=office.clone_path(office.admin) / record_folder))
        else:
            console.print(sop_table(title, rows_from_report(verdict(forge, change))))
        tip = Repo(office.server).rev_parse("refs/heads/main") or result.merge_sha
        if tip != result.merge_sha and found:
            merge = result.merge_sha[:10]
            console.print(MSG("tip_record", sha=tip[:10], id=change.id, merge=merge))
        else:
            console.print(MSG("merged", sha=tip[:10], id=change.id))
        if not (live / "index.html").is_file():
            site = _build_fallback(office)
            if site is not None:
                stop()
                url, stop = _serve(site, port)
            else:
                console.print(MSG("no_site", log=office.server / "terbit" / "publish.log"))
        console.print(MSG("site", url=url))
        status = str(found[1].get("status")) if found else "-"
        published = status == "complete"
        log = office.server / "terbit" / "publish.log"
        failed = MSG("not_published", id=change.id, status=status, log=log)
        if not published:  # the demo never claims a publication that did not happen
            console.print(f"[red]{failed}[/red]")
        console.print(demo_accounts(office))
        console.print(MSG("took", s=time.perf_counter() - started))
        if no_serve:
            if not published:
                raise InputError(failed)
            return
        if os.environ.get("TERBIT_PUBLISH") == "sync" and ours:
            os.environ["TERBIT_PUBLISH"] = "background"  # a merge in the browser returns at once
        web_url, stop_web = serve_web(office, web_port)
        stops.append(stop_web)
        console.print(WEB_MSG("web", url=web_url))
        console.print(MSG("stop"))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for stop_web in stops:
            stop_web()
        stop()
