"""A thin layer over githubkit: the dozen REST calls Terbit makes, with bounded retries.

Payloads come back as plain JSON (dicts and lists): the mapping to Terbit's own objects lives
in ``mapping.py``, and reading raw JSON keeps older GitHub Enterprise servers (whose payloads
lack newer fields) working. githubkit builds the requests, follows ``Link`` pagination and
decides when a 403/429 is a rate limit; we bound how long it may wait and turn failures into
clean Indonesian errors naming the repository.
"""

from __future__ import annotations

import base64
import os
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any

from githubkit import GitHub
from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed
from githubkit.retry import RetryOption

from pipeline.errors import ConfigError
from pipeline.i18n import Catalog

DEFAULT_API_URL = "https://api.github.com"
REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")

MSG = Catalog(
    {
        "bad_repo": (
            "nama repositori '{repo}' tidak sah; gunakan bentuk PEMILIK/NAMA",
            "repository name '{repo}' is not valid; use OWNER/NAME",
        ),
        "not_found": (
            "GitHub: {what} tidak ditemukan di {repo} (404). Periksa nama repositori, nomor PR "
            "dan izin token.",
            "GitHub: {what} not found in {repo} (404). Check the repository name, the PR number "
            "and the token's permissions.",
        ),
        "unauthorized": (
            "GitHub menolak token (401) untuk {repo}: token tidak ada, salah, atau kedaluwarsa. "
            "Atur GITHUB_TOKEN.",
            "GitHub refused the token (401) for {repo}: missing, wrong or expired. Set "
            "GITHUB_TOKEN.",
        ),
        "forbidden": (
            "GitHub menolak permintaan ({status}) untuk {what} di {repo}: {detail}. Periksa izin "
            "token (permissions di alur kerja, atau cakupan token admin).",
            "GitHub refused the request ({status}) for {what} in {repo}: {detail}. Check the "
            "token's permissions (workflow permissions, or the admin token's scopes).",
        ),
        "rate_limited": (
            "batas permintaan API GitHub habis untuk {repo}; dicoba lagi {tries} kali. Coba lagi "
            "setelah {wait:.0f} detik.",
            "the GitHub API rate limit is exhausted for {repo}; retried {tries} times. Try again "
            "in {wait:.0f} seconds.",
        ),
        "server": (
            "server GitHub gagal ({status}) untuk {what} di {repo} setelah {tries} percobaan",
            "the GitHub server failed ({status}) for {what} in {repo} after {tries} attempts",
        ),
        "unreachable": (
            "tidak dapat menghubungi API GitHub di {url}: {error}",
            "cannot reach the GitHub API at {url}: {error}",
        ),
        "not_file": (
            "{path} pada {ref} bukan berkas di {repo}",
            "{path} at {ref} is not a file in {repo}",
        ),
    }
)


class NotFound(ConfigError):
    """A 404: the repository, PR or file does not exist (or the token may not see it)."""


def split_repo(repo: str) -> tuple[str, str]:
    if not REPO_RE.match(repo or ""):
        raise ConfigError(MSG("bad_repo", repo=repo))
    owner, name = repo.split("/", 1)
    return owner, name


class BoundedRetry:
    """githubkit retry decision: wait for the rate-limit reset when it is near, back off on 5xx.

    A reset further away than ``max_wait_s`` is not waited for: the command fails at once with
    the time to wait, rather than hanging a CI job for an hour.
    """

    def __init__(
        self, *, rate_limit_tries: int, server_tries: int, backoff_s: float, max_wait_s: float
    ) -> None:
        self.rate_limit_tries = rate_limit_tries
        self.server_tries = server_tries
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self.waited: list[float] = []  # seconds slept before each retry (diagnostics, tests)

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        if isinstance(exc, RateLimitExceeded):
            wait = exc.retry_after.total_seconds()
            if retry_count < self.rate_limit_tries and wait <= self.max_wait_s:
                # The reset header has one-second resolution: wait a little past it.
                return self._retry(wait + 0.25)
            return RetryOption(False)
        server = isinstance(exc, RequestFailed) and exc.response.status_code >= 500
        if server and retry_count < self.server_tries:
            return self._retry(self.backoff_s * (2**retry_count))
        return RetryOption(False)

    def _retry(self, seconds: float) -> RetryOption:
        self.waited.append(seconds)
        return RetryOption(True, timedelta(seconds=seconds))


