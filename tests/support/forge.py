"""Helpers for the forge tests: a small site to seed, and the actions of the office's people
(plus the raw pushes an attacker would try instead of `terbit`)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import Office
from pipeline.errors import InputError
from pipeline.forge.local.client import actions as client
from pipeline.forge.local.store import metachain as store
from pipeline.forge.local.store.events import CHANGE_TRAILER, Event, meta_ref
from pipeline.forge.local.store.forge import LocalForge
from pipeline.forge.local.store.signing import sign

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNTER = itertools.count(1)


def make_source(folder: Path, *, signatures: str = "required") -> Path:
    """The policy files of this checkout plus one published article: a small site to seed."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sop.yml", "roles.yml"):
        shutil.copy(REPO_ROOT / name, folder / name)
    (folder / "terbit.yml").write_text(
        f"site:\n  url: http://127.0.0.1:9\nforge:\n  kind: local\n  signatures: {signatures}\n"
    )
    article = folder / "content" / "articles" / "selamat-datang.md"
    article.parent.mkdir(parents=True)
    article.write_text(
        "---\ntitle: Selamat Datang\ndate: 2026-01-05\ncategory: Berita\n"
        "summary: Situs baru.\nauthor: dewi\n---\nHalo.\n"
    )
    return folder


def article(title: str, who: str = "rina", body: str = "Isi.") -> str:
    """A draft that passes the checks (the server refuses any other)."""
    return (
        f"---\ntitle: {title}\ndate: 2026-11-20\ncategory: Berita\nsummary: Ringkasan.\n"
        f"author: {who}\n---\n{body}\n"
    )


