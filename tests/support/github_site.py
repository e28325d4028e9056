"""An office's repository as GitHub Actions sees it, published for real against the local API.

The checkout of ``main`` (a work tree, like ``actions/checkout``) with the project's site; its
``origin`` is a bare repository standing in for GitHub's Git (the record commits land there);
a pull request is a real branch merged with ``--no-ff`` as GitHub's merge button does, and its
payloads for the local API are GitHub's documented examples (tests/github/fixtures) with the
numbers, logins, SHAs and times of this repository; the GitHub Pages site is the deploy
target's folder, served the way Pages serves it (files, and 404.html with 404; Pages has no
other status to give). Every command runs as a workflow step does: ``python -m pipeline …``
in the checkout, in its own process.
"""

from __future__ import annotations

import copy
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from pipeline.change.nota_dinas import template
from pipeline.hooks.install import copy_site
from tests.support.github import REPO, ROOT, fixture, serve_policy
from tests.support.site import QuietHandler

NAMES = {
    "rina-siregar": ("Rina Marlina Siregar", "rina.siregar@bbkkmedan.go.id"),
    "sari-lubis": ("Sari Lubis", "sari.lubis@bbkkmedan.go.id"),
    "andi-harahap": ("Andi Harahap", "andi.harahap@bbkkmedan.go.id"),
    "dewi-tarigan": ("Dewi Tarigan", "dewi.tarigan@bbkkmedan.go.id"),
}


def nota(
    number: int, hal: str, dari: str = "Rina Marlina Siregar", *, sifat: str = "Biasa",
    alasan: str | None = None,
) -> str:  # fmt: skip
    """A filled nota dinas for a pull request's description; ``alasan`` is the written reason
    of a "Sangat Segera" memo (``alasan_segera``)."""
    text = template(
        nomor=f"ND-{number}/LPZI/XII/2026", dari=dari, hal=hal, tanggal=date(2026, 12, 1),
        sifat=sifat, nama=dari, nip="199403122020122002",
    )  # fmt: skip
    if alasan is None:
        return text
    line = f'sifat: "{sifat}"\n'
    return text.replace(line, f'{line}alasan_segera: "{alasan}"\n')


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str) -> dict[str, Any]:
    """A user object of the documented examples, for ``login``."""
    found = copy.deepcopy(fixture("pull_merged")["user"])
    found["login"] = login
    found["html_url"] = f"https://github.com/{login}"
    return found