class GitHubClient:
    """The repository ``owner/name`` on GitHub (or a GitHub-compatible server at ``base_url``)."""

    def __init__(
        self,
        repo: str,
        *,
        token: str | None = None,
        base_url: str | None = None,
        backoff_s: float = 1.0,
        max_wait_s: float = 90.0,
        server_tries: int = 3,
        timeout_s: float = 30.0,
    ) -> None:
        self.repo = repo
        self.owner, self.name = split_repo(repo)
        self.base_url = (base_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip(
            "/"
        )
        self.retry = BoundedRetry(
            rate_limit_tries=2,
            server_tries=server_tries,
            backoff_s=backoff_s,
            max_wait_s=max_wait_s,
        )
        token = token if token is not None else github_token()
        self._gh: GitHub[Any] = GitHub(
            token or None,
            base_url=self.base_url,
            auto_retry=self.retry,
            http_cache=False,
            timeout=timeout_s,
            user_agent="terbit",
        )
        # One HTTP client (connection pool, TLS context) for all calls of this object, instead of
        # githubkit's default of a new client per request (~90 ms each).
        self._gh.__enter__()  # type: ignore[no-untyped-call]
        weakref.finalize(self, _close_quietly, self._gh)

    # -- error translation ------------------------------------------------------------------

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except RateLimitExceeded as error:
            wait = error.retry_after.total_seconds()
            raise ConfigError(
                MSG("rate_limited", repo=self.repo, tries=len(self.retry.waited), wait=wait)
            ) from None
        except RequestFailed as error:
            status = error.response.status_code
            if status == 404:
                raise NotFound(MSG("not_found", what=what, repo=self.repo)) from None
            if status == 401:
                raise ConfigError(MSG("unauthorized", repo=self.repo)) from None
            if status >= 500:
                raise ConfigError(
                    MSG(
                        "server",
                        status=status,
                        what=what,
                        repo=self.repo,
                        tries=self.retry.server_tries + 1,
                    )
                ) from None
            detail = _message(error)
            raise ConfigError(
                MSG("forbidden", status=status, what=what, repo=self.repo, detail=detail)
            ) from None
        except RequestError as error:
            raise ConfigError(MSG("unreachable", url=self.base_url, error=error.exc)) from None

    def _all(self, what: str, request: Callable[..., Any], **kwargs: Any) -> list[dict[str, Any]]:
        """Every item of a paginated list (githubkit follows the ``Link: rel="next"`` header)."""
        with self._errors(what):
            pages = self._gh.rest.paginate(
                request, map_func=lambda response: response.json(), per_page=100, **kwargs
            )
            return list(pages)

    def _one(
        self, what: str, request: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> dict[str, Any]:
        with self._errors(what):
            found: dict[str, Any] = request(self.owner, self.name, *args, **kwargs).json()
        return found

    # -- pull requests ----------------------------------------------------------------------

    def pull(self, number: int) -> dict[str, Any]:
        return self._one(f"PR #{number}", self._gh.rest.pulls.get, number)

    def pulls(self, state: str = "open") -> list[dict[str, Any]]:
        return self._all(
            "pull requests", self._gh.rest.pulls.list, owner=self.owner, repo=self.name, state=state
        )

    def pull_commits(self, number: int) -> list[dict[str, Any]]:
        return self._all(
            f"commit PR #{number}",
            self._gh.rest.pulls.list_commits,
            owner=self.owner,
            repo=self.name,
            pull_number=number,
        )

    def pull_reviews(self, number: int) -> list[dict[str, Any]]:
        return self._all(
            f"ulasan PR #{number}",
            self._gh.rest.pulls.list_reviews,
            owner=self.owner,
            repo=self.name,
            pull_number=number,
        )

    def pull_files(self, number: int) -> list[dict[str, Any]]:
        return self._all(
            f"berkas PR #{number}",
            self._gh.rest.pulls.list_files,
            owner=self.owner,
            repo=self.name,
            pull_number=number,
        )

    def timeline(self, number: int) -> list[dict[str, Any]]:
        return self._all(
            f"linimasa PR #{number}",
            self._gh.rest.issues.list_events_for_timeline,
            owner=self.owner,
            repo=self.name,
            issue_number=number,
        )

    def pulls_for_commit(self, sha: str) -> list[dict[str, Any]]:
        return self._all(
            f"PR untuk commit {sha[:12]}",
            self._gh.rest.repos.list_pull_requests_associated_with_commit,
            owner=self.owner,
            repo=self.name,
            commit_sha=sha,
        )

    # -- comments and statuses --------------------------------------------------------------

    def comments(self, number: int) -> list[dict[str, Any]]:
        return self._all(
            f"komentar PR #{number}",
            self._gh.rest.issues.list_comments,
            owner=self.owner,
            repo=self.name,
            issue_number=number,
        )

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        return self._one(
            f"komentar PR #{number}",
            self._gh.rest.issues.create_comment,
            number,
            data={"body": body},
        )

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        return self._one(
            f"komentar {comment_id}",
            self._gh.rest.issues.update_comment,
            comment_id,
            data={"body": body},
        )

    def upsert_comment(self, number: int, marker: str, body: str) -> dict[str, Any]:
        """Keep ONE comment per ``marker`` up to date instead of adding one per push."""
        text = f"{body.rstrip()}\n\n{marker}\n"
        for comment in self.comments(number):
            if marker in (comment.get("body") or ""):
                return self.update_comment(int(comment["id"]), text)
        return self.create_comment(number, text)

    def create_status(
        self, sha: str, *, state: str, context: str, description: str, target_url: str | None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "state": state,
            "context": context,
            # GitHub refuses descriptions over 140 characters.
            "description": description if len(description) <= 140 else description[:139] + "…",
        }
        if target_url:
            data["target_url"] = target_url
        return self._one(
            f"status commit {sha[:12]}", self._gh.rest.repos.create_commit_status, sha, data=data
        )

    # -- labels (the mark of a merged PR that still owes its deferred review) ----------------

    def issue_labels(self, number: int) -> list[str]:
        items = self._all(
            f"label PR #{number}",
            self._gh.rest.issues.list_labels_on_issue,
            owner=self.owner,
            repo=self.name,
            issue_number=number,
        )
        return [str(item.get("name")) for item in items]

    def add_label(self, number: int, name: str, *, color: str, description: str) -> None:
        """Put label ``name`` on PR ``number``, creating it in the repository first with its
        colour and description (GitHub answers 422 when it exists already)."""
        with self._errors(f"label {name}"):
            try:
                self._gh.rest.issues.create_label(
                    self.owner, self.name, data={"name": name, "color": color,
                                                 "description": description[:100]},
                )  # fmt: skip
            except RequestFailed as error:
                if error.response.status_code != 422:
                    raise
            self._gh.rest.issues.add_labels(self.owner, self.name, number, data={"labels": [name]})

    def remove_label(self, number: int, name: str) -> None:
        """Take label ``name`` off PR ``number``; one already gone (404) is no error."""
        with self._errors(f"label {name} PR #{number}"):
            try:
                self._gh.rest.issues.remove_label(self.owner, self.name, number, name)
            except RequestFailed as error:
                if error.response.status_code != 404:
                    raise

    # -- contents and rulesets --------------------------------------------------------------

    def file_text(self, ref: str, path: str) -> str | None:
        """The file's text at ``ref``, or None when it does not exist there."""
        with self._errors(f"{path}@{ref}"):
            try:
                response = self._gh.rest.repos.get_content(self.owner, self.name, path, ref=ref)
            except RequestFailed as error:
                if error.response.status_code == 404:
                    return None
                raise
            payload = response.json()
        if not isinstance(payload, dict) or payload.get("type") != "file":
            raise ConfigError(MSG("not_file", path=path, ref=ref, repo=self.repo))
        return base64.b64decode(str(payload.get("content") or "")).decode("utf-8")

    def rulesets(self) -> list[dict[str, Any]]:
        return self._all(
            "ruleset", self._gh.rest.repos.get_repo_rulesets, owner=self.owner, repo=self.name
        )

    def save_ruleset(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create the ruleset or update the one of the same name: ``("created"|"updated", r)``."""
        for existing in self.rulesets():
            if existing.get("name") == body["name"]:
                saved = self._one(
                    "ruleset",
                    self._gh.rest.repos.update_repo_ruleset,
                    int(existing["id"]),
                    data=body,
                )
                return "updated", saved
        return "created", self._one("ruleset", self._gh.rest.repos.create_repo_ruleset, data=body)


def _close_quietly(gh: GitHub[Any]) -> None:
    # Finalised perhaps in another context than the one that opened it: nothing to close then.
    with suppress(LookupError, RuntimeError):
        gh.__exit__()


def github_token() -> str | None:
    return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or None


def _message(error: RequestFailed) -> str:
    try:
        payload = error.response.json()
    except Exception:
        return error.response.raw_response.reason_phrase
    if isinstance(payload, dict) and payload.get("message"):
        return str(payload["message"])
    return error.response.raw_response.reason_phrase
