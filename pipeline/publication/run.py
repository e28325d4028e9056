"""Steps 6-8 of the SOP after a merge: build, deploy, prove live, tell the author, record.

Every stage saves its result in the publication's state file (``state``) and is skipped when
that result exists, so ``terbit publish --resume`` continues a publication that was killed
anywhere. A failing deploy leaves the previous release live; failing evidence or notice leaves
the record "incomplete" with the reason, never a claim of success.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from pipeline.clock import now
from pipeline.config.settings import Settings
from pipeline.deploy import open_target
from pipeline.errors import InputError, TerbitError
from pipeline.evidence.articles import ArticleFact, absolute, locate
from pipeline.evidence.browser import KeptBrowsers, SharedChromium, shared_chromium
from pipeline.evidence.findings import findings
from pipeline.evidence.screenshot import prepare_views
from pipeline.evidence.stage import screenshot_stage, verify_stage, visitor_stage
from pipeline.evidence.visitor import prepare_check
from pipeline.forge import open_forge
from pipeline.forge.base import Forge
from pipeline.forge.local.store.forge import main_settings
from pipeline.i18n import Catalog
from pipeline.publication.lock import publish_lock
from pipeline.publication.merges import new_merges, retry_command
from pipeline.publication.server_key import record_signer
from pipeline.publication.stages import build, deploy, prepare
from pipeline.publication.state import (
    MAX_ATTEMPTS,
    UNFINISHED,
    PublishResult,
    State,
    state_root,
    unfinished,
)
from pipeline.record.assemble import record_stage
from pipeline.record.model import PublishFacts, ShotFact, record_id
from pipeline.record.render import warm_pdf_meanwhile
from pipeline.record.store import existing_record, is_record_commit
from pipeline.report.compose import failure_stage, notice_stage
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
        "deploy_failed": ("unggah gagal: {error}", "upload failed: {error}"),
        "build_failed": ("pembangunan situs gagal: {error}", "building the site failed: {error}"),
        "gave_up": (
            "publikasi merge {sha} tidak dilanjutkan otomatis lagi: gagal {n} kali "
            "(keadaan: {state}); periksa log ini lalu jalankan: {retry}",
            "publication of merge {sha} is no longer resumed automatically: it failed {n} "
            "times (state: {state}); check this log, then run: {retry}",
        ),
        "held": (
            "dijadwalkan: {titles} tayang {at} (publish_at); rilis ini belum memuatnya, "
            "penjadwal menerbitkannya pada waktunya",
            "scheduled: {titles} goes live {at} (publish_at); this release does not hold it, "
            "the scheduler publishes it at that time",
        ),
        "not_found": (
            "{title}: halaman tidak ditemukan di hasil build ({path})",
            "{title}: page not found in the build output ({path})",
        ),
    }
)


def publish(
    repo_root: Path,
    merge_sha: str,
    *,
    settings: Settings,
    forge: Forge,
    resume: bool = False,
    say: Callable[[str], None] | None = None,
    browsers: KeptBrowsers | None = None,  # the publication service's warm browsers
) -> PublishResult:
    """Publish the change merged by ``merge_sha`` (steps 6-8); see the module docstring."""
    repo = Repo(repo_root)
    full = repo.rev_parse(merge_sha)
    if full is None:
        raise InputError(MSG("unknown_merge", sha=merge_sha))
    root = state_root(repo)
    with publish_lock(root):
        state_path = root / f"{full}.json"
        carried = 0
        if not resume and state_path.exists():
            before = State(state_path, full)
            recorded = before.done("record")
            if recorded is None or recorded.get("status") != "complete":
                # Start over (an incomplete record gets another chance); stages are idempotent.
                # The attempts so far stay counted: the record says it was retried (issue 14).
                carried = before.attempts
                state_path.unlink()
        state = State(state_path, full)
        state.started(earlier=carried)
        # The marker stays only when this process dies before finishing (a kill, a crash):
        # the next push to the server resumes what it names (see ``unfinished``).
        marker = root / UNFINISHED / full
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        # Without the service's browsers: one Chromium for this publication (started on first
        # use, closed at the end, whatever happens).
        with shared_chromium() as own:
            result = _run(
                repo, full, state, settings=settings, forge=forge, say=say or (lambda _: None),
                browsers=browsers, own=own,
            )  # fmt: skip
        marker.unlink(missing_ok=True)
        return result


def give_up(repo: Repo, merge: str, settings: Settings) -> str | None:
    """Stop resuming ``merge`` when it has failed ``MAX_ATTEMPTS`` times: its marker goes, and
    the message (for the publish log) says which merge, how often, and the command to retry."""
    path = state_root(repo) / f"{merge}.json"
    tries = State(path, merge).attempts
    if tries < MAX_ATTEMPTS:
        return None
    (state_root(repo) / UNFINISHED / merge).unlink(missing_ok=True)
    retry = retry_command(repo, merge, settings)
    return MSG("gave_up", sha=merge[:10], n=tries, state=path, retry=retry)


def _fresh(repo: Repo, old: str, new: str) -> list[str]:
    return [m for m in new_merges(repo, old, new) if not is_record_commit(repo, m)]


def expect(server_repo: Path, old: str, new: str) -> None:
    """Mark the merges ``on_main_updated(old, new)`` will publish as unfinished before it
    starts: a publication service stopped or killed while they wait in its queue leaves them
    to the next push, as one killed in the middle of them does."""
    repo = Repo(server_repo)
    folder = state_root(repo) / UNFINISHED
    folder.mkdir(parents=True, exist_ok=True)
    for merge in _fresh(repo, old, new):
        (folder / merge).touch()


def on_main_updated(
    server_repo: Path, old: str, new: str, browsers: KeptBrowsers | None = None
) -> list[PublishResult]:
    """After main moved on the embedded server: publish each new merge on main, after finishing
    the publications that were killed earlier (a crash, a restart), oldest first. ``browsers``:
    the publication service's warm Chromiums (None: one for each publication)."""
    repo = Repo(server_repo)
    settings = main_settings(repo)
    results = []
    fresh = _fresh(repo, old, new)
    tip = repo.rev_parse("refs/heads/main")
    killed = []
    for merge in unfinished(repo):
        # One killed before this push (not one queued after it in the publication service).
        if merge in fresh or not tip or not repo.is_ancestor(merge, new):
            continue
        stopped = give_up(repo, merge, settings)
        if stopped:
            print(f"terbit: {stopped}")  # the publish log, and relayed to the pusher
        else:
            killed.append(merge)
    for merge in [*killed, *fresh]:
        forge = open_forge(server_repo, settings)
        done = publish(
            server_repo, merge, settings=settings, forge=forge, resume=True, say=print,
            browsers=browsers,
        )  # fmt: skip
        results.append(done)
    return results


