"""Steps 6-8 of the SOP after a merge: build, deploy, prove live, tell the author, record.

Each stage writes what it did to a small state file (``.terbit/publish/<merge>.json``, replaced
atomically) and is idempotent, so ``terbit publish --resume`` continues a publication that was
killed anywhere. A failing deploy leaves the previous release live; failing evidence or notice
leaves the record "incomplete" with the reason, never a claim of success.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.config.settings import Settings
from pipeline.errors import InputError, TerbitError
from pipeline.i18n import Catalog
from pipeline.vcs import Repo

MSG = Catalog(
    {
        "no_change": (
            "commit {sha} bukan merge sebuah perubahan; tidak ada yang diterbitkan",
            "commit {sha} is not the merge of a change; nothing to publish",
        ),
        "unknown_merge": (
            "commit {sha} tidak ada di repositori",
            "commit {sha} is not in the repository",
        ),
        "busy": (
            "publikasi lain masih berjalan lebih dari {s} detik; coba lagi nanti",
            "another publication has been running for more than {s} seconds; try again later",
        ),
        "bad_input": (
            "perubahan ini tidak dapat diterbitkan; situs yang tayang tidak diubah",
            "this change cannot be published; the live site is unchanged",
        ),
        "left_out": (
            "dilewati (bukan bagian perubahan ini): {problem}",
            "left out (not part of this change): {problem}",
        ),
        "superseded": (
            "deploy: {release} tidak dipasang; rilis {live} dari main yang lebih baru sudah "
            "tayang dan memuat merge ini",
            "deploy: {release} not switched in; release {live}, built from a newer main that "
            "holds this merge, is already live",
        ),
        "retry_github": (
            "jalankan ulang alur kerja publish di GitHub Actions untuk merge {sha}",
            "re-run the publish workflow in GitHub Actions for merge {sha}",
        ),
        "deploy_failed": ("unggah gagal: {error}", "upload failed: {error}"),
        "build_failed": ("pembangunan situs gagal: {error}", "building the site failed: {error}"),
        "gave_up": (
            "publikasi merge {sha} tidak dilanjutkan otomatis lagi: gagal {n} kali "
            "(keadaan: {state}); periksa log ini lalu jalankan: {retry}",
            "publication of merge {sha} is no longer resumed automatically: it failed {n} "
            "times (state: {state}); check this log, then run: {retry}",
        ),
        "not_found": (
            "{title}: halaman tidak ditemukan di hasil build ({path})",
            "{title}: page not found in the build output ({path})",
        ),
    }
)

STAGES = ("prepare", "build", "deploy", "verify", "screenshots", "notice", "record")
LOCK_WAIT_S = 900
UNFINISHED = "unfinished"  # one empty file per publication that has started and not ended
# A crash that comes back on every attempt (a bug, a draft that kills the build) must not be
# re-run by every later push forever: after this many, a person looks at it.
MAX_ATTEMPTS = 3


@dataclass
class PublishResult:
    merge_sha: str
    change_id: str | None
    status: str  # "complete" | "incomplete" | "failed" | "skipped"
    release: str | None = None
    urls: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    record_folder: str | None = None
    record_commit: str | None = None
    problems: list[str] = field(default_factory=list)
    state_file: str | None = None


def state_root(repo: Repo) -> Path:
    """Where publishing keeps its work: the work tree, or the bare repository itself."""
    return (repo.work_tree or repo.git_dir) / ".terbit" / "publish"


class State:
    """The state file of one publication; every save is an atomic replace."""

    def __init__(self, path: Path, merge_sha: str) -> None:
        self.path = path
        self.data: dict[str, Any] = {"merge": merge_sha, "stages": {}}
        if path.is_file():
            # A torn file cannot happen with os.replace, but never trust it blindly.
            with contextlib.suppress(json.JSONDecodeError):
                self.data = json.loads(path.read_text(encoding="utf-8"))

    def done(self, stage: str) -> dict[str, Any] | None:
        return self.data["stages"].get(stage)

    def checkpoint(self, point: str) -> None:
        """A named point inside a stage where tests may kill the process."""
        _fault(point)

    def save(self, stage: str, value: dict[str, Any]) -> None:
        _fault(stage)
        self.data["stages"][stage] = value
        self.write()

    def forget(self, *stages: str) -> None:
        """Drop stage results so the next run does them again (after a failure)."""
        for stage in stages:
            self.data["stages"].pop(stage, None)
        self.write()

    def note(self, key: str, value: Any) -> Any:
        """Remember a decision before acting on it (e.g. the release id before uploading)."""
        self.data[key] = value
        self.write()
        return value

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
        with temp.open("w", encoding="utf-8") as handle:
            json.dump(self.data, handle, ensure_ascii=False, indent=1, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.path)


def _fault(stage: str) -> None:
    """Fault injection for tests: die at a stage boundary (work done, state not yet saved)."""
    if os.environ.get("TERBIT_FAULT_STAGE") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def _publish_lock(root: Path) -> Iterator[None]:
    """One publication at a time per repository; later ones wait (bounded)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TerbitError(MSG("busy", s=LOCK_WAIT_S)) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(
    repo_root: Path,
    merge_sha: str,
    *,
    settings: Settings,
    forge: Any,
    resume: bool = False,
    say: Callable[[str], None] | None = None,
) -> PublishResult:
    """Publish the change merged by ``merge_sha`` (steps 6-8); see the module docstring."""
    repo = Repo(repo_root)
    full = repo.rev_parse(merge_sha)
    if full is None:
        raise InputError(MSG("unknown_merge", sha=merge_sha))
    root = state_root(repo)
    with _publish_lock(root):
        state_path = root / f"{full}.json"
        if not resume and state_path.exists():
            recorded = State(state_path, full).done("record")
            if recorded is None or recorded.get("status") != "complete":
                # Start over (an incomplete record gets another chance); stages are idempotent.
                state_path.unlink()
        state = State(state_path, full)
        state.note("attempts", attempts_of(state) + 1)
        # The marker stays only when this process dies before finishing (a kill, a crash):
        # the next push to the server resumes what it names (see ``unfinished``).
        marker = root / UNFINISHED / full
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        result = _run(
            repo, full, state, settings=settings, forge=forge, say=say or (lambda _: None)
        )
        marker.unlink(missing_ok=True)
        return result


