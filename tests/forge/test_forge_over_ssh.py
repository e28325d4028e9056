"""The office's server reached over real SSH (OpenSSH on 127.0.0.1), as offices deploy it.

The hooks must work when git-receive-pack is started by sshd (another environment, no
TERBIT_* variables): refusals still reach the pusher as `remote: terbit: …` lines.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from pipeline.cli.demo.office import Office, create_office
from tests.support.forge import Kit, make_source
from tests.support.sshd import SshServer

pytestmark = [
    pytest.mark.xdist_group("forge-ssh"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def ssh_office(tmp_path_factory: pytest.TempPathFactory, sshd: SshServer) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("ssh")
    saved = {k: os.environ.get(k) for k in ("GIT_SSH_COMMAND", "TERBIT_PUBLISH")}
    os.environ["GIT_SSH_COMMAND"] = sshd.ssh_command.replace(f" -p {sshd.port}", "")
    os.environ["TERBIT_PUBLISH"] = "off"
    try:
        office = create_office(
            folder / "kantor", make_source(folder / "src"), seed_message="Isi awal"
        )
        url = f"ssh://{sshd.user}@127.0.0.1:{sshd.port}{office.server}"
        for person in office.people:
            subprocess.run(
                ["git", "remote", "set-url", "origin", url],
                cwd=office.clone_path(person), check=True,
            )  # fmt: skip
        yield office
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_sop_runs_and_is_enforced_over_ssh(ssh_office: Office) -> None:
    kit = Kit(ssh_office, counter=7000)
    assert kit.forge("rina").repo.config("remote.origin.url", None).startswith("ssh://")
    change_id = kit.submit()
    kit.review("sari", change_id, "request_changes", "Perbaiki judul")
    refusal = kit.merge_refused(change_id)
    assert "meminta perbaikan" in refusal
    ok, output = kit.bypass_merge(change_id)
    assert not ok and "remote: terbit: dorongan ditolak" in output
    kit.approve_all(change_id)
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"
    ok, output = kit.push("dewi", ":refs/heads/main")
    assert not ok and "cabang main tidak boleh dihapus" in output


def test_a_push_with_check_errors_is_refused_over_ssh(
    ssh_office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sshd starts the hook with none of the pusher's variables: the checks still run there,
    with the server's own policy, and the refusal reaches the pusher located."""
    from pipeline.errors import InputError
    from pipeline.forge.local.client import actions as client
    from tests.support.forge import article

    try:  # a modified client that skips its own pre-check: only the server stands guard
        from pipeline.gate.drafts import ChangeCheck

        monkeypatch.setattr(client, "check_change", lambda *a: ChangeCheck())
    except ImportError:  # a Terbit without the pre-check at all
        pass
    kit = Kit(ssh_office, counter=7100)
    bad = article("Buruk").replace("category: Berita", "category: Gosip")
    kit.draft(files={"content/articles/buruk.md": bad + "Sisa\x01 PDF.\n"})
    head = kit.forge("rina").repo.head()
    with pytest.raises(InputError) as refused:
        kit.resubmit(new=True)
    message = str(refused.value)
    assert "server menolak" in message and "belum lulus pemeriksaan draf" in message
    assert "content/articles/buruk.md:4: 'category': kategori 'Gosip' tidak dikenal" in message
    assert "content/articles/buruk.md:9: karakter kendali U+0001 di kolom 5" in message
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{head}^{{commit}}"], cwd=ssh_office.server, check=False
    )
    assert found.returncode != 0  # the refused commit never entered the server's history
