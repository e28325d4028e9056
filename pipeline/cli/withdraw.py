"""``terbit withdraw SLUG --alasan ...``: take a published article off the site (issue 15 §2).

Opens a change on sop.yml's short ``withdrawal:`` path: its only file is the withdrawals list
(``content/withdrawn.yml``) with one entry added, and its nota dinas says what and why. One
approval by a member of ``withdrawal.approve`` who did not open it lets the admin merge; the
publication then proves the article answers 410 with its notice and is linked from nowhere.

On GitHub (``forge.kind: github``) the same entry is committed on a branch of its own and pushed
with the person's own Git credentials; the command prints the address that opens the pull
request with the nota dinas filled in (GitHub's documented ``quick_pull`` query). The SOP gate's
workflow then judges it on the same short path.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import click

from pipeline.change.nota_dinas import template
from pipeline.config.roles import ROLES_FILE, load_roles
from pipeline.config.settings import committed_settings, load_settings
from pipeline.draft.withdrawals import Withdrawal, appended, path_in
from pipeline.errors import InputError
from pipeline.forge.local.client.actions import identity, submit
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "help": (
            "Tarik artikel SLUG yang sudah tayang dari situs lewat jalur penarikan sop.yml: "
            "halamannya menjawab 410 dengan pemberitahuan, dan artikel hilang dari semua daftar.",
            "Withdraw the published article SLUG from the site on sop.yml's withdrawal path: "
            "its address answers 410 with a notice, and it leaves every list.",
        ),
        "alasan": (
            "Alasan penarikan (tampil di halaman pemberitahuan).",
            "Why it is withdrawn (shown on the notice page).",
        ),
        "ganti": ("Slug artikel pengganti (opsional).", "Slug of the replacement (optional)."),
        "nomor": (
            "Nomor nota dinas penarikan, mis. ND-15/LPZI/XII/2026.",
            "Number of the withdrawal's nota dinas, e.g. ND-15/LPZI/XII/2026.",
        ),
        "dirty": (
            "ada perubahan yang belum di-commit di klon ini; commit atau simpan dulu",
            "this clone has uncommitted changes; commit or set them aside first",
        ),
        "hal": (
            "Penarikan artikel \u201c{slug}\u201d dari situs web",
            "Withdrawal of \u201c{slug}\u201d",
        ),
        "isi": (
            "Dengan hormat, mohon artikel \u201c{slug}\u201d ditarik dari situs web kantor. "
            "Alasan: {alasan}",
            "Please withdraw the article \u201c{slug}\u201d from the office's website. "
            "Reason: {alasan}",
        ),
        "commit": ("Penarikan: {slug}", "Withdrawal: {slug}"),
        "opened": (
            "Perubahan #{id} (penarikan {slug}) diajukan; menunggu satu persetujuan jalur "
            "penarikan.\nLihat kemajuannya: terbit status {id}",
            "Change #{id} (withdrawal of {slug}) opened; it waits for one approval of the "
            "withdrawal path.\nFollow it: terbit status {id}",
        ),
        "github_opened": (
            "Cabang {branch} (penarikan {slug}) dikirim ke GitHub. Buka pull request-nya, nota "
            "dinas sudah terisi:\n{url}\nSetelah dibuka, PR menunggu satu persetujuan jalur "
            "penarikan (status terbit / sop-gate).",
            "Branch {branch} (withdrawal of {slug}) pushed to GitHub. Open its pull request, the "
            "nota dinas is filled in:\n{url}\nOnce opened, the PR waits for one approval of the "
            "withdrawal path (status terbit / sop-gate).",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("slug")
@click.option("--alasan", required=True, help=MSG("alasan"))
@click.option("--ganti", default=None, help=MSG("ganti"))
@click.option("--nomor", required=True, help=MSG("nomor"))
def command(slug: str, alasan: str, ganti: str | None, nomor: str) -> None:
    here = Repo.discover(Path.cwd())
    if here.work_tree is not None and load_settings(here.work_tree).forge.kind == "github":
        _on_github(here, slug, " ".join(alasan.split()), ganti, nomor)
        return
    forge = open_local()
    who = identity(forge)
    repo = forge.repo
    if not repo.is_clean():
        raise InputError(MSG("dirty"))
    forge.sync()
    base = forge.base_tip()
    listed = path_in(forge.settings.content.path)
    today = datetime.now(ZoneInfo(forge.settings.site.timezone)).date()
    entry = Withdrawal(slug=slug, alasan=" ".join(alasan.split()), ganti=ganti, tanggal=today,
                       oleh=who.person.id)  # fmt: skip
    text = appended(repo.show_file(base, listed) or "", entry)  # checks the list on main too
    repo.switch_new_branch(f"tarik/{slug}", base)
    assert repo.work_tree is not None
    (repo.work_tree / listed).write_text(text, encoding="utf-8")
    repo.commit_paths([listed], MSG("commit", slug=slug))
    nota = template(
        nomor=nomor, dari=who.person.jabatan or who.person.name, hal=MSG("hal", slug=slug),
        tanggal=today, sifat="Segera", lampiran=[listed], nama=who.person.name,
        nip=who.person.nip, isi=MSG("isi", slug=slug, alasan=entry.alasan),
    )  # fmt: skip
    # The server checks the list (the slug names an article, nothing else changed) and who
    # may open a withdrawal; its refusal is said here, located, before anything is pushed.
    change_id, _opened = submit(forge, who, nota_text=nota, title=MSG("hal", slug=slug))
    click.echo(MSG("opened", id=change_id, slug=slug))


def _on_github(repo: Repo, slug: str, alasan: str, ganti: str | None, nomor: str) -> None:
    """The withdrawal's branch, pushed to GitHub, and the address of its pull request."""
    # `terbit --help` loads this module; the GitHub client (githubkit) would add 0.3 s to
    # every command's start-up (python -X importtime; see forge.open_forge), so it is here.
    from pipeline.forge.github.forge import repository_name

    if not repo.is_clean():
        raise InputError(MSG("dirty"))
    repo.fetch("origin", "+refs/heads/main:refs/remotes/origin/main")
    base = "refs/remotes/origin/main"
    settings = committed_settings(lambda path: repo.show_file(base, path))
    listed = path_in(settings.content.path)
    roles = load_roles(repo.show_file(base, ROLES_FILE) or "", ROLES_FILE)
    person = roles.by_email(repo.config("user.email"))  # who asks (GitHub says who opened)
    today = datetime.now(ZoneInfo(settings.site.timezone)).date()
    entry = Withdrawal(slug=slug, alasan=alasan, ganti=ganti, tanggal=today,
                       oleh=person.id if person else None)  # fmt: skip
    text = appended(repo.show_file(base, listed) or "", entry)  # checks the list on main too
    branch = f"tarik/{slug}"
    repo.switch_new_branch(branch, base)
    assert repo.work_tree is not None
    (repo.work_tree / listed).write_text(text, encoding="utf-8")
    repo.commit_paths([listed], MSG("commit", slug=slug))
    repo.push("origin", f"refs/heads/{branch}:refs/heads/{branch}")
    name = person.name if person else (repo.config("user.name") or "")
    nota = template(
        nomor=nomor, dari=(person.jabatan if person else "") or name, hal=MSG("hal", slug=slug),
        tanggal=today, sifat="Segera", lampiran=[listed], nama=name,
        nip=person.nip if person else "", isi=MSG("isi", slug=slug, alasan=entry.alasan),
    )  # fmt: skip
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    query = urlencode({"quick_pull": "1", "title": MSG("hal", slug=slug), "body": nota})
    url = f"{server}/{repository_name(repo.work_tree)}/compare/main...{branch}?{query}"
    click.echo(MSG("github_opened", branch=branch, slug=slug, url=url))
