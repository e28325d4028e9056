"""``terbit init-server PATH``: create the office's server repository with its hooks."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.hooks.install import init_server
from pipeline.i18n import Catalog
from pipeline.publication.server_key import KEY_DIR, create_server_key, newest_public_key

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
        "rotate": (
            "Ganti kunci server dengan kunci baru (yang lama tetap disimpan).",
            "Replace the server key by a new one (the old one is kept).",
        ),
        "key": (
            "Kunci tanda tangan server (untuk commit catatan penyelesaian) disimpan di {keys} "
            "(jangan disalin ke repositori). Tulis kunci publiknya di terbit.yml:\n"
            '  forge:\n    server_key: "{public}"',
            "The server's signing key (for completion record commits) is kept in {keys} (never "
            "copy it into the repository). Put its public key in terbit.yml:\n"
            '  forge:\n    server_key: "{public}"',
        ),
        "rotated": (
            "Kunci server baru dibuat. Ajukan perubahan terbit.yml dengan forge.server_key "
            "berikut; setelah Kepala Satker menyetujui dan perubahan digabung, catatan "
            "berikutnya ditandatangani kunci baru:\n  {public}",
            "New server key created. Submit a change to terbit.yml with the forge.server_key "
            "below; once the head has approved it and it is merged, the next records are "
            "signed with the new key:\n  {public}",
        ),
    }
)


@click.command(help=MSG("help"))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--hooks-only", is_flag=True, help=MSG("hooks_only"))
@click.option("--rotate-key", is_flag=True, help=MSG("rotate"))
def command(path: Path, hooks_only: bool, rotate_key: bool) -> None:
    repo = init_server(path.resolve(), hooks_only=hooks_only or rotate_key)
    if rotate_key:
        click.echo(MSG("rotated", public=create_server_key(repo.git_dir)))
        return
    click.echo(MSG("hooks" if hooks_only else "done", path=repo.git_dir))
    if not hooks_only:
        public = newest_public_key(repo.git_dir)
        click.echo(MSG("key", keys=repo.git_dir / KEY_DIR, public=public))