def _run(
    repo: Repo,
    merge: str,
    state: State,
    *,
    settings: Settings,
    forge: Forge,
    say: Callable[[str], None],
    browsers: KeptBrowsers | None = None,
    own: SharedChromium | None = None,
) -> PublishResult:
    root = repo.work_tree or repo.git_dir
    base_url = (settings.publish.live_url or settings.site.url).rstrip("/")
    result = PublishResult(merge, None, "incomplete", state_file=str(state.path))

    prep, change = state.done("prepare"), None
    if prep is None:
        prep, change = prepare(repo, merge, forge, settings, state)
    if prep["change"] is None:
        result.status = "skipped"
        result.problems.append(MSG("no_change", sha=merge[:10]))
        return result
    if change is None:  # resumed: the change as the forge has it now
        change = forge.get_change(prep["change"])
    result.change_id = change.id
    articles = [ArticleFact(**a) for a in prep["articles"]]
    rid = record_id(change.id, merge)
    folder = f"{settings.publish.records_path.strip('/')}/{rid}"
    if state.done("record") is None:
        published = existing_record(repo, "refs/heads/main", folder)
        if published is not None and published.get("status") == "complete":
            # Published before (the state file is gone): nothing to redo, nothing to add.
            return _already_published(result, folder, published)
    work = state.path.parent / "work"
    shots_dir = work / "shots" / rid

    target = open_target(root, settings)
    failure: str | None = None
    # Every publication ends in a record with its PDF: in a fresh process WeasyPrint and the
    # fonts (1-1.4 s) load on a thread while the build runs in its own process.
    warm_pdf_meanwhile()
    early = own if browsers is None and _will_shoot(articles, prep, state, settings) else None
    try:
        built = state.done("build") or _beside(early, lambda: build(repo, merge, work, state, say))
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
            deployed = state.done("deploy") or deploy(repo, target, site_dir, built, state, say)
        except TerbitError as error:
            failure = MSG("deploy_failed", error=str(error))
    if deployed is None:  # the previous release stays live; the failure is recorded, retryable
        live = target.current()
        deployed = {"release": None, "previous": live.id if live else None, "at": None}
    result.release = deployed["release"]
    scheduled = prep.get("scheduled_at")  # absent in the state of an older version
    if failure is None and _not_yet(scheduled):
        return _held(result, state, articles, scheduled, settings, say)

    urls: dict[str, str] = {}
    problems: list[str] = []
    for article in articles if failure is None else []:
        if article.url is None:
            continue

        page = locate(site_dir, article)
        if page is None:
            problems.append(MSG("not_found", title=article.title, path=article.path))
        else:
            urls[article.path] = absolute(base_url, page)
    result.urls = list(urls.values())
    removed = {
        a.path: absolute(base_url, a.removed_url) for a in articles if a.removed_url and not a.url
    }
    verified: dict[str, Any] = {"live": [], "problems": []}
    if failure is None:
        verified = state.done("verify") or verify_stage(
            articles, urls, settings, state, say, removed, home=base_url + "/"
        )
        problems += verified["problems"]
        if problems:  # a page that is not live (or not built) is a failed publication
            failure = "; ".join(problems)
            problems = []
    shot_state: dict[str, Any] = {"shots": [], "problems": []}
    page_check: dict[str, Any] | None = None
    noticed: dict[str, Any] = {
        "at": None, "recorded": False, "emailed_to": None, "email": None, "problems": []
    }  # fmt: skip
    if failure is None:
        # A withdrawal's screenshot is its notice, at the address that now answers 410.
        notices = {
            a.path: removed[a.path] for a in articles if a.status == "W" and a.path in removed
        }
        retry = retry_command(repo, merge, settings)
        # The changed pages and the home page, as a visitor's browser sees them (issue 15 §5):
        # a violation or a broken link is reported, so the record is not "complete".
        pages = [*urls.values(), base_url + "/"] if urls else []

        def shoot(shared: SharedChromium) -> dict[str, Any]:
            return state.done("screenshots") or screenshot_stage(
                articles, {**urls, **notices}, verified, settings, shots_dir, state, say,
                retry=retry, browsers=shared,
            )  # fmt: skip

        def check(shared: SharedChromium) -> dict[str, Any] | None:
            return state.done("visitor") or visitor_stage(
                pages, site_dir, base_url, settings, state, say, retry=retry, browsers=shared
            )

        if browsers is not None:  # the service's two warm browsers: both stages at once
            shot_state, checked = browsers.both(shoot, check, say)
        else:  # one Chromium for both, one after the other: its start is seconds
            assert own is not None  # ``publish`` gives one when the service gives none
            shot_state = shoot(own)
            checked = check(own)
            own.close()  # not kept while the notice and the record are made
        problems += shot_state["problems"]
        page_check = checked  # its findings are reasons of the record (``build_record``)
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
            replace(a, url=urls.get(a.path) if a.url else None, removed_url=removed.get(a.path))
            for a in articles
        ],
        live=verified["live"],
        screenshots=shots,
        notice_at=datetime.fromisoformat(noticed["at"]) if noticed["at"] else None,
        notice_recorded=noticed["recorded"],
        emailed_to=noticed["emailed_to"],
        email_state=noticed.get("email"),
        problems=problems,
        page_check=page_check,
        failure=failure,
        **_schedule_facts(scheduled, deployed["at"], settings),
        attempts=max(state.attempts, 1),
    )
    recorded = state.done("record") or record_stage(
        repo, forge, change, prep, facts, settings, shots_dir, state, say,
        signer=record_signer(repo) if settings.forge.kind == "local" else None,
    )  # fmt: skip
    result.scheduled_at, result.late_minutes = scheduled, facts.late_minutes
    result.status = recorded["status"]
    result.problems = recorded["reasons"]
    result.record_folder = recorded["folder"]
    result.record_commit = recorded["commit"]
    if failure is not None:
        # A failed run finished nothing after the failure: --resume retries from there.
        state.forget("verify", "visitor", "screenshots", "notice", "record")
    elif result.status != "complete":
        # What reported a problem (screenshots, the e-mail) is done again by --resume; an
        # e-mail already sent is not (the state file keeps its progress).
        state.forget(
            *[name for name, done in (("screenshots", shot_state), ("notice", noticed),
                                      ("visitor", {"problems": findings(page_check or {})}))
              if done.get("problems")],
            "record",
        )  # fmt: skip
    return result


