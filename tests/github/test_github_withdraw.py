"""Withdrawal on GitHub end to end (issue 15 §2): the short path of sop.yml judged by the SOP
gate's workflow step, the publish workflow's steps (gate re-judged for the merge, then
``publish MERGE``) with the real Pelican build, the GitHub Pages target and real Chromium, the
record committed to GitHub's main; the article stays withdrawn through the next merge.

GitHub Pages gives every file it serves the status 200 and has no per-address status: the
withdrawn address shows the notice page (with ``noindex``), and the record states the status
that answered, never a 410 Pages did not send."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from pipeline.draft.withdrawals import Withdrawal, appended
from tests.support.github_site import GitHubSite, github_site, nota

SLUG = "uji-akan-ditarik"
REASON = "Data jadwal dalam artikel ini keliru dan sudah tidak berlaku."
LISTS = ("", "arsip/", "kategori/berita/", "feeds/semua.atom.xml", "search.json", "sitemap.xml")
FULL_REVIEW = [("sari-lubis", "APPROVED"), ("andi-harahap", "APPROVED"), ("sari-lubis", "APPROVED")]


def article(title: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-11-20 08:00\ncategory: Berita\n"
        f"summary: Ringkasan {title}.\nauthor: rina\n---\nIsi berita {title}.\n"
    )


def withdrawal_files(site: GitHubSite) -> dict[str, str]:
    listed = site.repo / "content" / "withdrawn.yml"
    before = listed.read_text(encoding="utf-8") if listed.is_file() else ""
    entry = Withdrawal(slug=SLUG, alasan=REASON, tanggal=date(2026, 12, 1), oleh="sari")
    return {"content/withdrawn.yml": appended(before, entry)}


@pytest.fixture
def site(github_api, tmp_path) -> Iterator[GitHubSite]:
    with github_site(tmp_path, github_api) as made:
        yield made


@pytest.mark.slow
@pytest.mark.browser
def test_a_withdrawal_on_github_is_judged_published_recorded_and_survives_the_next_merge(site):
    _n, first = site.pull_request(
        "rina-siregar",
        {f"content/articles/{SLUG}.md": article("Uji Artikel Yang Akan Ditarik")},
        title="Artikel uji",
        nota=nota(40, "Publikasi"),
        reviews=FULL_REVIEW,
    )
    assert first is not None
    assert site.published(first)["status"] == "complete"
    page = f"{site.url}/artikel/{SLUG}/"
    assert httpx.get(page, timeout=10).status_code == 200

    # The SOP gate's workflow step judges the withdrawal PR by sop.yml's short path: opened by
    # staff it is refused; the opener's own approval, or staff's, does not count.
    files = withdrawal_files(site)
    for number, (opener, name, approver, why) in enumerate(
        [
            ("rina-siregar", "Rina", "andi-harahap", "penarikan hanya boleh diajukan oleh"),
            ("sari-lubis", "Sari Lubis", "rina-siregar", "penarikan memerlukan persetujuan"),
        ],
        start=41,
    ):
        opened, _ = site.pull_request(opener, files, title="Penarikan", merge=False,
                                      nota=nota(number, "Penarikan", name),
                                      reviews=[(approver, "APPROVED")])  # fmt: skip
        judged = site.terbit("github", "gate", "--pr", str(opened))
        assert judged.returncode == 1 and why in judged.stdout, judged.stdout
    number, pulled = site.pull_request(
        "sari-lubis",
        files,
        title="Penarikan",
        nota=nota(43, "Penarikan", "Sari Lubis"),
        reviews=[("andi-harahap", "APPROVED")],
    )
    judged = site.terbit("github", "gate", "--pr", str(number))
    assert judged.returncode == 0, judged.stdout
    assert pulled is not None
    record = site.published(pulled)

    # Gone as a visitor sees it on Pages: the notice at the address, no list names it.
    gone = httpx.get(page, timeout=10)
    assert "Artikel ini telah ditarik" in gone.text and REASON in gone.text
    assert '<meta name="robots" content="noindex">' in gone.text
    for listing in LISTS:
        assert f"artikel/{SLUG}" not in httpx.get(f"{site.url}/{listing}", timeout=10).text, listing

    # The record on GitHub's main: the withdrawal, who opened and who approved it, the status
    # Pages answered (what happened), the notice's screenshots; the review steps skipped.
    assert record["status"] == "complete", record["reasons"]
    pen = record["penarikan"]
    assert pen["artikel"][0]["alasan"] == REASON and pen["artikel"][0]["url"] == page
    assert pen["diajukan"]["id"] == "sari" and pen["disetujui"]["id"] == "andi"
    assert [(c["url"], c["status"]) for c in record["live"]] == [(page, gone.status_code)]
    assert len(record["screenshots"]) == 2 and all(s["url"] == page for s in record["screenshots"])
    states = {s["number"]: s["state"] for s in record["steps"]}
    assert states[3] == states[4] == states[5] == "skipped"
    assert states[6] == states[7] == states[8] == "done"
    told = site.comments[number][0]["body"]  # step 7: the comment on the merged PR
    assert "sudah tidak tayang" in told and "uji-akan-ditarik-desktop" in told
    site.checkout()
    assert site.terbit("verify").returncode == 0

    # The next ordinary merge publishes main again: the article stays withdrawn.
    _n, later = site.pull_request(
        "rina-siregar",
        {"content/articles/uji-sesudah.md": article("Uji Sesudah Penarikan")},
        title="Artikel berikutnya",
        nota=nota(44, "Publikasi"),
        reviews=FULL_REVIEW,
    )
    assert later is not None
    assert site.published(later)["status"] == "complete"
    home = httpx.get(f"{site.url}/", timeout=10).text
    assert "artikel/uji-sesudah/" in home and f"artikel/{SLUG}/" not in home
    assert "Artikel ini telah ditarik" in httpx.get(page, timeout=10).text


@pytest.mark.slow
def test_terbit_withdraw_on_github_pushes_the_branch_and_gives_the_pull_request_to_open(site):
    """``terbit withdraw`` in a person's clone of an office on GitHub: the same entry as on the
    embedded forge (the reason, who asked, the date), on its own branch pushed to GitHub, and
    the address of the pull request to open with the nota dinas already filled in."""
    clone = site.repo.parent / "klon-sari"
    subprocess.run(["git", "clone", "--quiet", str(site.origin), str(clone)], check=True)
    for key, value in (("user.name", "Sari Lubis"), ("user.email", "sari.lubis@bbkkmedan.go.id")):
        subprocess.run(["git", "config", key, value], cwd=clone, check=True)
    site.repo = clone  # commands typed in Sari's clone
    slug = "pencanangan-zona-integritas"
    done = site.terbit("withdraw", slug, "--alasan", REASON, "--nomor", "ND-45/LPZI/XII/2026")
    assert done.returncode == 0, done.stdout + done.stderr
    branch = f"tarik/{slug}"
    listed = site.origin_git("show", f"{branch}:content/withdrawn.yml")
    (entry,) = yaml.safe_load(listed)["ditarik"]
    assert (entry["slug"], entry["alasan"], entry["oleh"]) == (slug, REASON, "sari")
    changed = site.origin_git("diff", "--name-only", "main", branch).split()
    assert changed == ["content/withdrawn.yml"]  # the short path's only file
    (url,) = [w for w in done.stdout.split() if w.startswith("https://github.com/")]
    parts = urlsplit(url)
    assert parts.path == f"/bbkk-medan/situs-web/compare/main...{branch}"
    query = parse_qs(parts.query)
    assert query["quick_pull"] == ["1"]
    assert "ND-45/LPZI/XII/2026" in query["body"][0] and REASON in query["body"][0]
    assert slug in query["title"][0]
    # What the required draft-check job runs on that pull request: the list passes.
    base, head = (site.origin_git("rev-parse", ref) for ref in ("main", branch))
    checked = site.terbit("check", "--change", base, head)
    assert checked.returncode == 0, checked.stdout + checked.stderr
