"""A complete office on one machine: the server repository, one clone and SSH key per person.

Used by ``terbit demo`` and by the tests, so both exercise the same real hooks and signatures.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.config.roles import ROLES_FILE, Person, load_roles
from pipeline.config.settings import SETTINGS_FILE, load_settings
from pipeline.forge.local.client.actions import Identity, configure_signing, identity
from pipeline.forge.local.client.session import CloneForge
from pipeline.forge.local.store.forge import LocalForge
from pipeline.forge.local.store.signing import generate_key
from pipeline.hooks.install import copy_site, init_server
from pipeline.publication.server_key import newest_public_key
from pipeline.vcs import Repo

KEY_LINE = re.compile(r"^(\s*)ssh_key:.*$")
ID_LINE = re.compile(r"^\s*-\s*id:\s*([a-z][a-z0-9_-]*)\s*$")


def with_keys(roles_text: str, keys: dict[str, str]) -> str:
    """``roles.yml`` with each person's ``ssh_key`` set, keeping the file's comments and order."""
    out, current = [], None
    for line in roles_text.splitlines():
        found = ID_LINE.match(line)
        if found:
            current = found.group(1)
        key_line = KEY_LINE.match(line)
        if key_line and current in keys:
            line = f'{key_line.group(1)}ssh_key: "{keys[current]}"'
        out.append(line)
    return "\n".join(out) + "\n"


@dataclass
class Office:
    root: Path
    server: Path
    people: dict[str, Person] = field(default_factory=dict)

    def clone_path(self, person_id: str) -> Path:
        return self.root / "clones" / person_id

    def key_path(self, person_id: str) -> Path:
        return self.root / "keys" / person_id

    def forge(self, person_id: str) -> CloneForge:
        path = self.clone_path(person_id)
        return CloneForge(Repo(path), load_settings(path), remote="origin")

    def who(self, person_id: str) -> Identity:
        return identity(self.forge(person_id))

    def server_forge(self) -> LocalForge:
        return LocalForge(Repo(self.server), load_settings(self.clone_path(self.admin)))

    @property
    def admin(self) -> str:
        return next(
            (p.id for p in self.people.values() if "admin_website" in p.roles),
            next(iter(self.people)),
        )


def _clone(office: Office, person: Person) -> CloneForge:
    path = office.clone_path(person.id)
    repo = Repo.clone(str(office.server), path)
    repo.config("user.name", person.name)
    repo.config("user.email", person.email)
    forge = CloneForge(repo, load_settings(path), remote="origin")
    configure_signing(forge, office.key_path(person.id))
    return forge


def with_site_url(settings_text: str, url: str) -> str:
    """``terbit.yml`` with ``site.url`` replaced (the demo serves on a port it picked)."""
    lines = settings_text.splitlines()
    in_site = False
    for index, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_site = line.startswith("site:")
        elif in_site and re.match(r"^\s+url:", line):
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}url: {url}"
            return "\n".join(lines) + "\n"
    if any(line.startswith("site:") for line in lines):
        return settings_text
    return settings_text.rstrip("\n") + f"\nsite:\n  url: {url}\n"


def with_server_key(settings_text: str, public: str) -> str:
    """``terbit.yml`` whose ``forge`` section names the server's public key (comments kept)."""
    return with_forge_entry(settings_text, "server_key", f'"{public}"')


def with_forge_entry(settings_text: str, key: str, value: str) -> str:
    """``terbit.yml`` whose ``forge`` section sets ``key`` to ``value`` (comments kept)."""
    lines = [ln for ln in settings_text.splitlines() if not re.match(rf"^\s+{key}:", ln)]
    entry = f"  {key}: {value}"
    for index, line in enumerate(lines):
        if re.match(r"^forge:\s*$", line):
            lines.insert(index + 1, entry)
            return "\n".join(lines) + "\n"
    return "\n".join([*lines, "forge:", entry]) + "\n"


def create_office(
    root: Path, source: Path, *, seed_message: str, site_url: str | None = None,
    page_check: bool = False,
) -> Office:  # fmt: skip
    """Server + keys + the admin's seed commit (site files, roles.yml with keys) + clones.

    ``page_check``: keep the server's check of every change's pages in Chromium (on by default
    in ``terbit.yml``); off here unless asked, as it builds the site and starts a browser after
    every push and most tests and stories are about something else."""
    roles_text = (source / ROLES_FILE).read_text(encoding="utf-8")
    people = [p for p in load_roles(roles_text, ROLES_FILE).people if p.active]
    office = Office(root=root, server=root / "server.git", people={p.id: p for p in people})
    keys = {p.id: generate_key(office.key_path(p.id), f"{p.email} (terbit demo)") for p in people}
    server = init_server(office.server)
    server_key = newest_public_key(server.git_dir)
    admin = office.people[office.admin]
    seed = root / "clones" / admin.id
    repo = Repo.init(seed)
    repo.config("user.name", admin.name)
    repo.config("user.email", admin.email)
    copy_site(source, seed)
    (seed / ROLES_FILE).write_text(with_keys(roles_text, keys), encoding="utf-8")
    settings_file = seed / SETTINGS_FILE
    text = settings_file.read_text(encoding="utf-8") if settings_file.is_file() else ""
    if site_url:
        text = with_site_url(text, site_url)
    if server_key:  # record commits are signed by this key; verify trusts only it
        text = with_server_key(text, server_key)
    if not page_check:
        text = with_forge_entry(text, "page_check", "false")
    settings_file.write_text(text, encoding="utf-8")
    forge = CloneForge(repo, load_settings(seed), remote="origin")
    configure_signing(forge, office.key_path(admin.id))
    repo.run("add", "--all")
    repo.run("commit", "--quiet", "-m", seed_message)
    repo.run("remote", "add", "origin", str(office.server))
    repo.run("push", "--quiet", "origin", "main")
    repo.run("branch", "--quiet", "--set-upstream-to=origin/main", "main")
    for person in people:
        if person.id != admin.id:
            _clone(office, person)
    return office


@contextmanager
def clock(when: datetime | None) -> Iterator[None]:
    """Run git and terbit at a simulated time (commits, records); real time when None."""
    names = ("TERBIT_NOW", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    saved = {name: os.environ.get(name) for name in names}
    if when is not None:
        os.environ["TERBIT_NOW"] = when.isoformat()
        stamp = f"{int(when.timestamp())} +0700"
        os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
