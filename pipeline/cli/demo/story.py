"""The demo's story: one article goes through every SOP step on a real embedded server.

Each person acts from their own clone with their own key, exactly as ``terbit`` commands do,
so the server's hooks check every push. An optional simulated office clock gives the SOP table
realistic minutes (the real run takes seconds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.change.model import Change
from pipeline.change.nota_dinas import template
from pipeline.config.calendar import CalendarSettings, WorkCalendar
from pipeline.forge.local.client import actions as client
from pipeline.cli.demo.office import Office, clock
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "draft": ("{who} menulis draf artikel", "{who} writes the draft article"),
        "submit": (
            "{who} mengajukan perubahan #{id} dengan nota dinas {nomor}",
            "{who} submits change #{id} with nota dinas {nomor}",
        ),
        "request": ("{who} meminta perbaikan: {text}", "{who} requests changes: {text}"),
        "fix": ("{who} memperbaiki draf dan mengirim commit baru", "{who} fixes the draft"),
        "approve": ("{who} menyetujui ({what})", "{who} approves ({what})"),
        "merge": (
            "{who} menggabungkan perubahan #{id} lewat server ({sha})",
            "{who} merges change #{id} through the server ({sha})",
        ),
        "check": ("pemeriksaan", "check"),
        "disposition": ("disposisi", "disposition"),
        "final": ("pemeriksaan akhir commit terakhir", "final check of the last commit"),
        "request_text": (
            "Ringkasan terlalu panjang dan nama bandara perlu ditulis lengkap.",
            "The summary is too long and the airport needs its full name.",
        ),
        "disposition_text": (
            "Disposisi: periksa dan tindak lanjuti, segera publikasikan.",
            "Disposition: check and follow up, publish soon.",
        ),
    }
)

WIB = ZoneInfo("Asia/Jakarta")
SLUG = "pemeriksaan-kesehatan-jemaah-haji"
TITLE = "Pemeriksaan Kesehatan Jemaah Haji di Bandara Kualanamu"
NOMOR_FMT = "ND-{n}/LPZI/{month}/{year}"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

# Minutes after the start of the office day at which each action happens (simulated clock).
SCHEDULE = {
    "draft": 0, "commit": 48, "submit": 70, "request": 118, "fix": 146, "approve1": 165,
    "dispose": 174, "final": 212, "merge": 225,
}  # fmt: skip


def article(summary: str, airport: str) -> str:
    return (
        "---\n"
        f"title: {TITLE}\n"
        "date: {date}\n"
        "category: Berita\n"
        "tags: [haji, bandara, kesehatan]\n"
        f"summary: {summary}\n"
        "author: rina\n"
        "---\n\n"
        f"Petugas Balai Besar Kekarantinaan Kesehatan Medan memeriksa dokumen kesehatan jemaah "
        f"haji yang tiba di {airport}. Pemeriksaan meliputi suhu tubuh, kartu vaksinasi "
        "meningitis, dan keluhan kesehatan selama perjalanan.\n\n"
        "Jemaah yang memiliki keluhan diarahkan ke pos kesehatan untuk pemeriksaan lanjutan. "
        "Informasi layanan: humas@bbkkmedan.go.id.\n"
    )


@dataclass
class StoryResult:
    change: Change
    merge_sha: str
    server_output: str
    lines: list[str]


def run_story(
    office: Office,
    *,
    start: datetime | None,
    say: Callable[[str], None] = lambda _line: None,
    staff: str = "rina",
    katimker: str = "sari",
    head: str = "andi",
    admin: str = "dewi",
) -> StoryResult:
    """Draft → nota dinas → corrections → approvals → merge; every push checked by the hooks."""
    lines: list[str] = []

    def at(step: str) -> datetime | None:
        return start + timedelta(minutes=SCHEDULE[step]) if start else None

    def tell(text: str) -> None:
        moment = current[0] or datetime.now(UTC)
        stamp = moment.astimezone(WIB).strftime("%H:%M")
        line = f"{stamp}  {text}"
        lines.append(line)
        say(line)

    current: list[datetime | None] = [None]
    name = {pid: office.people[pid].name for pid in office.people}
    writer = office.forge(staff)
    repo = writer.repo
    path = office.clone_path(staff) / "content" / "articles" / f"{SLUG}.md"

    current[0] = at("draft")
    with clock(current[0]):
        writer.sync()
        repo.switch_new_branch(f"draft/{SLUG}", writer.base_tip())
        day = (current[0] or datetime.now(UTC)).astimezone(WIB).strftime("%Y-%m-%d %H:%M")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article("(ringkasan)", "bandara").replace("{date}", day), "utf-8")
        repo.run("add", "--all")
        repo.run("commit", "--quiet", "-m", f"Mulai draf: {TITLE}")

    current[0] = at("commit")
    with clock(current[0]):
        long_summary = (
            "Petugas memeriksa dokumen kesehatan jemaah haji yang tiba di bandara, termasuk "
            "suhu tubuh dan kartu vaksinasi meningitis, serta mengarahkan jemaah yang sakit."
        )
        path.write_text(article(long_summary, "bandara").replace("{date}", day), "utf-8")
        repo.run("commit", "--quiet", "-am", f"Draf: {TITLE}")
        tell(MSG("draft", who=name[staff]))

    current[0] = at("submit")
    with clock(current[0]):
        today = (current[0] or datetime.now()).date()
        nomor = NOMOR_FMT.format(n=12, month=ROMAN[today.month - 1], year=today.year)
        person = office.people[staff]
        nota = template(
            nomor=nomor,
            dari=person.jabatan or person.name,
            hal=f"Permohonan Publikasi Informasi: {TITLE}",
            tanggal=date(today.year, today.month, today.day),
            sifat="Segera",
            lampiran=["Draf artikel", "Foto kegiatan"],
            nama=person.name,
            nip=person.nip,
        )
        change_id, _ = client.submit(writer, office.who(staff), nota_text=nota)
        tell(MSG("submit", who=name[staff], id=change_id, nomor=nomor))

    current[0] = at("request")
    with clock(current[0]):
        text = MSG("request_text")
        client.review(
            office.forge(katimker), office.who(katimker), change_id, "request_changes", text
        )
        tell(MSG("request", who=name[katimker], text=text))

    current[0] = at("fix")
    with clock(current[0]):
        short = (
            "Petugas memeriksa kesehatan jemaah haji yang tiba di Bandara Internasional Kualanamu."
        )
        text = path.read_text(encoding="utf-8")
        fixed = article(short, "Bandara Internasional Kualanamu")
        fixed = fixed.replace("{date}", text.split("date: ", 1)[1].split("\n", 1)[0])
        path.write_text(fixed, encoding="utf-8")
        repo.run("commit", "--quiet", "-am", "Perbaiki ringkasan dan nama bandara")
        client.submit(writer, office.who(staff), nota_text=None)
        tell(MSG("fix", who=name[staff]))

    for step, who, what, body in (
        ("approve1", katimker, MSG("check"), ""),
        ("dispose", head, MSG("disposition"), MSG("disposition_text")),
        ("final", katimker, MSG("final"), ""),
    ):
        current[0] = at(step)
        with clock(current[0]):
            client.review(office.forge(who), office.who(who), change_id, "approve", body)
            tell(MSG("approve", who=name[who], what=what))

    current[0] = at("merge")
    with clock(current[0]):
        forge = office.forge(admin)
        sha, output = client.merge(forge, office.who(admin), change_id)
        tell(MSG("merge", who=name[admin], id=change_id, sha=sha[:10]))
        change = forge.get_change(change_id)
    return StoryResult(change=change, merge_sha=sha, server_output=output, lines=lines)


def demo_start(now: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """Start of the simulated office day: half an hour after opening on the latest working day
    whose story (merge included) lies inside office hours and is over before ``now``."""
    office = calendar or CalendarSettings().build()
    length = timedelta(minutes=SCHEDULE["merge"] + 2)
    day = now.astimezone(office.tz).date()
    for _ in range(60):  # a month of closed days is not a real calendar; bounded anyway
        span = office.span(day)
        if span is not None:
            start = datetime.combine(day, span[0], office.tz) + timedelta(minutes=30)
            close = datetime.combine(day, span[1], office.tz)
            if start + length <= min(now, close):
                return start.astimezone(UTC)
        day -= timedelta(days=1)
    return (now - length).replace(second=0, microsecond=0)