def attempts_of(state: State) -> int:
    """How many times this publication has started (a hand-edited state counts as none)."""
    value = state.data.get("attempts")
    return value if isinstance(value, int) and value > 0 else 0


def give_up(repo: Repo, merge: str, settings: Settings) -> str | None:
    """Stop resuming ``merge`` when it has failed ``MAX_ATTEMPTS`` times: its marker goes, and
    the message (for the publish log) says which merge, how often, and the command to retry."""
    path = state_root(repo) / f"{merge}.json"
    tries = attempts_of(State(path, merge))
    if tries < MAX_ATTEMPTS:
        return None
    (state_root(repo) / UNFINISHED / merge).unlink(missing_ok=True)
    retry = retry_command(repo, merge, settings)
    return MSG("gave_up", sha=merge[:10], n=tries, state=path, retry=retry)


def unfinished(repo: Repo) -> list[str]:
    """Merges whose publication was killed before it finished, oldest first."""
    folder = state_root(repo) / UNFINISHED
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if len(p.name) in (40, 64) and p.name.isalnum()]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]


def repo_settings(repo: Repo) -> Settings:
    """``terbit.yml`` of a work tree, or as committed on main in a bare (server) repository."""
    from pipeline.config.settings import load_settings

    if repo.work_tree is not None:
        return load_settings(repo.work_tree)
    from pipeline.forge.local.hooks import server_settings

    return server_settings(repo)


def latest_merge(repo: Repo) -> str | None:
    """The newest merge on main that is not a record commit."""
    tip = repo.rev_parse("refs/heads/main") or repo.head()
    if tip is None:
        return None
    found = repo.run("rev-list", "--first-parent", "--merges", "-n", "1", tip)
    return found or None