def _will_shoot(
    articles: list[ArticleFact], prep: dict[str, Any], state: State, settings: Settings
) -> bool:
    """Whether this publication will open its pages in Chromium (screenshots, page check):
    an article with an address, screenshots on, not held for later, not both done already."""
    return (
        settings.publish.screenshots
        and any(a.url or a.removed_url for a in articles)
        and not _not_yet(prep.get("scheduled_at"))
        and not (state.done("screenshots") and state.done("visitor"))
    )


def _not_yet(scheduled: str | None) -> TypeGuard[str]:
    """Whether the merge's drafts are held for later (``publish_at`` still ahead)."""
    if not scheduled:  # absent, or in the state of an older version
        return False
    return datetime.fromisoformat(scheduled) > now()


def _beside(browser: SharedChromium | None, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``build`` (its work runs in another process) on a thread while this one starts
    ``browser`` with the clean contexts of the screenshots and the page check, which a fresh
    process would otherwise start after the deploy. None: the build alone. A browser that
    cannot start leaves the stages to say so, as they do when they start it."""
    if browser is None:
        return build()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="build") as pool:
        building = pool.submit(build)
        browser.prepare(prepare_views)
        browser.prepare(prepare_check)
        return building.result()


def _held(
    result: PublishResult,
    state: State,
    articles: list[ArticleFact],
    scheduled: str,
    settings: Settings,
    say: Callable[[str], None],
) -> PublishResult:
    """A merge whose drafts are not yet due: the site without them is live; nothing is
    checked, noticed or recorded until the scheduler publishes it (``due``). The build and
    deploy are forgotten, so that publication builds again with the drafts in."""
    zone = ZoneInfo(settings.site.timezone)
    at = datetime.fromisoformat(scheduled).astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")
    titles = ", ".join(f"'{a.title}'" for a in articles if a.url) or "-"
    message = MSG("held", titles=titles, at=at)
    say(message)
    state.save("scheduled", {"at": scheduled, "release": result.release})
    state.forget("build", "deploy")
    state.note("release_id", None)
    result.status, result.scheduled_at, result.problems = "scheduled", scheduled, [message]
    return result


def _schedule_facts(
    scheduled: str | None, live_at: str | None, settings: Settings
) -> dict[str, Any]:
    """The record's ``jadwal``: the scheduled time and, past the grace of the scheduler's
    round, how many minutes late it went live (a server that was down at that time)."""
    if not scheduled:
        return {}
    due = datetime.fromisoformat(scheduled)
    live = datetime.fromisoformat(live_at) if live_at else now()
    minutes = max(0, int((live - due).total_seconds() // 60))
    late = minutes if minutes > settings.publish.schedule_grace_minutes else 0
    return {"scheduled_at": due, "late_minutes": late}


def _already_published(result: PublishResult, folder: str, record: dict[str, Any]) -> PublishResult:
    """The result of a publication whose complete record is on main already."""
    result.status, result.record_folder = "complete", folder
    result.release = str((record.get("deploy") or {}).get("release"))
    result.urls = [a["url"] for a in record.get("articles") or [] if a.get("url")]
    result.screenshots = [f"{folder}/{s['file']}" for s in record.get("screenshots") or []]
    return result
