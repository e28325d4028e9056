"""``terbit new SLUG``: start a draft (SOP step 1) on its own branch, from the latest main."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from pipeline.errors import ConfigError
from pipeline.forge.local.client.actions import identity
from pipeline.forge.local.client.session import open_local
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Mulai draf baru (langkah 1 SOP) di cabang draft/SLUG dengan kerangka front matter.",
            "Start a new draft (SOP step 1) on branch draft/SLUG with a front matter skeleton.",
        ),
        "title": ("Judul artikel.", "Article title."),
        "category": ("Kategori (lihat terbit.yml).", "Category (see terbit.yml)."),
        "page": ("Buat halaman statis, bukan artikel.", "Create a static page, not an article."),
        "bad_slug": (
            "slug '{slug}' tidak sah: pakai huruf kecil, angka dan tanda '-' (mis. vaksin-haji)",
            "slug '{slug}' is invalid: use lower-case letters, digits and '-' (e.g. vaksin-haji)",
        ),
        "dirty": (
            "ada perubahan yang belum di-commit di klon ini; commit atau simpan dulu",
            "this clone has uncommitted changes; commit or set them aside first",
        ),
        "exists": (
            "berkas {path} sudah ada di main; pilih slug lain",
            "{path} already exists on main; choose another slug",
        ),
        "done": (
            "Draf dibuat: {path} (cabang {branch}); waktu langkah 1 dihitung sejak commit "
            "pertamanya.\n"
            "Tulis isinya, lalu:\n"
            "  git add {path} && git commit -m 'Draf: {title}'\n"
            "  terbit submit --nota nota-dinas.md   (formulir kosong: terbit submit --form)",
            "Draft created: {path} (branch {branch}); step 1 is timed from its first commit.\n"
            "Write it, then:\n"
            "  git add {path} && git commit -m 'Draft: {title}'\n"
            "  terbit submit --nota nota-dinas.md   (blank form: terbit submit --form)",
        ),
        "no_commit": (
            "Jangan commit kerangka draf (langkah 1 dihitung sejak commit pertama Anda).",
            "Do not commit the skeleton (step 1 is then timed from your first commit).",
        ),
        "first_commit": ("Mulai draf: {title}", "Start draft: {title}"),
        "placeholder_title": ("Judul artikel", "Article title"),
        "placeholder_summary": (
            "Satu-dua kalimat ringkasan.",
            "One or two sentences of summary.",
        ),
        "placeholder_body": (
            "Tulis isi artikel di sini.",
            "Write the article here.",
        ),
    }
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def skeleton(*, title: str, category: str, author: str, page: bool, now: datetime) -> str:
    quoted = title.replace('"', '\\"')
    if page:
        return f'---\ntitle: "{quoted}"\nsummary: {MSG("placeholder_summary")}\n---\n\n'
    return (
        "---\n"
        f'title: "{quoted}"\n'
        f"date: {now:%Y-%m-%d %H:%M}\n"
        f"category: {category}\n"
        "tags: []\n"
        f"summary: {MSG('placeholder_summary')}\n"
        f"author: {author}\n"
        "---\n\n"
        f"{MSG('placeholder_body')}\n"
    )


@click.command(help=MSG("help"))
@click.argument("slug")
@click.option("--title", default=None, help=MSG("title"))
@click.option("--category", default=None, help=MSG("category"))
@click.option("--page", is_flag=True, help=MSG("page"))
@click.option("--no-commit", is_flag=True, help=MSG("no_commit"))
def command(
    slug: str, title: str | None, category: str | None, page: bool, no_commit: bool
) -> None:
    if not SLUG_RE.match(slug):
        raise ConfigError(MSG("bad_slug", slug=slug))
    forge = open_local()
    who = identity(forge)
    repo = forge.repo
    if not repo.is_clean():
        raise ConfigError(MSG("dirty"))
    folder = forge.settings.content.path + ("/pages" if page else "/articles")
    rel = f"{folder}/{slug}.md"
    if repo.show_file(forge.base_tip(), rel) is not None:
        raise ConfigError(MSG("exists", path=rel))
    branch = f"draft/{slug}"
    repo.switch_new_branch(branch, forge.base_tip())
    now = datetime.now(ZoneInfo(forge.settings.site.timezone))
    title = title or MSG("placeholder_title")
    text = skeleton(
        title=title,
        category=category or forge.settings.content.categories[0],
        author=who.person.id,
        page=page,
        now=now,
    )
    assert repo.work_tree is not None
    target = repo.work_tree / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if not no_commit:  # the first commit of the draft is when SOP step 1 starts
        repo.commit_paths([rel], MSG("first_commit", title=title))
    click.echo(MSG("done", path=rel, branch=branch, title=title))