def new_merges(repo: Repo, old: str, new: str) -> list[str]:
    """First-parent merges between ``old`` and ``new``, oldest first."""
    if old == "0" * 40:  # a new server: only the newest merge, not the whole history
        found = repo.run("rev-list", "--first-parent", "--merges", "-n", "1", new)
        return [found] if found else []
    return list(
        reversed(repo.run("rev-list", "--first-parent", "--merges", f"{old}..{new}").split())
    )


def on_main_updated(server_repo: Path, old: str, new: str) -> list[PublishResult]:
    """Called by the embedded server's post-receive hook: publish each new merge on main."""
    from pipeline.forge import open_forge
    from pipeline.forge.local.hooks import server_settings
    from pipeline.record.store import is_record_commit

    repo = Repo(server_repo)
    settings = server_settings(repo)
    results = []
    fresh = [m for m in new_merges(repo, old, new) if not is_record_commit(repo, m)]
    tip = repo.rev_parse("refs/heads/main")
    # Publications killed earlier (a crash, a restart) are finished first, oldest first.
    killed = []
    for merge in unfinished(repo):
        if merge in fresh or not tip or not repo.is_ancestor(merge, tip):
            continue
        stopped = give_up(repo, merge, settings)
        if stopped:
            print(f"terbit: {stopped}")  # the publish log, and relayed to the pusher
        else:
            killed.append(merge)
    for merge in [*killed, *fresh]:
        forge = open_forge(server_repo, settings)
        results.append(
            publish(server_repo, merge, settings=settings, forge=forge, resume=True, say=print)
        )
    return results


def result_dict(result: PublishResult) -> dict[str, Any]:
    return asdict(result)


