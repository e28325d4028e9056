"""All Git access goes through here (GitPython for repositories, the git CLI for plumbing).

Keeping it in one module makes the rest of the code testable against real repositories
without each stage learning Git's corners, and keeps the error handling in one place.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git

from pipeline.errors import ConfigError, TerbitError
from pipeline.i18n import Catalog

MSG = Catalog(
    {
        "not_repo": (
            "{path} bukan repositori Git; jalankan perintah dari dalam klon repositori situs",
            "{path} is not a Git repository; run the command inside a clone of the site repository",
        ),
        "failed": (
            "perintah git gagal: {command}\n{stderr}",
            "git command failed: {command}\n{stderr}",
        ),
    }
)

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
SHA_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"  # a submodule
BLOB_MODES = ("100644", "100755")


LANDED_LISTED = 500  # changed files named to ls-tree at most; more: the whole tree
STRAYS_MENDED = 200  # entries changed in an export folder mended at most; more: export it whole


@dataclass(frozen=True)
class CommitInfo:
    """One commit as Git records it; the forges add who proved to have written it (a change's
    commits are ``Change.commits``, oldest first)."""

    sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    message: str = ""
    # Person id proven by a verified commit signature (embedded forge), or the forge's own
    # verified account (GitHub login mapped to a person). None when unknown/unverified.
    signer: str | None = None
    # Person id of the forge account the commit is attributed to (GitHub login), verified or
    # not: whoever it names wrote part of the change and may not approve it.
    account: str | None = None


@dataclass(frozen=True)
class TreeEntry:
    """One file of a tree, read from Git's objects (never from a checkout)."""

    mode: str
    sha: str
    size: int  # 0 for submodules
    path: str  # bytes that are not UTF-8 kept as surrogates (os.fsdecode), so they can be seen


@dataclass(frozen=True)
class Landed:
    """What merging a change would change on its target: the result's tree and every path
    that differs from the target's tip (``status`` A, M, T or D)."""

    tree: str
    changes: list[tuple[str, TreeEntry]]
    old: str = EMPTY_TREE  # the tree ``changes`` lead from to ``tree``


@dataclass(frozen=True)
class Touch:
    """A first-parent commit that changed a folder: its id, parents and chosen trailers."""

    sha: str
    parents: list[str]
    trailers: dict[str, str | None]


class GitError(TerbitError):
    """A git command failed for a reason the user can act on (remote refused, conflicts)."""


def _link_on_way(dest: Path, folder: Path) -> bool:
    """Whether any existing component from ``dest`` down to ``folder`` is a symbolic link (the
    export writes none, but never write through one that is there anyway)."""
    current = dest
    for part in folder.relative_to(dest).parts:
        current = current / part
        if current.is_symlink():
            return True
    return dest.is_symlink()


def _exportable(mode: bytes, raw_name: bytes) -> bool:
    """A file the export writes: a regular blob (no link, no submodule) under a safe name."""
    if mode not in (b"100644", b"100755"):
        return False
    parts = raw_name.split(b"/")
    return not any(p in (b"", b".", b"..") or p.lower() == b".git" for p in parts)


