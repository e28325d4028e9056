"""``terbit init-server PATH``: create the office's server repository with its hooks."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.forge.local.server import init_server
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "help": (
            "Buat repositori server (bare) untuk forge bawaan, lengkap dengan hook yang "
            "menegakkan SOP. Letakkan di mesin mana pun yang bisa diakses lewat SSH.",
            "Create the server (bare) repository for the embedded forge, with the hooks that "
            "enforce the SOP. Put it on any machine reachable over SSH.",
        ),
        "hooks_only": (
            "Hanya pasang ulang hook pada repositori server yang sudah ada.",
            "Only reinstall the hooks of an existing server repository.",
        ),
        "done": (
            "Repositori server dibuat di {path} (hook pre-receive dan post-receive terpasang).\n"
            "Langkah berikutnya (Admin Website):\n"
            "  git clone {path} situs && cd situs\n"
            "  salin berkas situs (content/, theme/, sop.yml, roles.yml, terbit.yml, …), isi "
            "ssh_key tiap orang di roles.yml\n"
            "  git add -A && git commit -m 'Isi awal situs' && git push origin main\n"
            "Lewat SSH, klon dengan: git clone pengguna@mesin:{path}",
            "Server repository created at {path} (pre-receive and post-receive hooks installed).\n"
            "Next steps (Admin Website):\n"
            "  git clone {path} site && cd site\n"
            "  copy the site files (content/, theme/, sop.yml, roles.yml, terbit.yml, …), fill in "
            "everyone's ssh_key in roles.yml\n"
            "  git add -A && git commit -m 'Initial site' && git push origin main\n"
            "Over SSH, clone with: git clone user@machine:{path}",
        ),
        "hooks": ("Hook dipasang ulang di {path}.", "Hooks reinstalled in {path}."),
    }
)


@click.command(help=MSG("help"))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--hooks-only", is_flag=True, help=MSG("hooks_only"))
def command(path: Path, hooks_only: bool) -> None:
    repo = init_server(path.resolve(), hooks_only=hooks_only)
    click.echo(MSG("hooks" if hooks_only else "done", path=repo.git_dir))