def clean_work(folder: Path) -> None:
    """Empty an export folder (its build cache lives outside it, see ``build_cache``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def build_cache(repo: Repo) -> Path:
    """The publication's build cache: in the git folder (the server's own state), which no
    tree can write to; a cache in the exported tree could come from the change (a pickle)."""
    return repo.git_dir / "terbit" / "build-cache"


def utcnow() -> datetime:
    """The office clock (TERBIT_NOW in the demo's simulated day, else real time)."""
    from pipeline.clock import now

    return now()


# -- the stages ---------------------------------------------------------------------------------


def _run(
    repo: Repo,
    merge: str,
    state: State,
    *,
    settings: Settings,
    forge: Any,
    say: Callable[[str], None],
) -> PublishResult:
    from pipeline.deploy import open_target
    from pipeline.evidence.articles import ArticleFact
    from pipeline.evidence.stage import screenshot_stage, verify_stage
    from pipeline.record.assemble import record_stage
    from pipeline.record.model import PublishFacts, ShotFact, record_id
    from pipeline.report.compose import failure_stage, notice_stage

    root = repo.work_tree or repo.git_dir
    base_url = (settings.publish.live_url or settings.site.url).rstrip("/")
    result = PublishResult(merge, None, "incomplete", state_file=str(state.path))

    prep = state.done("prepare") or _prepare(repo, merge, forge, settings, state)
    if prep["change"] is None:
        result.status = "skipped"
        result.problems.append(MSG("no_change", sha=merge[:10]))
        return result
    change = forge.get_change(prep["change"])
    result.change_id = change.id
    articles = [ArticleFact(**a) for a in prep["articles"]]
    rid = record_id(change.id, merge)
    folder = f"{settings.publish.records_path.strip('/')}/{rid}"
    if state.done("record") is None:
        from pipeline.record.store import existing_record

        found = existing_record(repo, "refs/heads/main", folder)
        if found is not None and found.get("status") == "complete":
            # Published before (the state file is gone): nothing to redo, nothing to add.
            result.status, result.record_folder = "complete", folder
            result.release = str((found.get("deploy") or {}).get("release"))
            result.urls = [a["url"] for a in found.get("articles") or [] if a.get("url")]
            result.screenshots = [f"{folder}/{s['file']}" for s in found.get("screenshots") or []]
            return result
    work = state.path.parent / "work"
    shots_dir = work / "shots" / rid

    target = open_target(root, settings)
    failure: str | None = None
    try:
        built = state.done("build") or _build(repo, merge, work, state, say)
    except TerbitError as error:
        # A draft of this merge that cannot be built: nothing goes live, and the record says
        # so with the located problems (a failure is recorded as a failure).
        for problem in error.problems:
            say(str(problem))
        located = "; ".join(str(p) for p in error.problems)
        failure = MSG("build_failed", error=f"{error.message}: {located}" if located else error)
        built = None
    site_dir = Path(built["site"]) if built else work / "site"
    deployed = None
    if built is not None:
        try:
            deployed = state.done("deploy") or _deploy(repo, target, site_dir, built, state, say)
        except TerbitError as error:
            failure = MSG("deploy_failed", error=str(error))
    if deployed is None:  # the previous release stays live; the failure is recorded, retryable
        live = target.current()
        deployed = {"release": None, "previous": live.id if live else None, "at": None}
    result.release = deployed["release"]

    urls: dict[str, str] = {}
    problems: list[str] = []
    from pipeline.evidence.articles import absolute, locate

    for article in articles if failure is None else []:
        if article.url is None:
            continue

        found = locate(site_dir, article)
        if found is None:
            problems.append(MSG("not_found", title=article.title, path=article.path))
        else:
            urls[article.path] = absolute(base_url, found)
    result.urls = list(urls.values())
    removed = {
        a.path: absolute(base_url, a.removed_url) for a in articles if a.removed_url and not a.url
    }
    verified: dict[str, Any] = {"live": [], "problems": []}
    if failure is None:
        verified = state.done("verify") or verify_stage(
            articles, urls, settings, state, say, removed
        )
        problems += verified["problems"]
        if problems:  # a page that is not live (or not built) is a failed publication
            failure = "; ".join(problems)
            problems = []
    shot_state: dict[str, Any] = {"shots": [], "problems": []}
    noticed: dict[str, Any] = {
        "at": None, "recorded": False, "emailed_to": None, "email": None, "problems": []
    }  # fmt: skip
    if failure is None:
        shot_state = state.done("screenshots") or screenshot_stage(
            articles, urls, verified, settings, shots_dir, state, say,
            retry=retry_command(repo, merge, settings),
        )  # fmt: skip
        problems += shot_state["problems"]
    shots = [ShotFact(**s) for s in shot_state["shots"]]
    result.screenshots = [str(shots_dir / s.file) for s in shots]
    if failure is None:
        noticed = state.done("notice") or notice_stage(
            forge, change, articles, urls, deployed, shots, shots_dir, settings, prep, state,
            say, "; ".join(shot_state["problems"]),
        )  # fmt: skip
        problems += noticed["problems"]
    else:
        problems += failure_stage(
            forge, change, merge, failure, retry_command(repo, merge, settings), settings, prep, say
        )

    facts = PublishFacts(
        merge_sha=merge,
        merged_at=datetime.fromisoformat(prep["merged_at"]),
        target=target.name,
        release=deployed["release"],
        deployed_at=datetime.fromisoformat(deployed["at"]) if deployed["at"] else None,
        previous_release=deployed["previous"],
        articles=[
            ArticleFact(
                a.path, a.status, a.title, urls.get(a.path) if a.url else None, removed.get(a.path)
            )
            for a in articles
        ],
        live=verified["live"],
        screenshots=shots,
        notice_at=datetime.fromisoformat(noticed["at"]) if noticed["at"] else None,
        notice_recorded=noticed["recorded"],
        emailed_to=noticed["emailed_to"],
        email_state=noticed.get("email"),
        problems=problems,
        failure=failure,
    )
    recorded = state.done("record") or record_stage(
        repo, forge, change, prep, facts, settings, shots_dir, state, say
    )
    result.status = recorded["status"]
    result.problems = recorded["reasons"]
    result.record_folder = recorded["folder"]
    result.record_commit = recorded["commit"]
    if failure is not None:
        # A failed run finished nothing after the failure: --resume retries from there.
        state.forget("verify", "screenshots", "notice", "record")
    elif result.status != "complete":
        # What reported a problem (screenshots, the e-mail) is done again by --resume; an
        # e-mail already sent is not (the state file keeps its progress).
        state.forget(
            *[name for name, done in (("screenshots", shot_state), ("notice", noticed))
              if done.get("problems")],
            "record",
        )  # fmt: skip
    return result


def retry_command(repo: Repo, merge: str, settings: Settings | None = None) -> str:
    """The command that retries this publication where it ran (the server's repository)."""
    import shlex

    if settings is not None and settings.forge.kind == "github":
        return MSG("retry_github", sha=merge)
    where = repo.work_tree or repo.git_dir
    return f"terbit publish {merge} --resume --repo {shlex.quote(str(where))}"


def _prepare(
    repo: Repo, merge: str, forge: Any, settings: Settings, state: State
) -> dict[str, Any]:
    from pipeline.evidence.articles import changed_articles

    change = forge.change_for_merge(merge)
    parents = repo.parents(merge)
    value = {
        "change": change.id if change else None,
        "base": parents[0] if parents else None,
        "merged_at": (change.merged_at if change and change.merged_at else utcnow()).isoformat(),
        "articles": [asdict(a) for a in changed_articles(repo, merge, settings.content.path)],
    }
    state.save("prepare", value)
    return value


def _build(
    repo: Repo, merge: str, work: Path, state: State, say: Callable[[str], None]
) -> dict[str, Any]:
    """Build the newest main (it contains the merge): a later publication never rolls the
    site back to an older tree when merges race."""
    from pipeline.render.history import read_history
    from pipeline.render.runner import build_site

    tip = repo.rev_parse("refs/heads/main") or merge
    if not repo.is_ancestor(merge, tip):
        tip = merge
    source = work / "source"
    clean_work(source)
    repo.export_tree(tip, source)
    output = work / "site"
    # The articles' versions from this repository's history, never from the exported tree.
    history = read_history(repo, tip, repo_settings(repo).content.path, build_cache(repo))
    built = build_site(
        source,
        output=output,
        publish=True,
        cache_base=build_cache(repo),
        skip_bad=True,
        history=history,
    )
    if built.skipped:
        # A file of this merge that cannot be published fails this publication, located; a
        # bad file that an earlier merge left on main is left out, so later merges go live.
        parents = repo.parents(merge)
        # What the merge landed on main before it: the one way Terbit computes it.
        ours = {e.path for _, e in repo.landed(parents[0], merge).changes} if parents else set()
        mine = [p for p in built.skipped if p.path in ours]
        if mine:
            raise InputError(MSG("bad_input"), problems=mine)
        for problem in built.skipped:
            say(MSG("left_out", problem=problem))
    say(f"build: {built.articles} artikel, {built.seconds:.1f} s")
    value = {"site": str(output), "commit": tip}
    state.save("build", value)
    return value


def _deploy(
    repo: Repo,
    target: Any,
    site_dir: Path,
    built: dict[str, Any],
    state: State,
    say: Callable[[str], None],
) -> dict[str, Any]:
    from pipeline.deploy import new_release_id

    # The id is chosen once and kept in the state: a rerun finishes the same release.
    release_id = state.data.get("release_id") or state.note(
        "release_id", new_release_id(built["commit"])
    )
    live = target.current()
    if live is not None and live.id != release_id and _newer(repo, live.id, built["commit"]):
        # Resumed after a later publication went live from a newer main, which holds this
        # merge too: switching back would take that publication's articles off the site.
        say(MSG("superseded", release=release_id, live=live.id))
        value = {
            "release": live.id,
            "previous": state.data.get("previous"),
            "at": utcnow().isoformat(),
            "superseded": release_id,
        }
        state.save("deploy", value)
        return value
    previous = live.id if live and live.id != release_id else state.data.get("previous")
    state.note("previous", previous)
    release = target.deploy(site_dir, release_id)
    say(f"deploy: {release.id} -> {release.location}")
    value = {"release": release.id, "previous": previous, "at": utcnow().isoformat()}
    state.save("deploy", value)
    return value


def _newer(repo: Repo, release_id: str, built: str) -> bool:
    """Whether ``release_id`` was built from a commit that already contains ``built`` (and
    more). Release ids end in the built commit's first 12 hex digits."""
    short = release_id.rsplit("-", 1)[-1]
    if len(short) != 12 or any(c not in "0123456789abcdef" for c in short):
        return False
    other = repo.rev_parse(short)
    return other is not None and other != built and repo.is_ancestor(built, other)