def _empty(folder: Path) -> None:
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for entry in list(folder.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _remove_exported(dest: Path, name: str) -> None:
    """Remove one exported file and the folders it leaves empty (a full export has none)."""
    target = dest / name
    if _link_on_way(dest, target.parent):
        return  # never reached: the manifest holds no link (checked before)
    try:
        target.unlink(missing_ok=True)  # missing: not written (a crafted tree), or a stray
    except OSError:
        return
    folder = target.parent
    while folder != dest:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent


def _manifest(dest: Path) -> dict[str, list[int]]:
    """Every entry below ``dest`` by ``lstat``: a file as ``[mode, size, mtime_ns]``, a folder
    as ``[mode]`` (its time moves with what is put in it, which is an entry of its own)."""
    found: dict[str, list[int]] = {}
    pending = [(os.fspath(dest), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                rel = prefix + entry.name  # ``relpath`` and a ``Path`` per folder: 3/4 of the walk
                if entry.is_dir(follow_symlinks=False):
                    found[rel] = [info.st_mode]
                    pending.append((entry.path, rel + "/"))
                else:
                    found[rel] = [info.st_mode, info.st_size, info.st_mtime_ns]
    return found


def _patched(dest: Path, before: dict[str, list[int]], names: list[str]) -> dict[str, list[int]]:
    """The manifest of ``dest`` (as ``_manifest`` walks it) when only ``names`` and the
    folders on their way changed since ``before`` was walked: a removed folder takes its
    entries along; each name is looked at from the top down and never through a link."""
    after = dict(before)
    gone = tuple(f"{name}/" for name in names if len(before.get(name, ())) == 1)
    if gone:
        after = {rel: info for rel, info in after.items() if not rel.startswith(gone)}
    for name in names:
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            rel = "/".join(parts[:depth])
            try:
                info = os.lstat(os.path.join(dest, rel))
            except FileNotFoundError:
                info = None
            if info is None:
                after.pop(rel, None)
            elif stat.S_ISDIR(info.st_mode):
                after[rel] = [info.st_mode]
                continue
            else:
                after[rel] = [info.st_mode, info.st_size, info.st_mtime_ns]
            for below in ("/".join(parts[:d]) for d in range(depth + 1, len(parts) + 1)):
                after.pop(below, None)  # nothing below a missing folder, a file or a link
            break
    return after


def _read_mark(mark: Path, dest: Path) -> tuple[str, list[str], dict[str, list[int]]] | None:
    """The commit ``dest`` held when ``mark`` was written, the entries of ``dest`` that
    changed since (added, removed or rewritten, parents first) and ``dest`` as it is now
    (``_manifest``); None when the mark is missing or unreadable, or too much changed."""
    try:
        snapshot = json.loads(mark.read_text(encoding="utf-8"))
        commit, recorded = snapshot["commit"], snapshot["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(commit, str) or not SHA_ID.fullmatch(commit) or not dest.is_dir():
        return None
    now = _manifest(dest)
    strays = {rel for rel, info in now.items() if recorded.get(rel) != info}
    strays |= {rel for rel in recorded if rel not in now}
    # A folder still there with other permissions: a full export makes it anew.
    remade = any(len(recorded.get(rel, ())) == len(now.get(rel, ())) == 1 for rel in strays)
    if len(strays) > STRAYS_MENDED or remade:
        return None
    return commit, sorted(strays), now


def _clear(dest: Path, name: str) -> None:
    """Remove a stray entry of an export folder, never following a link."""
    import shutil

    target = dest / name
    if _link_on_way(dest, target.parent):
        return  # below a stray link, which is removed itself
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif os.path.lexists(target):
        target.unlink()


def _when(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_SHOWN_MAX = 256  # files kept by ``show_file``, and their largest size (policy files)
_SHOWN_BYTES = 64 * 1024


class Repo:
    """A repository (work tree or bare) with the operations the pipeline needs."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._repo = git.Repo(self.path, search_parent_directories=False)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ConfigError(MSG("not_repo", path=str(path))) from None
        # landed() of two commit ids never changes: the web pages ask it three times a change.
        self._landed: dict[tuple[str, str], Landed] = {}
        self._shown: dict[tuple[str, str], str] = {}

    @classmethod
    def discover(cls, start: str | os.PathLike[str] = ".") -> Repo:
        try:
            found = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ConfigError(MSG("not_repo", path=str(Path(start).resolve()))) from None
        return cls(found.working_tree_dir or found.git_dir)

    @classmethod
    def init(cls, path: str | os.PathLike[str], *, bare: bool = False) -> Repo:
        Path(path).mkdir(parents=True, exist_ok=True)
        git.Repo.init(path, bare=bare, initial_branch="main")
        return cls(path)

    @classmethod
    def clone(cls, url: str, path: str | os.PathLike[str]) -> Repo:
        try:
            git.Repo.clone_from(url, path)
        except git.GitCommandError as failed:
            raise GitError(MSG("failed", command="clone", stderr=failed.stderr.strip())) from None
        return cls(path)

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def bare(self) -> bool:
        return self._repo.bare

    @property
    def git_dir(self) -> Path:
        return Path(self._repo.git_dir)

    @property
    def work_tree(self) -> Path | None:
        tree = self._repo.working_tree_dir
        return Path(tree) if tree else None

    def run(
        self,
        *args: str,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        strip: bool = True,
    ) -> str:
        """Run ``git ARGS`` in this repository and return stdout; raise GitError on failure."""
        kwargs: dict[str, object] = {
            "with_extended_output": False,
            "strip_newline_in_stdout": strip,
        }
        if input is not None:
            # GitPython's execute() cannot feed stdin from memory; run git directly.
            return self._run_with_input(args, input, env, strip)
        if env:
            kwargs["env"] = {**os.environ, **env}
        try:
            # GitPython's overloads of execute() cannot be matched through **kwargs.
            return self._repo.git.execute(["git", *args], **kwargs)  # type: ignore[call-overload]
        except git.GitCommandError as failed:
            stderr = (failed.stderr or "").strip().removeprefix("stderr: ").strip("'")
            raise GitError(MSG("failed", command="git " + " ".join(args), stderr=stderr)) from None

    def try_run(self, *args: str, strip: bool = True) -> str | None:
        """``run`` for questions git answers with a failing exit (no such ref, not an ancestor):
        None instead of an error."""
        try:
            return self.run(*args, strip=strip)
        except GitError:
            return None

    def config(self, key: str, value: str | None = None) -> str | None:
        if value is not None:
            self.run("config", key, value)
            return value
        return self.try_run("config", "--get", key)

    def remote_url(self, name: str = "origin") -> str | None:
        """Where remote ``name`` points (``url.*.insteadOf`` applied); None when there is none."""
        return self.try_run("remote", "get-url", name) or None

    def rev_parse(self, rev: str) -> str | None:
        return self.try_run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")

    def is_shallow(self) -> bool:
        """A shallow clone: the commits before its graft are missing (``git log`` stops)."""
        return self.try_run("rev-parse", "--is-shallow-repository") == "true"

    def object_exists(self, sha: str) -> bool:
        return self.try_run("cat-file", "-e", sha) is not None

    def existing_objects(self, names: Iterable[str]) -> set[str]:
        """Those of ``names`` (full object ids) that this repository holds; one git call."""
        wanted = [n for n in names if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", n)]
        if not wanted:
            return set()
        out = self.run("cat-file", "--batch-check=%(objectname)", input="\n".join(wanted) + "\n")
        return {line for line in out.splitlines() if line and " " not in line} & set(wanted)

    def reachable(self, rev: str) -> set[str]:
        """Every commit reachable from ``rev`` (``rev`` included)."""
        out = self.try_run("rev-list", rev)
        return set(out.split()) if out else set()

    def revs_between(self, base: str, head: str) -> list[str]:
        """Ids of the commits reachable from ``head`` but not ``base`` (one git call)."""
        return self.run("rev-list", f"{base}..{head}").split()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.try_run("merge-base", "--is-ancestor", ancestor, descendant) is not None

    def merge_base(self, a: str, b: str) -> str | None:
        return self.try_run("merge-base", a, b)

    def show_file(self, rev: str, path: str) -> str | None:
        """The text of ``path`` at ``rev``, or None when it does not exist there."""
        if not _OBJECT_ID.fullmatch(rev):
            return self.try_run("show", f"{rev}:{path}", strip=False)
        # A commit id names the same file forever: the policy files one push's check reads
        # several times at the same commit cost one process each.
        key = (rev, path)
        if key not in self._shown:
            text = self.try_run("show", f"{rev}:{path}", strip=False)
            if len(self._shown) >= _SHOWN_MAX:
                self._shown.clear()
            if text is not None and len(text) <= _SHOWN_BYTES:  # a failure is asked again
                self._shown[key] = text
            return text
        return self._shown[key]

    def show_bytes(self, rev: str, path: str) -> bytes | None:
        try:
            blob = self._repo.commit(rev).tree / path
        except (KeyError, ValueError, git.BadName):
            return None
        return blob.data_stream.read()

    def changed_files(self, base: str, head: str) -> list[str]:
        """Paths that differ between two commits (renames as delete + add)."""
        out = self.run("diff", "--name-only", "--no-renames", "-z", base, head, strip=False)
        return [p for p in out.split("\0") if p]

    def changed_status(self, base: str, head: str) -> list[tuple[str, str]]:
        """``(status, path)`` pairs, status one of A, M, D (no rename detection)."""
        out = self.run("diff", "--name-status", "--no-renames", "-z", base, head, strip=False)
        parts = [p for p in out.split("\0") if p]
        return list(zip(parts[0::2], parts[1::2], strict=False))

    def commits_between(self, base: str | None, head: str) -> list[CommitInfo]:
        """Commits reachable from ``head`` but not ``base``, oldest first."""
        rev = f"{base}..{head}" if base else head
        return [self.commit_info(c.hexsha) for c in self._repo.iter_commits(rev, reverse=True)]

    def commit_info(self, sha: str) -> CommitInfo:
        commit = self._repo.commit(sha)
        return CommitInfo(
            sha=commit.hexsha,
            author_name=commit.author.name or "",
            author_email=(commit.author.email or "").lower(),
            authored_at=_when(commit.authored_date),
            committed_at=_when(commit.committed_date),
            message=str(commit.message),
        )

    def parents(self, sha: str) -> list[str]:
        return [p.hexsha for p in self._repo.commit(sha).parents]

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        out = self.run("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        pairs = (line.partition(" ") for line in out.splitlines() if line)
        return {ref: sha for ref, _, sha in pairs}

    def commit_refs(self, *patterns: str) -> dict[str, str]:
        """``{ref: commit}`` of the refs ``patterns`` name (a prefix or a full name) that point
        at a commit, as ``rev_parse`` would find them, in one git call."""
        out = self.run("for-each-ref", "--format=%(objecttype) %(objectname) %(refname)", *patterns)
        rows = (line.split(" ", 2) for line in out.splitlines() if line)
        return {row[2]: row[1] for row in rows if len(row) == 3 and row[0] == "commit"}

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        args = ["update-ref", ref, new] + ([old] if old is not None else [])
        self.run(*args)

    def hash_blob(self, data: str | bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=data)

    def mktree(self, entries: Iterable[tuple[str, str, str]]) -> str:
        """Write a tree from ``(mode, sha, name)`` entries (blobs "100644", trees "040000")."""
        lines = []
        for mode, sha, name in entries:
            kind = "tree" if mode == "040000" else "blob"
            lines.append(f"{mode} {kind} {sha}\t{name}")
        return self.run("mktree", input="\n".join(lines) + "\n")

    def commit_tree(
        self,
        tree: str,
        parents: Iterable[str],
        message: str,
        *,
        name: str,
        email: str,
        when: datetime | None = None,
    ) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        stamp = (when or datetime.now(UTC)).strftime("%s %z") if when else None
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        if stamp:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
        return self.run(*args, input=message, env=env)

    def ls_tree(self, rev: str, path: str = "") -> list[tuple[str, str, str, str]]:
        """``(mode, type, sha, name)`` for the entries of a tree."""
        spec = f"{rev}:{path}" if path else rev
        try:
            out = self.run("ls-tree", "-z", spec, strip=False)
        except GitError:
            return []
        rows = []
        for entry in filter(None, out.split("\0")):
            meta, name = entry.split("\t", 1)
            mode, kind, sha = meta.split(" ")
            rows.append((mode, kind, sha, name))
        return rows

    def _bytes(self, *args: str) -> bytes:
        """``git ARGS`` with raw output: file names may hold any byte."""
        try:
            return self._repo.git.execute(
                ["git", *args], stdout_as_string=False, strip_newline_in_stdout=False
            )
        except git.GitCommandError as failed:
            stderr = str(failed.stderr or "").strip()
            raise GitError(MSG("failed", command="git " + " ".join(args), stderr=stderr)) from None

    def tree_entries(self, tree: str, *prefixes: str) -> dict[str, TreeEntry]:
        """Every file of ``tree`` (recursively; only under ``prefixes`` when given)."""
        out = self._bytes("ls-tree", "-r", "-z", "-l", "--full-tree", tree, "--", *prefixes)
        entries = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, _kind, sha, size = meta.decode().split()
            path = os.fsdecode(raw_path)
            entries[path] = TreeEntry(mode, sha, int(size) if size.isdigit() else 0, path)
        return entries

    def landed(self, target: str, head: str) -> Landed:
        """What merging ``head`` into ``target`` changes on ``target``: the diff between the
        target's tip and the merge result. Not the diff from one merge base: with a
        criss-cross history the merge can restore an old file that diff never shows. When
        the merge conflicts (it cannot land as it is), what ``head`` changes since the
        merge base."""
        fixed = bool(SHA_ID.fullmatch(target) and SHA_ID.fullmatch(head))
        if fixed and (target, head) in self._landed:
            return self._landed[(target, head)]
        found = self._landed_now(target, head)
        if fixed:
            self._landed[(target, head)] = found
        return found

    def _landed_now(self, target: str, head: str) -> Landed:
        tree = self.merge_tree(target, head)
        if tree is not None:
            old = self.tree_of(target) or EMPTY_TREE
        else:
            tree = self.tree_of(head) or EMPTY_TREE
            base = self.merge_base(target, head)
            old = (self.tree_of(base) if base else None) or EMPTY_TREE
        out = self._bytes("diff-tree", "-r", "-z", "--no-renames", old, tree)
        fields = out.split(b"\0")
        pairs = list(zip(fields[0::2], fields[1::2], strict=False))
        paths = [os.fsdecode(p) for m, p in pairs if m.startswith(b":")]
        # Only the changed files' entries: listing the whole merge result (thousands of
        # records on main) is most of the time of a change. ls-tree takes paths literally.
        if not paths:
            entries = {}
        else:
            named = paths if len(paths) <= LANDED_LISTED else []
            entries = self.tree_entries(tree, *named)
        changes = []
        for meta, raw_path in pairs:
            if not meta.startswith(b":"):
                continue
            _old_mode, new_mode, _old_sha, new_sha, status = meta[1:].decode().split()
            path = os.fsdecode(raw_path)
            entry = entries.get(path) or TreeEntry(new_mode, new_sha, 0, path)
            changes.append((status[0], entry))
        return Landed(tree, changes, old)

    # -- porcelain ---------------------------------------------------------------------------

    def current_branch(self) -> str | None:
        return self.try_run("symbolic-ref", "--quiet", "--short", "HEAD")

    def head(self) -> str | None:
        return self.rev_parse("HEAD")

    def is_clean(self) -> bool:
        return not self.run("status", "--porcelain")

    def commit_paths(
        self,
        paths: Iterable[str],
        message: str,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> str:
        """Stage ``paths`` and commit them; returns the new commit id."""
        path_list = list(paths)
        self.run("add", "--", *path_list)
        env = {}
        if name and email:
            env = {
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email,
            }
        self.run("commit", "--quiet", "-m", message, "--", *path_list, env=env)
        return self.run("rev-parse", "HEAD")

    def fetch(self, remote: str, *refspecs: str) -> None:
        self.run("fetch", "--quiet", remote, *refspecs)

    def push(self, remote: str, *refspecs: str) -> str:
        return self.run("push", "--porcelain", remote, *refspecs)

    # -- forge support (embedded forge: signatures, merges, refs) ------------------------------

    def commit_signer(self, sha: str, allowed_signers: Path) -> str | None:
        """Principal (person id) of a good SSH signature on ``sha``, else None."""
        try:
            out = self.run(
                "-c",
                f"gpg.ssh.allowedSignersFile={allowed_signers}",
                "log",
                "-1",
                "--format=%G?%x00%GS",
                sha,
            )
        except GitError:
            return None
        status, _, principal = out.partition("\0")
        return principal.strip() or None if status == "G" else None

    def merge_tree(self, ours: str, theirs: str) -> str | None:
        """Tree of merging ``theirs`` into ``ours`` without a work tree; None on conflicts."""
        out = self.try_run("merge-tree", "--write-tree", ours, theirs)
        return out.splitlines()[0] if out else None

    def tree_of(self, rev: str) -> str | None:
        return self.try_run("rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}")

    def subtree(self, tree: str, path: str) -> str | None:
        """The id of the object at ``path`` in ``tree`` (a folder's own tree), or None."""
        return self.try_run("rev-parse", "--verify", "--quiet", f"{tree}:{path}")

    def commit_tree_signed(
        self,
        tree: str,
        parents: Iterable[str],
        message: str,
        *,
        name: str,
        email: str,
        key: str | None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        """``commit-tree`` signed with the SSH key file ``key`` (unsigned when None)."""
        args = ["-c", "gpg.format=ssh"]
        if key:
            args += ["-c", f"user.signingkey={key}"]
        args += ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        if key:
            args.append("-S")
        ident = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            **(env or {}),
        }
        return self.run(*args, input=message, env=ident)

    def push_result(self, remote: str, *refspecs: str, atomic: bool = True) -> tuple[bool, str]:
        """Push and return ``(ok, output)`` with the remote's messages instead of raising."""
        args = ["push", "--porcelain"] + (["--atomic"] if atomic else []) + [remote, *refspecs]
        try:
            out = self._repo.git.execute(
                ["git", *args], with_extended_output=True, with_exceptions=False
            )
        except git.GitCommandError as failed:  # pragma: no cover - spawn failures
            return False, str(failed.stderr or "")
        status, stdout, stderr = out
        return status == 0, f"{stderr}\n{stdout}".strip()

    def commit_message(self, sha: str) -> str:
        return self.run("log", "-1", "--format=%B", sha, strip=False)

    def trailer(self, sha: str, key: str) -> str | None:
        """Value of the last ``key:`` trailer in the commit message of ``sha``."""
        out = self.run("log", "-1", f"--format=%(trailers:key={key},valueonly,separator=%x00)", sha)
        values = [v.strip() for v in out.split("\0") if v.strip()]
        return values[-1] if values else None

    def first_parent_history(
        self, tip: str, root: str, trailers: tuple[str, ...]
    ) -> dict[str, list[Touch]]:
        """For every folder directly under ``root``: the first-parent commits of ``tip`` that
        changed it (a merge counts when it differs from its first parent there), newest first,
        with the last value of each of ``trailers``; one ``git log`` for all folders (one per
        folder made a year of records take seconds)."""
        fields = "%x00".join(f"%(trailers:key={key},valueonly,separator=%x1f)" for key in trailers)
        out = self.run(
            "log", "--first-parent", "-z", "--name-only", "--no-renames",
            "--diff-merges=first-parent", f"--format=%x01%H %P%x00{fields}%x00",
            tip, "--", root, strip=False,
        )  # fmt: skip
        found: dict[str, list[Touch]] = {}
        for chunk in filter(None, out.split("\x01")):
            parts = chunk.split("\0")
            sha, *parents = parts[0].split()
            # A trailer given twice counts as its last value; one never given is None.
            values: dict[str, str | None] = {
                key: next(reversed([v.strip() for v in raw.split("\x1f") if v.strip()]), None)
                for key, raw in zip(trailers, parts[1 : 1 + len(trailers)], strict=True)
            }
            touch = Touch(sha, parents, values)
            folders: dict[str, None] = {}
            for name in parts[1 + len(trailers) :]:
                rest = name.lstrip("\n").removeprefix(f"{root}/")
                if name.lstrip("\n") != rest and "/" in rest:
                    folders[f"{root}/{rest.split('/', 1)[0]}"] = None
            for folder in folders:
                found.setdefault(folder, []).append(touch)
        return found

    def blob_ids(self, specs: Iterable[str]) -> dict[str, str | None]:
        """The object id each ``rev:path`` names (None where there is none); one git call."""
        wanted = list(dict.fromkeys(specs))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch-check=%(objectname)", input="\n".join(wanted) + "\n")
        rows = out.splitlines()
        return {
            spec: (row if row and " " not in row else None)
            for spec, row in zip(wanted, rows, strict=False)
        }

    def commit_signatures(self, shas: Iterable[str]) -> dict[str, tuple[bytes, bytes | None]]:
        """``(signed payload, armored signature or None)`` of each commit, as git splits them
        for ``verify-commit`` (the object without its ``gpgsig`` header); one git call."""
        found: dict[str, tuple[bytes, bytes | None]] = {}
        for sha, data in self.blobs(shas).items():
            header, sep, body = data.partition(b"\n\n")
            kept: list[bytes] = []
            signature: list[bytes] | None = None
            in_signature = False
            for line in header.split(b"\n"):
                if line.startswith(b"gpgsig") and b" " in line:
                    in_signature = True
                    signature = [line.split(b" ", 1)[1]]
                elif in_signature and signature is not None and line.startswith(b" "):
                    signature.append(line[1:])
                else:
                    in_signature = False
                    kept.append(line)
            armored = b"\n".join(signature) + b"\n" if signature is not None else None
            found[sha] = (b"\n".join(kept) + sep + body, armored)
        return found

    def blob(self, sha: str) -> bytes:
        return self._repo.odb.stream(bytes.fromhex(sha)).read()

    def blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many blobs from one ``git cat-file --batch`` (one round trip per
        object is most of the time when a check reads a whole site's drafts)."""
        import subprocess

        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self._repo.working_tree_dir or self._repo.git_dir,
            input=("\n".join(wanted) + "\n").encode(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            stderr = done.stderr.decode("utf-8", "replace").strip()
            raise GitError(MSG("failed", command="git cat-file --batch", stderr=stderr))
        out, pos, found = done.stdout, 0, {}
        for sha in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3:  # "<sha> missing"
                continue
            size = int(header[2])
            found[sha] = out[pos : pos + size]
            pos += size + 1
        return found

    def file_versions(
        self, tip: str, root: str, since: str | None = None
    ) -> dict[str, list[tuple[str, datetime]]] | None:
        """For every file under ``root``: ``(commit, committed_at)`` of each first-parent commit
        of ``tip`` that changed it (a merge counts when it differs from its first parent there),
        oldest first; one ``git log`` for all files. With ``since``, only the commits after it,
        or ``None`` when ``since`` is not on ``tip``'s first-parent line (read it all then)."""
        span = f"{since}..{tip}" if since else tip
        if since:
            # The oldest new commit must sit on ``since`` by its first parent (main grows so).
            oldest = self.run("rev-list", "--first-parent", "--reverse", "--parents", span)
            first = oldest.split("\n", 1)[0].split()
            if first[1:2] != [since] and (first or self.rev_parse(tip) != since):
                return None
        out = self.run(
            "log", "--first-parent", "-z", "--name-only", "--no-renames",
            "--diff-merges=first-parent", "--format=%x01%H %ct%x00", span, "--", root,
            strip=False,
        )  # fmt: skip
        found: dict[str, list[tuple[str, datetime]]] = {}
        for chunk in filter(None, out.split("\x01")):
            head, *names = chunk.split("\0")
            sha, stamp = head.split()
            for name in filter(None, (n.strip("\n") for n in names)):
                found.setdefault(name, []).append((sha, _when(int(stamp))))
        for versions in found.values():
            versions.reverse()
        return found

    def merge_log(self, tip: str) -> list[tuple[str, list[str], datetime, str | None]]:
        """``(sha, parents, committed_at, Terbit-Change trailer)`` of first-parent merges."""
        fmt = "%H%x00%P%x00%ct%x00%(trailers:key=Terbit-Change,valueonly,separator=%x20)%x1e"
        out = self.run("log", "--first-parent", "--merges", f"--format={fmt}", tip, strip=False)
        rows = []
        for record in out.split("\x1e"):
            fields = record.strip("\n").split("\0")
            if len(fields) < 4:
                continue
            sha, parents, stamp, trailer = fields[:4]
            value = trailer.strip().split()[-1] if trailer.strip() else None
            rows.append((sha, parents.split(), _when(int(stamp)), value))
        return rows

    def switch_new_branch(self, name: str, start: str) -> None:
        """Create branch ``name`` at ``start`` and check it out (work trees only)."""
        self.run("switch", "--quiet", "--no-track", "-c", name, start)

    def switch_reset(self, name: str, start: str) -> None:
        """Check out branch ``name`` moved to ``start`` (created if missing), discarding what
        the work tree held: for a clone no person edits by hand (the web application's)."""
        self.run("switch", "--quiet", "--no-track", "--discard-changes", "-C", name, start)

    def tree_with_files(self, base: str | None, files: Mapping[str, bytes]) -> str:
        """The tree of ``base`` with ``files`` (path -> content) added or replaced.

        Built in a throw-away index, so it works in bare repositories and never touches the
        work tree or the real index.
        """
        import tempfile

        with tempfile.TemporaryDirectory(prefix="terbit-index-") as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            if base:
                self.run("read-tree", base, env=env)
            for path, data in sorted(files.items()):
                sha = self.hash_blob(data)
                self.run("update-index", "--add", "--cacheinfo", f"100644,{sha},{path}", env=env)
            return self.run("write-tree", env=env)

    def advance_checkout(self, old: str, new: str) -> None:
        """After moving the checked-out branch from ``old`` to ``new`` by ``update_ref``: bring
        the index and work tree along (two-way merge keeps local edits, refuses conflicts)."""
        self.run("read-tree", "-m", "-u", old, new)

    def export_tree(self, rev: str, dest: Path, mark: Path | None = None) -> str:
        """Write the files of ``rev`` into ``dest`` exactly as committed (no .git, nothing else).

        Not ``git archive``: it obeys the tree's own ``.gitattributes`` (``export-ignore`` drops
        a page main still has, ``export-subst`` rewrites files), and a change must not steer
        its own export. Symbolic links are never written (a crafted tree could name a path
        below a link and write through it): the build finds such a file missing, located.
        Submodules and names git itself refuses (``..``, ``.git``) are skipped.

        With ``mark`` (a file outside ``dest``: which commit ``dest`` holds and each entry's
        size, time and mode as written), only the files changed since that commit are
        removed and written, and the entries of ``dest`` changed since the export (a build's
        ``__pycache__``, a file edited there) are put back as ``rev`` has them. ``dest`` is
        emptied and written whole when the mark is missing or unreadable (a kill in the
        middle), its commit unknown, or too much changed. Returns ``"full"`` or
        ``"incremental"``.
        """
        found = _read_mark(mark, dest) if mark is not None else None
        files: dict[str, list[int]] | None = None
        if mark is not None:
            mark.unlink(missing_ok=True)  # until written again, ``dest`` is of no known commit
        changes = self._export_changes(found[0], rev) if found else None
        if found is None or changes is None:
            how = "full"
            _empty(dest)
            self._write_blobs(self._export_listing(rev), dest)
        else:
            how = "incremental"
            removed, added = changes
            strays = found[1]  # put there after the export (a build's ``__pycache__``): mended
            for name in strays:
                _clear(dest, name)
            for name in removed:
                _remove_exported(dest, name)
            written = added + (self._export_listing(rev, strays) if strays else [])
            self._write_blobs(written, dest)
            # The folder walked once: the mark is the walk before, with what was touched.
            touched = [*strays, *removed, *(name for _, _, name in written)]
            files = _patched(dest, found[2], touched)
        if mark is not None:
            sha = self.rev_parse(f"{rev}^{{commit}}") or rev
            snapshot = {"commit": sha, "files": _manifest(dest) if files is None else files}
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(json.dumps(snapshot, separators=(",", ":")), encoding="utf-8")
        return how

    def _export_listing(
        self, rev: str, paths: list[str] | None = None
    ) -> list[tuple[bytes, bytes, str]]:
        """``(mode, blob, path)`` of every file of ``rev`` the export writes (under ``paths``)."""
        only = ["--", *paths] if paths else []
        listing = self._plumbing(
            "--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", rev, *only
        )
        files = []
        for record in listing.split(b"\0"):
            meta, _, raw_name = record.partition(b"\t")
            fields = meta.split()
            if len(fields) == 3 and fields[1] == b"blob" and _exportable(fields[0], raw_name):
                files.append((fields[0], fields[2], os.fsdecode(raw_name)))
        return files

    def _export_changes(
        self, old: str, new: str
    ) -> tuple[list[str], list[tuple[bytes, bytes, str]]] | None:
        """The exported files of ``old`` to remove and of ``new`` to write, from ``git
        diff-tree`` (renames as a removal and an addition); None when it cannot be read."""
        try:
            out = self._plumbing("diff-tree", "-r", "-z", "--no-renames", old, new)
        except GitError:
            return None  # the exported commit is gone (a rewritten history): export it whole
        fields = out.split(b"\0")
        removed: list[str] = []
        added: list[tuple[bytes, bytes, str]] = []
        for meta, raw_name in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.lstrip(b":").split()
            if len(parts) != 5:
                return None
            old_mode, new_mode, _old_sha, new_sha, _status = parts
            if _exportable(old_mode, raw_name):
                removed.append(os.fsdecode(raw_name))
            if _exportable(new_mode, raw_name):
                added.append((new_mode, new_sha, os.fsdecode(raw_name)))
        return removed, added

    def _plumbing(self, *args: str) -> bytes:
        import subprocess

        cwd = self._repo.working_tree_dir or self._repo.git_dir
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
        if done.returncode != 0:
            stderr = done.stderr.decode("utf-8", "replace").strip()
            raise GitError(MSG("failed", command="git " + " ".join(args[:2]), stderr=stderr))
        return done.stdout

    def _write_blobs(self, files: list[tuple[bytes, bytes, str]], dest: Path) -> None:
        import subprocess

        dest.mkdir(parents=True, exist_ok=True)
        cwd = self._repo.working_tree_dir or self._repo.git_dir
        with subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            for mode, sha, name in files:
                proc.stdin.write(sha + b"\n")
                proc.stdin.flush()
                size = int(proc.stdout.readline().split()[2])
                data = proc.stdout.read(size + 1)[:size]
                target = dest / name
                if os.path.lexists(target) or _link_on_way(dest, target.parent):
                    continue  # a crafted tree naming one path twice
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    if mode == b"100755":
                        target.chmod(0o755)
                except OSError:
                    continue  # a crafted tree with a file where a folder should be
            proc.stdin.close()

    def _run_with_input(
        self,
        args: tuple[str, ...],
        data: str | bytes,
        env: Mapping[str, str] | None,
        strip: bool,
    ) -> str:
        import subprocess

        done = subprocess.run(
            ["git", *args],
            cwd=self._repo.working_tree_dir or self._repo.git_dir,
            input=data.encode() if isinstance(data, str) else data,
            capture_output=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0:
            stderr = done.stderr.decode("utf-8", "replace").strip()
            raise GitError(MSG("failed", command="git " + " ".join(args), stderr=stderr))
        return out.rstrip("\n") if strip else out

    def refs_merged_into(self, rev: str, pattern: str) -> list[str]:
        """Names of refs matching ``pattern`` whose tips are ancestors of ``rev``."""
        out = self.run("for-each-ref", "--format=%(refname)", f"--merged={rev}", pattern)
        return [line for line in out.splitlines() if line]