@dataclass
class GitHubSite:
    repo: Path  # the workflow's checkout of main
    origin: Path  # GitHub's Git
    pages: Path  # what GitHub Pages serves (``deploy.github_pages.path``)
    url: str  # the Pages address (``site.url``)
    api: Any  # tests.github.conftest.FakeGitHub
    next_number: int = 21
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    merged_at: dict[int, datetime] = field(default_factory=dict)  # as the API serves it
    opened: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # open PRs, to merge later
    served: dict[int, dict[str, Any]] = field(default_factory=dict)  # PR payloads, for the list
    labels: dict[int, list[str]] = field(default_factory=dict)  # labels on each PR
    repo_labels: dict[str, dict[str, Any]] = field(default_factory=dict)  # the repository's

    # -- git -----------------------------------------------------------------------------

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
        return done.stdout.strip()

    def checkout(self) -> None:
        """A workflow run starts from a fresh checkout of main: the records pushed so far."""
        self.git("fetch", "--quiet", "origin", "main")
        self.git("merge", "--quiet", "--ff-only", "origin/main")

    # -- a pull request, merged ----------------------------------------------------------

    def pull_request(
        self,
        opener: str,
        files: dict[str, str],
        *,
        title: str,
        nota: str,
        reviews: list[tuple[str, str]],
        merge: bool = True,
    ) -> tuple[int, str | None]:
        """Open PR N from ``opener`` with ``files`` and ``reviews`` ``[(login, STATE)]`` on its
        head; merged by the admin unless ``merge`` is False. ``(N, merge SHA or None)``."""
        number = self.next_number
        self.next_number += 1
        self.checkout()
        base = self.git("rev-parse", "HEAD")
        branch = f"pr-{number}"
        self.git("switch", "--quiet", "-c", branch)
        for path, text in files.items():
            target = self.repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        name, email = NAMES[opener]
        self.git("add", "--all")
        who = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        self.git("commit", "--quiet", "-m", title, env=who)
        head = self.git("rev-parse", "HEAD")
        self.git("switch", "--quiet", "main")
        self.opened[number] = (opener, title, nota, base, head, sorted(files), reviews)
        if merge:
            return number, self.merge(number)
        self._serve(number, opener, title, nota, base, head, None, sorted(files), reviews)
        return number, None

    def merge(self, number: int) -> str:
        """The admin merges open PR ``number`` (GitHub's merge button: a merge commit)."""
        opener, title, nota, base, head, paths, reviews = self.opened.pop(number)
        self.checkout()
        admin = {
            "GIT_AUTHOR_NAME": "Dewi Tarigan",
            "GIT_COMMITTER_NAME": "GitHub",
            "GIT_AUTHOR_EMAIL": NAMES["dewi-tarigan"][1],
            "GIT_COMMITTER_EMAIL": "noreply@github.com",
        }
        self.git(
            "merge",
            "--quiet",
            "--no-ff",
            f"pr-{number}",
            "-m",
            f"Merge pull request #{number} from {REPO.split('/')[0]}/pr-{number}",
            env=admin,
        )
        merged = self.git("rev-parse", "HEAD")
        self.git("push", "--quiet", "origin", "main")
        self._serve(number, opener, title, nota, base, head, merged, paths, reviews)
        return merged

    def _serve(
        self,
        number: int,
        opener: str,
        title: str,
        nota: str,
        base: str,
        head: str,
        merged: str | None,
        paths: list[str],
        reviews: list[tuple[str, str]],
    ) -> None:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=90)
        pr = fixture("pull_merged")
        pr.update(
            number=number,
            title=title,
            body=nota,
            user=user(opener),
            created_at=stamp(start),
            updated_at=stamp(start + timedelta(minutes=60)),
            html_url=f"https://github.com/{REPO}/pull/{number}",
        )
        pr["head"].update(sha=head, ref=f"pr-{number}")
        pr["base"].update(sha=base, ref="main")
        if merged:
            self.merged_at[number] = start + timedelta(minutes=60)
            pr.update(
                merged=True,
                state="closed",
                merge_commit_sha=merged,
                merged_at=stamp(start + timedelta(minutes=60)),
                closed_at=stamp(start + timedelta(minutes=60)),
                merged_by=user("dewi-tarigan"),
            )
        else:
            pr.update(
                merged=False,
                state="open",
                merge_commit_sha=None,
                merged_at=None,
                closed_at=None,
                merged_by=None,
            )
        commit = fixture("pull_commits")[0]
        name, email = NAMES[opener]
        when = stamp(start + timedelta(minutes=1))
        commit.update(sha=head, author=user(opener), committer=user(opener))
        commit["commit"].update(
            message=title,
            author={"name": name, "email": email, "date": when},
            committer={"name": name, "email": email, "date": when},
        )
        commit["commit"]["verification"].update(verified=False, reason="unsigned")
        committed = next(e for e in fixture("timeline") if e.get("event") == "committed")
        committed.update(
            sha=head,
            author={"name": name, "email": email, "date": when},
            committer={"name": name, "email": email, "date": when},
        )
        given = []
        for index, (login, state) in enumerate(reviews):
            review = fixture("pull_reviews")[2]
            review.update(
                id=9000 + number * 10 + index,
                user=user(login),
                state=state,
                commit_id=head,
                body="Sesuai.",
                submitted_at=stamp(start + timedelta(minutes=10 * (index + 1))),
            )
            given.append(review)
        listed = []
        for path in paths:
            item = fixture("pull_files")[0]
            item.update(filename=path, status="modified" if self._on(base, path) else "added")
            listed.append(item)
        serve_policy(self.api, base)  # a merged PR is judged by the policy it was merged under
        route = self.api.route
        at = f"/repos/{REPO}"
        route("GET", f"{at}/pulls/{number}", pr)
        route("GET", f"{at}/pulls/{number}/commits", [commit])
        route("GET", f"{at}/pulls/{number}/reviews", given)
        route("GET", f"{at}/pulls/{number}/files", listed)
        route("GET", f"{at}/issues/{number}/timeline", [committed])
        if merged:
            route("GET", f"{at}/commits/{merged}/pulls", [pr])
        self.comments.setdefault(number, [])
        route("GET", f"{at}/issues/{number}/comments", lambda _c: (200, self.comments[number]))
        route("POST", f"{at}/issues/{number}/comments", functools.partial(self._comment, number))
        route("POST", f"{at}/statuses/{head}", lambda c: (201, {**fixture("status"), **c.body}))
        self.served[number] = pr
        route("GET", f"{at}/pulls", self._pulls)
        self.labels.setdefault(number, [])
        route("GET", f"{at}/issues/{number}/labels", functools.partial(self._labels, number))
        route("POST", f"{at}/issues/{number}/labels", functools.partial(self._labels, number))
        route("POST", f"{at}/labels", self._create_label)

    def _pulls(self, call: Any) -> tuple[int, list[dict[str, Any]]]:
        """The list of pull requests, by ``state`` as GitHub filters it (open by default)."""
        state = call.query.get("state", ["open"])[0]
        return 200, [
            {**pr, "labels": [self._label(name) for name in self.labels.get(number, [])]}
            for number, pr in self.served.items()
            if state in ("all", pr["state"])
        ]

    def _label(self, name: str) -> dict[str, Any]:
        return self.repo_labels.get(name) or {**fixture("label"), "name": name, "default": False}

    def _create_label(self, call: Any) -> tuple[int, dict[str, Any]]:
        name = call.body["name"]
        if name in self.repo_labels:  # GitHub: 422 "already_exists"
            return 422, {"message": "Validation Failed",
                         "errors": [{"resource": "Label", "code": "already_exists",
                                     "field": "name"}]}  # fmt: skip
        self.repo_labels[name] = {**fixture("label"), **call.body, "default": False}
        return 201, self.repo_labels[name]

    def _labels(self, number: int, call: Any) -> tuple[int, list[dict[str, Any]]]:
        """List (GET) or add (POST) the labels of PR ``number``, and route each one's DELETE."""
        found = self.labels[number]
        if call.method == "POST":
            for name in call.body["labels"]:
                if name not in found:
                    found.append(name)
                    self.api.route("DELETE", f"/repos/{REPO}/issues/{number}/labels/{name}",
                                   functools.partial(self._unlabel, number, name))  # fmt: skip
        return 200, [self._label(name) for name in found]

    def _unlabel(self, number: int, name: str, call: Any) -> tuple[int, Any]:
        if name not in self.labels[number]:
            return 404, {"message": "Label does not exist"}
        self.labels[number].remove(name)
        return 200, [self._label(other) for other in self.labels[number]]

    def comment(
        self, number: int, login: str, body: str, at: datetime, edited: datetime | None = None
    ) -> None:
        """``login`` writes ``body`` in PR ``number``'s conversation at ``at`` (edited later at
        ``edited``), as the issue comments API lists it."""
        found = self.comments.setdefault(number, [])
        found.append(
            {
                **fixture("issue_comments")[1],
                "id": 8000 + number * 10 + len(found),
                "body": body,
                "user": user(login),
                "created_at": stamp(at),
                "updated_at": stamp(edited or at),
                "author_association": "COLLABORATOR",
            }
        )

    def _on(self, rev: str, path: str) -> bool:
        return (
            subprocess.run(
                ["git", "cat-file", "-e", f"{rev}:{path}"],
                cwd=self.repo,
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )

    def _comment(self, number: int, call: Any) -> tuple[int, dict[str, Any]]:
        """The workflows' account writes a comment (POST, listed first here) or edits its own
        (PATCH), as the issue comments API answers."""
        at = stamp(datetime.now(UTC))
        if call.method == "PATCH":
            wanted = int(call.path.rsplit("/", 1)[1])
            (comment,) = [c for c in self.comments[number] if c["id"] == wanted]
            comment.update(body=call.body["body"], updated_at=at)
            return 200, comment
        ours = [c for c in self.comments[number] if c["id"] // 100 == 70 + number]
        comment = {**fixture("issue_comments")[1], "id": (70 + number) * 100 + len(ours),
                   "body": call.body["body"], "created_at": at, "updated_at": at}  # fmt: skip
        self.comments[number] = [comment, *self.comments[number]]
        self.api.route(
            "PATCH",
            f"/repos/{REPO}/issues/comments/{comment['id']}",
            functools.partial(self._comment, number),
        )
        return 201, comment

    # -- a workflow step -----------------------------------------------------------------

    def terbit(
        self, *args: str, now: datetime | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python -m pipeline ARGS`` in the checkout, as the workflows' steps run it."""
        extra = env or {}
        env = {
            **os.environ,
            "GITHUB_API_URL": self.api.url,
            "GITHUB_TOKEN": "ghs_workflow",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242",
            "TERBIT_LANG": "id",
            **extra,
        }
        env.pop("TERBIT_NOW", None)
        if now is not None:
            env["TERBIT_NOW"] = now.isoformat()
        return subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            cwd=self.repo,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )

    def build_job(
        self, merge: str, workflow: str = "publish.yml", depth: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``workflow``'s build job for ``merge``, as the runner does it: the site checked out
        as its checkout step says (``fetch-depth``, unless ``depth`` is given; actions/checkout
        fetches 1 commit when it is not given, 0 means all), its build step's command there,
        and the output handed to Pages as ``deploy-pages`` does (what Pages serves)."""
        job = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())["jobs"]
        steps = job["build"]["steps"]
        build = next(s for s in steps if "pipeline build" in s.get("run", ""))
        where = build.get("working-directory", ".")
        checkouts = [s for s in steps if "actions/checkout" in s.get("uses", "")]
        checkout = next(s for s in checkouts if s.get("with", {}).get("path", ".") == where)
        if depth is None:
            depth = int(checkout.get("with", {}).get("fetch-depth", 1))
        runner = self.repo.parent / f"runner-{merge[:12]}"
        shutil.rmtree(runner, ignore_errors=True)
        clone = ["git", "clone", "--quiet", "--branch", "main"]
        clone += [f"--depth={depth}"] if depth else []
        subprocess.run([*clone, f"file://{self.origin}", str(runner / "checkout")], check=True)
        work = runner / "checkout"
        subprocess.run(["git", "checkout", "--quiet", "--detach", merge], cwd=work, check=True)
        output = runner / "site"
        command = build["run"].replace('"$RUNNER_TEMP/site"', str(output)).split()
        assert command[:4] == ["python", "-I", "-m", "pipeline"], command
        env = {k: v for k, v in os.environ.items() if k != "TERBIT_NOW"}
        done = subprocess.run(
            [sys.executable, *command[1:]], cwd=work, capture_output=True, text=True,
            timeout=300, check=False, env={**env, "TERBIT_LANG": "id"},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        staging = self.pages.with_name(".pages-next")
        shutil.copytree(output, staging)
        shutil.rmtree(self.pages)
        staging.rename(self.pages)
        return done

    def published(self, merge: str) -> dict[str, Any]:
        """The publish workflow for ``merge``: its gate job, then its record job; the record
        committed to GitHub's main."""
        self.checkout()
        gate = self.terbit("github", "gate", "--merge", merge)
        assert gate.returncode == 0, gate.stdout + gate.stderr
        run = self.terbit("publish", merge)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "selesai dan lengkap" in run.stdout, run.stdout
        (folder,) = [name for name in self.records() if name.endswith(merge[:12])]
        return dict(yaml.safe_load(self.show(f"records/{folder}/record.yml") or ""))

    def show(self, path: str) -> str | None:
        """A file on GitHub's main (where the records are pushed)."""
        done = subprocess.run(
            ["git", "show", f"main:{path}"],
            cwd=self.origin,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None

    def origin_git(self, *args: str) -> str:
        """A git command in GitHub's repository (what the office sees on github.com)."""
        done = subprocess.run(
            ["git", *args], cwd=self.origin, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def records(self) -> list[str]:
        listed = self.origin_git("ls-tree", "--name-only", "main", "records/")
        return [line.split("/", 1)[1] for line in listed.split()]


TERBIT_YML = """\
site:
  name: Balai Besar Kekarantinaan Kesehatan Medan
  short_name: BBKK Medan
  url: {url}
content:
  categories: [Berita, Layanan, Kesiapsiagaan, Informasi Publik, Pengumuman]
  image_max_kb: 500
  public_contacts: [humas@bbkkmedan.go.id, "(061) 6941343"]
  public_email_domains: [bbkkmedan.go.id]
forge:
  kind: github
deploy:
  target: github-pages
  github_pages:
    path: {pages}
publish:
  verify_attempts: 3
  verify_backoff_s: 0.2
"""


@contextmanager
def github_site(root: Path, api: Any) -> Iterator[GitHubSite]:
    """The office's GitHub repository, its Actions checkout and its Pages site under ``root``."""
    pages = root / "pages"
    pages.mkdir()
    handler = functools.partial(QuietHandler, directory=str(pages))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        origin = root / "situs-web.git"
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(origin)], check=True
        )
        repo = root / "situs-web"
        repo.mkdir()
        copy_site(ROOT, repo)
        (repo / "terbit.yml").write_text(TERBIT_YML.format(url=url, pages=pages), encoding="utf-8")
        (repo / ".gitignore").write_text("/.terbit/\n", encoding="utf-8")  # the publication's work
        site = GitHubSite(repo=repo, origin=origin, pages=pages, url=url, api=api)
        site.git("init", "--quiet", "--initial-branch=main")
        site.git("config", "user.name", "Admin Website")
        site.git("config", "user.email", "admin@bbkkmedan.go.id")
        site.git("remote", "add", "origin", str(origin))
        site.git("add", "--all")
        site.git("commit", "--quiet", "-m", "Isi awal situs")
        site.git("push", "--quiet", "origin", "main")
        serve_policy(api)
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
