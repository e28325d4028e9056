"""The server enforces the draft checks and the allow-list (issue 10, server side).

Real office: server repository with its hooks, signed records, one clone per person. Where a
test must reach the server with what `terbit submit` would refuse, it switches the client's
own pre-check off, as an attacker's modified client would: the hook alone must refuse.
"""

from __future__ import annotations

import contextvars
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.forge.local.client import actions as client
from pipeline.gate.fact_cache import CACHE_FILE
from pipeline.vcs import Repo
from tests.support.forge import Kit, article, git, refused_both_ways

BAD = article("Buruk", body="Teks dari PDF\x0bdengan karakter aneh.").replace(
    "category: Berita", "category: Gosip"
)


def no_client_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that skips its own pre-check (a modified or old `terbit`)."""
    try:
        from pipeline.gate.drafts import ChangeCheck
    except ImportError:  # a Terbit without the pre-check at all
        return
    monkeypatch.setattr(client, "check_change", lambda *a: ChangeCheck(), raising=False)


def server_has(kit: Kit, sha: str) -> bool:
    done = git(kit.office.server, "cat-file", "-e", f"{sha}^{{commit}}")
    return done.returncode == 0


def submit_refused(kit: Kit, who: str = "rina") -> str:
    with pytest.raises(InputError) as refused:
        kit.resubmit(who, new=True)
    return str(refused.value)


def test_submit_refuses_a_draft_with_check_errors(kit: Kit) -> None:
    before = set(kit.forge("dewi").change_ids())
    slug = kit.draft(files={"content/articles/buruk.md": BAD})
    message = submit_refused(kit)
    assert "belum lulus pemeriksaan draf; tidak ada yang dikirim" in message
    assert "content/articles/buruk.md:4: 'category': kategori 'Gosip' tidak dikenal" in message
    assert "content/articles/buruk.md:8: karakter kendali U+000B di kolom 14" in message
    kit.forge("dewi").sync()
    assert set(kit.forge("dewi").change_ids()) == before
    assert slug


def test_the_real_cli_refuses_it_too(kit: Kit, tmp_path: Path) -> None:
    kit.draft(files={"content/articles/buruk.md": BAD})
    nota = tmp_path / "nota.md"
    from datetime import date

    from pipeline.change.nota_dinas import template

    nota.write_text(
        template(nomor="ND-1/LPZI/XI/2026", dari="Tim", hal="Uji", tanggal=date(2026, 11, 28))
    )
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--lang", "en", "submit", "--nota", str(nota)],
        cwd=kit.office.clone_path("rina"), capture_output=True, text=True, check=False,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "fail the draft checks; nothing was sent" in out
    assert "content/articles/buruk.md:4: 'category': unknown category 'Gosip'" in out
    assert "Traceback" not in out


def test_server_refuses_a_push_with_check_errors(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    no_client_check(monkeypatch)
    kit.draft(files={"content/articles/buruk.md": BAD})
    head = kit.forge("rina").repo.head()
    message = submit_refused(kit)
    assert "server menolak" in message
    assert "belum lulus pemeriksaan draf" in message
    assert "content/articles/buruk.md:4: 'category': kategori 'Gosip' tidak dikenal" in message
    # A refused file never enters the server's history.
    assert head and not server_has(kit, head)


def test_server_refuses_new_commits_with_check_errors(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    change_id = kit.submit()
    good_head = kit.change(change_id).head_sha
    no_client_check(monkeypatch)
    kit.commit("rina", "content/articles/buruk.md", BAD)
    with pytest.raises(InputError) as refused:
        kit.resubmit()
    assert "content/articles/buruk.md:8: karakter kendali U+000B" in str(refused.value)
    assert kit.change(change_id).head_sha == good_head


def test_links_submodules_bad_names_and_huge_files_are_refused(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit.draft()
    root = kit.office.clone_path("rina")
    repo = kit.forge("rina").repo
    (root / "content/images").mkdir(parents=True, exist_ok=True)
    (root / "content/images/kunci.png").symlink_to("../../roles.yml")
    (root / "content/articles/baris\nbaru.md").write_text(article("Baris"))
    (root / "content/images/besar.jpg").write_bytes(b"\xff\xd8\xff" + bytes(9 * 1024 * 1024))
    repo.run("add", "--all")
    repo.run("update-index", "--add", "--cacheinfo", f"160000,{repo.head()},content/modul")
    (root / "content/modul").mkdir()  # an unpopulated submodule: an empty folder
    repo.run("commit", "--quiet", "-m", "Selundupan")
    expected = (
        "content/articles/baris\\x0abaru.md: nama berkas berisi karakter kendali",
        "content/images/besar.jpg: gambar berukuran 9217 KB, maksimum 500 KB",
        "content/images/kunci.png: tautan simbolik tidak diterima",
        "content/modul: submodule (gitlink) tidak diterima",
    )
    message = submit_refused(kit)  # the client says so first …
    assert "tidak ada yang dikirim" in message
    assert all(line in message for line in expected), message
    no_client_check(monkeypatch)
    message = submit_refused(kit)  # … and the server on its own
    assert "server menolak" in message
    assert all(line in message for line in expected), message
    assert not server_has(kit, repo.head() or "")


def test_paths_of_too_many_folders_are_refused(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past about a thousand folders Python's own tree walks and removals fail (the export of
    # main for every publication after): such a tree must never land, whoever approved it.
    kit.draft()
    root = kit.office.clone_path("rina")
    repo = kit.forge("rina").repo
    deep_draft = "content/articles/" + "d/" * 40 + "dalam.md"
    deep_other = "catatan/" + "d/" * 40 + "x.txt"
    for path, text in ((deep_draft, article("Dalam")), (deep_other, "x\n")):
        (root / path).parent.mkdir(parents=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "content/articles/dangkal").mkdir()  # a few folders are fine
    (root / "content/articles/dangkal/biasa.md").write_text(article("Biasa"), encoding="utf-8")
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", "Folder bersarang")
    expected = (
        f"{deep_draft}: jalur terlalu dalam (42 tingkat folder, maksimum 32)",
        f"{deep_other}: jalur terlalu dalam (41 tingkat folder, maksimum 32)",
    )
    message = submit_refused(kit)  # the client says so first …
    assert all(line in message for line in expected), message
    assert "dangkal/biasa.md: jalur" not in message
    no_client_check(monkeypatch)
    message = submit_refused(kit)  # … and the server on its own
    assert "server menolak" in message
    assert all(line in message for line in expected), message
    assert not server_has(kit, repo.head() or "")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    def call() -> int:
        try:
            main(list(args))
        except SystemExit as done:
            return int(done.code or 0)
        return 0

    code = contextvars.copy_context().run(call)
    out, err = capsys.readouterr()
    return code, out + err


def test_the_gate_shows_the_checks_and_the_server_refuses_on_main(
    kit: Kit, capsys: pytest.CaptureFixture[str]
) -> None:
    n = kit.counter
    first = kit.submit(files={f"content/articles/kembar-{n}.md": article("Kembar")})
    code, out = run_cli(capsys, "gate", first, "--repo", str(kit.office.clone_path("dewi")))
    assert code == 1
    assert "Pemeriksaan draf (terbit check)" in out
    assert "terbit check" in out.split("Pemeriksaan draf")[1].splitlines()[0]
    # Another change publishes the same slug first: the first one no longer passes.
    second = kit.submit(files={f"content/articles/lain/kembar-{n}.md": article("Lain")})
    kit.approve_all(second)
    kit.merge(second)
    kit.approve_all(first)
    code, out = run_cli(capsys, "gate", first, "--repo", str(kit.office.clone_path("dewi")))
    assert code == 1
    row = out.split("Pemeriksaan draf")[1].splitlines()
    assert "ditolak" in out.split("Pemeriksaan draf")[0].splitlines()[-1]
    assert f"slug 'kembar-{n}' juga dipakai" in "\n".join(row[:3])
    refused_both_ways(kit, first, "belum lulus pemeriksaan draf")
    refused_both_ways(kit, first, f"content/articles/kembar-{n}.md:2: slug 'kembar-{n}'")
    # Both sides compared the change with the other drafts through the facts each keeps by
    # blob id in its own Git folder (never in a tree a change can write).
    for repo in (Repo(kit.office.clone_path("dewi")), Repo(kit.office.server)):
        assert (repo.git_dir / CACHE_FILE).is_file(), repo.git_dir


def test_every_path_outside_the_content_model_needs_the_head_on_the_head_commit(
    kit: Kit,
) -> None:
    change_id = kit.submit()
    kit.review("sari", change_id)
    kit.review("andi", change_id)  # the disposition, on the harmless first commit
    kit.commit("rina", "markdown.py", "import os\n")
    kit.commit("rina", "content/pages/sisipan.html", "<script>alert(1)</script>\n")
    kit.resubmit()
    kit.review("sari", change_id)  # the final check on the head
    report_files = set()
    refused_both_ways(kit, change_id, "berkas terlindung dan belum disetujui Kepala Satker")
    from pipeline.forge.local.rules.policy import evaluate

    forge = kit.forge("dewi")
    report = evaluate(forge, forge.get_change(change_id))
    report_files = set(report.protected_files)
    assert report_files == {"markdown.py", "content/pages/sisipan.html"}
    kit.review("andi", change_id)  # the head approves the head commit: it may land
    kit.merge(change_id)
    assert kit.change(change_id).state == "merged"


def _revoke(text: str, person: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {person}")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id:")),
        len(lines),
    )
    return "".join([*lines[:end], "    active: false\n", *lines[end:]])


def test_a_criss_cross_merge_cannot_quietly_restore_an_old_roles_file(kit: Kit) -> None:
    forge = kit.forge("rina")
    forge.sync()
    old_main = forge.base_tip()
    old_roles = forge.repo.show_file(old_main, "roles.yml") or ""
    # Change A: the office revokes budi (needs the head's approval, which it gets).
    revocation = kit.submit("rina", files={"roles.yml": _revoke(old_roles, "budi")})
    a_head = kit.change(revocation).head_sha
    # Change B: an ordinary draft from the same old main.
    draft = kit.submit("rina")
    b_head = kit.change(draft).head_sha
    kit.approve_all(revocation)
    kit.merge(revocation)
    kit.approve_all(draft)
    kit.merge(draft)
    assert "active: false" in (kit.forge("dewi").repo.show_file("origin/main", "roles.yml") or "")
    # Change C: from B, a harmless draft reviewed and given its disposition …
    root = kit.office.clone_path("rina")
    repo = kit.forge("rina").repo
    repo.run("switch", "--quiet", "-c", f"draft/silang-{kit.counter}", b_head)
    kit.commit("rina", f"content/articles/silang-{kit.counter}.md", article("Silang"))
    change_id = kit.resubmit(new=True)
    kit.review("sari", change_id)
    kit.review("andi", change_id)
    # … then a merge of A whose result keeps the old roles.yml (a criss-cross history).
    repo.run("merge", "--quiet", "--no-ff", "--no-edit", a_head)
    (root / "roles.yml").write_text(old_roles)
    repo.run("add", "roles.yml")
    repo.run("commit", "--quiet", "--amend", "--no-edit")
    kit.resubmit()
    kit.review("sari", change_id)
    files = kit.change(change_id).files
    assert "roles.yml" in files, files
    refused_both_ways(kit, change_id, "berkas terlindung dan belum disetujui Kepala Satker")
    main_roles = kit.forge("dewi").repo.show_file("origin/main", "roles.yml") or ""
    assert "active: false" in main_roles  # the revocation stands


def test_a_shared_draft_branch_takes_unfinished_drafts_but_no_links(kit: Kit) -> None:
    kit.draft(files={"content/articles/setengah.md": "---\ntitle: Belum selesai\n---\n"})
    ok, output = kit.push("rina", f"HEAD:refs/heads/draft/wip-{kit.counter}")
    assert ok, output  # work in progress: the draft checks wait for `terbit submit`
    root = kit.office.clone_path("rina")
    (root / "content/images").mkdir(parents=True, exist_ok=True)
    (root / "content/images/tautan.png").symlink_to("/etc/passwd")
    kit.forge("rina").repo.run("add", "--all")
    kit.forge("rina").repo.run("commit", "--quiet", "-m", "Tautan")
    ok, output = kit.push("rina", f"HEAD:refs/heads/draft/wip-{kit.counter}")
    assert not ok
    assert "memuat berkas yang tidak diterima server" in output
    assert "content/images/tautan.png: tautan simbolik tidak diterima" in output
    assert not server_has(kit, kit.forge("rina").repo.head() or "")