def git(path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


@dataclass
class Kit:
    """Actions of the office's people, plus the raw pushes an attacker would try."""

    office: Office
    counter: int = 0

    def forge(self, who: str) -> LocalForge:
        return self.office.forge(who)

    def draft(self, who: str = "rina", files: dict[str, str] | None = None) -> str:
        """A new branch from the latest main with one article (and ``files``), committed."""
        self.counter += 1
        slug = f"artikel-{who}-{self.counter}"
        forge = self.forge(who)
        forge.sync()
        forge.repo.run("reset", "--quiet", "--hard")  # a failed test may leave edits behind
        forge.repo.switch_new_branch(f"draft/{slug}", forge.base_tip())
        root = self.office.clone_path(who)
        content = {
            f"content/articles/{slug}.md": (
                f"---\ntitle: Artikel {self.counter}\ndate: 2026-11-20\ncategory: Berita\n"
                f"summary: Ringkasan {self.counter}.\nauthor: {who}\n---\nIsi {self.counter}.\n"
            ),
            **(files or {}),
        }
        for rel, text in content.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        forge.repo.run("add", "--all")
        forge.repo.run("commit", "--quiet", "-m", f"Draf {slug}")
        return slug

    def commit(self, who: str, rel: str, text: str, *args: str) -> None:
        root = self.office.clone_path(who)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        self.forge(who).repo.run("add", "--all")
        self.forge(who).repo.run("commit", "--quiet", *args, "-m", f"Ubah {rel}")

    def submit(self, who: str = "rina", files: dict[str, str] | None = None) -> str:
        self.draft(who, files)
        return self.resubmit(who, new=True)

    def resubmit(self, who: str = "rina", *, new: bool = False) -> str:
        nota = template(
            nomor=f"ND-{self.counter}/LPZI/XI/2026",
            dari="Tim",
            hal="Permohonan",
            tanggal=date(2026, 11, 28),
        )
        change_id, opened = client.submit(
            self.forge(who), self.office.who(who), nota_text=nota if new else None
        )
        assert opened == new
        return change_id

    def review(self, who: str, change_id: str, state: str = "approve", body: str = "") -> None:
        client.review(self.forge(who), self.office.who(who), change_id, state, body)

    def approve_all(self, change_id: str) -> None:
        """Check, disposition, final check: three signed approvals of the current head.

        Prepared in one clone and sent in one push (the server accepts several appended
        records at once); it keeps the shared setup of the attack tests short.
        """
        from pipeline.clock import now

        forge = self.forge("sari")
        forge.sync()
        tip = forge.ref(meta_ref(change_id))
        head = forge.get_change(change_id).head_sha
        for who in ("sari", "andi", "sari"):
            data = {"state": "approve", "commit": head, "body": ""}
            event = Event("review", change_id, who, now(), tip, data)
            person = self.office.people[who]
            tip = store.append(
                forge.repo, event, signature=sign(event.to_bytes(), self.office.key_path(who)),
                name=person.name, email=person.email,
            )  # fmt: skip
        ok, output = forge.repo.push_result("origin", f"{tip}:{meta_ref(change_id)}")
        assert ok, output

    def change(self, change_id: str, who: str = "dewi"):  # type: ignore[no-untyped-def]
        forge = self.forge(who)
        forge.sync()
        return forge.get_change(change_id)

    def merge(self, change_id: str, who: str = "dewi") -> str:
        return client.merge(self.forge(who), self.office.who(who), change_id)[0]

    def merge_refused(self, change_id: str, who: str = "dewi") -> str:
        with pytest.raises(InputError) as refused:
            self.merge(change_id, who)
        return str(refused.value)

    # -- what an attacker types instead of terbit -------------------------------------------

    def push(self, who: str, *refspecs: str) -> tuple[bool, str]:
        return self.forge(who).repo.push_result("origin", *refspecs)

    def merge_commit(
        self,
        change_id: str,
        *,
        who: str = "dewi",
        head: str | None = None,
        tree: str | None = None,
        trailer: str | None = None,
        signed: bool = True,
    ) -> str:
        """A merge commit like `terbit merge` makes, but without asking the gate."""
        forge = self.forge(who)
        forge.sync()
        base = forge.base_tip()
        head = head or forge.get_change(change_id).head_sha
        tree = tree or forge.repo.merge_tree(base, head)
        assert tree
        message = f"Gabung #{change_id}\n\n{CHANGE_TRAILER}: {trailer or change_id}\n"
        ident = self.office.who(who)
        return forge.repo.commit_tree_signed(
            tree, [base, head], message, name=ident.name, email=ident.email,
            key=ident.key if signed else None,
        )  # fmt: skip

    def bypass_merge(self, change_id: str, **kwargs: object) -> tuple[bool, str]:
        """Push a hand-made merge of ``change_id`` straight to main (the server must judge)."""
        sha = self.merge_commit(change_id, **kwargs)  # type: ignore[arg-type]
        return self.push(kwargs.get("who", "dewi"), f"{sha}:refs/heads/main")  # type: ignore[arg-type]

    def raw_event(
        self,
        who: str,
        change_id: str,
        kind: str,
        data: dict,
        *,
        by: str | None = None,
        key: Path | str | None = "own",
        prev: str | bool | None = True,
    ) -> str:
        """Append a hand-made event to a change's records in ``who``'s clone (not pushed)."""
        forge = self.forge(who)
        forge.sync()
        tip = forge.ref(meta_ref(change_id))
        parent = tip if prev is True else (prev or None)
        from pipeline.clock import now

        event = Event(kind, change_id, by or who, now(), parent, data)
        signing_key = self.office.key_path(who) if key == "own" else key
        signature = sign(event.to_bytes(), Path(signing_key)) if signing_key else None
        person = self.office.people[who]
        return store.append(
            forge.repo, event, signature=signature, name=person.name, email=person.email
        )


def refused_both_ways(kit: Kit, change_id: str, expected: str) -> None:
    """The client's `terbit merge` and the server's hook both refuse, naming ``expected``."""
    message = kit.merge_refused(change_id)
    assert expected in message, message
    ok, output = kit.bypass_merge(change_id)
    assert not ok
    assert "remote: terbit: dorongan ditolak" in output
    assert expected in output, output
    assert kit.change(change_id).state == "open"


def main_commit(server: Path, path: str, text: str) -> str:
    """Main moves by one commit changing ``path`` (as a merge does; plumbing on the server,
    no hook). Returns main's tip before, to put it back."""

    person = (("NAME", "Admin Website"), ("EMAIL", "admin@localhost"))
    who = {f"GIT_{role}_{part}": value
           for role in ("AUTHOR", "COMMITTER") for part, value in person}  # fmt: skip
    env = {**os.environ, **who}

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=server, input=stdin, text=True,
                              capture_output=True, check=True, env=env)  # fmt: skip
        return done.stdout.strip()

    tip = run("rev-parse", "refs/heads/main")
    blob = run("hash-object", "-w", "--stdin", stdin=text)
    run("read-tree", tip, "--index-output=terbit-test-index")
    index = {**env, "GIT_INDEX_FILE": str(server / "terbit-test-index")}
    subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"],
                   cwd=server, env=index, check=True)  # fmt: skip
    tree = subprocess.run(["git", "write-tree"], cwd=server, env=index,
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (server / "terbit-test-index").unlink()
    commit = run("commit-tree", tree, "-p", tip, "-m", f"Ubah {path}")
    run("update-ref", "refs/heads/main", commit, tip)
    return tip


def published_edit(kit: Kit, name: str) -> tuple[str, list[str], str]:
    """An article ``name`` committed on main (eight lines) and Rina's change editing its
    second line: the article's path, main's lines and the change."""
    path = f"content/articles/{name.lower()}-{kit.counter}.md"
    lines = [f"Baris {n}." for n in range(1, 9)]
    main_commit(kit.office.server, path, article(name, body="\n".join(lines)))
    edited = [*lines]
    edited[1] = "Baris 2, diperbaiki."
    return path, lines, kit.submit("rina", files={path: article(name, body="\n".join(edited))})
