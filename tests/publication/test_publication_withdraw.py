"""Withdrawal end to end (issue 15 §2) on one office: the embedded server with its real hooks,
`terbit withdraw` in the Katimker's clone, the head's one signed approval, the admin's merge,
a real Pelican build, the local target served by Terbit's own web server (which answers 410),
real Chromium for the notice's screenshot. The article is proven gone, stays gone after the next
ordinary merge, and the record and the compliance report say it was withdrawn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from pipeline.config.settings import Settings
from pipeline.forge.local.client import actions as client
from pipeline.render.serve import serve_in_background
from pipeline.vcs import Repo
from tests.publication.test_publication_flow import Env, env, merge, open_change
from tests.publication.test_publication_retry_rollback import report_rows

__all__ = ["env"]  # the office fixture of the publication tests, one for this module
pytestmark = [pytest.mark.xdist_group("publication-withdraw"), pytest.mark.slow]

SLUG = "uji-akan-ditarik"
REASON = "Data jadwal dalam artikel ini keliru dan sudah tidak berlaku."


@pytest.fixture(scope="module")
def live(env: Env) -> Iterator[tuple[str, Settings]]:
    """The local target served by `terbit serve`'s handler; settings whose live check asks it."""
    settings = env.settings()
    root = Path(settings.deploy.local.path)
    url, stop = serve_in_background(root)
    publish = settings.publish.model_copy(update={"live_url": f"{url}current"})
    try:
        yield f"{url}current/", settings.model_copy(update={"publish": publish})
    finally:
        stop()


def terbit(env: Env, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A terbit command typed in ``who``'s clone."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=env.office.clone_path(who),
        capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "TERBIT_LANG": "id"},
    )  # fmt: skip


def change_id_of(output: str) -> str:
    return output.split("Perubahan #", 1)[1].split(" ", 1)[0]


@pytest.mark.browser
def test_a_withdrawn_article_is_gone_everywhere_recorded_and_stays_gone(
    env: Env, live: tuple[str, Settings], tmp_path: Path
) -> None:
    base, settings = live
    sha = merge(env, open_change(env, SLUG, "Uji Artikel Yang Akan Ditarik"))
    assert env.publish(sha, settings=settings).status == "complete"
    page = f"{base}artikel/{SLUG}/"
    assert httpx.get(page, timeout=10).status_code == 200
    assert f"artikel/{SLUG}/" in httpx.get(base, timeout=10).text

    # Staff may not open a withdrawal: the server refuses the opening, nothing is opened.
    refused = terbit(env, "rina", "withdraw", SLUG, "--alasan", REASON,
                     "--nomor", "ND-31/LPZI/XII/2026")  # fmt: skip
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "yang boleh mengajukan penarikan" in refused.stderr + refused.stdout
    env.office.forge("rina").repo.run("switch", "--quiet", "--detach")

    opened = terbit(env, "sari", "withdraw", SLUG, "--alasan", REASON,
                    "--nomor", "ND-32/LPZI/XII/2026")  # fmt: skip
    assert opened.returncode == 0, opened.stdout + opened.stderr
    change_id = change_id_of(opened.stdout)
    dewi = env.office.forge("dewi")
    # Without the short path's approval the server refuses the merge; the opener's own
    # approval does not count, nor does an approval by a role the path does not name.
    with pytest.raises(Exception, match="penarikan memerlukan persetujuan"):
        client.merge(dewi, env.office.who("dewi"), change_id)
    client.review(env.office.forge("rina"), env.office.who("rina"), change_id, "approve", "")
    with pytest.raises(Exception, match="penarikan memerlukan persetujuan"):
        client.merge(dewi, env.office.who("dewi"), change_id)
    client.review(env.office.forge("andi"), env.office.who("andi"), change_id, "approve", "Setuju")
    pulled = merge(env, change_id)
    result = env.publish(pulled, settings=settings)
    assert result.status == "complete", result.problems

    # Gone as a visitor sees it: 410 with the notice, and linked from no list.
    gone = httpx.get(page, timeout=10)
    assert gone.status_code == 410
    assert "Artikel ini telah ditarik" in gone.text and REASON in gone.text
    for listing in ("", "arsip/", "kategori/berita/", "feeds/semua.atom.xml", "search.json",
                    "sitemap.xml"):  # fmt: skip
        assert f"artikel/{SLUG}" not in httpx.get(base + listing, timeout=10).text, listing

    # The record: a withdrawal, with its reason, who asked, who approved; 410 proven; the notice
    # screenshot; the review steps skipped, not pending.
    repo = Repo(env.server)
    record = yaml.safe_load(repo.show_file("refs/heads/main", f"{result.record_folder}/record.yml"))
    assert record["status"] == "complete", record["reasons"]
    pen = record["penarikan"]
    assert pen["artikel"][0]["alasan"] == REASON and pen["artikel"][0]["url"] == page
    assert pen["diajukan"]["id"] == "sari" and pen["disetujui"]["id"] == "andi"
    assert [(c["url"], c["status"]) for c in record["live"]] == [(page, 410)]
    assert len(record["screenshots"]) == 2 and all(s["url"] == page for s in record["screenshots"])
    states = {s["number"]: s["state"] for s in record["steps"]}
    assert states[3] == states[4] == states[5] == "skipped"
    assert states[6] == states[7] == states[8] == "done"
    assert env.cli("verify", "--repo", str(env.server)).returncode == 0

    # The next ordinary merge rebuilds the site from main: the article stays withdrawn.
    later = merge(env, open_change(env, "uji-sesudah-penarikan", "Uji Sesudah Penarikan"))
    assert env.publish(later, settings=settings).status == "complete"
    assert httpx.get(page, timeout=10).status_code == 410
    home = httpx.get(base, timeout=10).text
    assert "artikel/uji-sesudah-penarikan/" in home and f"artikel/{SLUG}/" not in home
    withdrawn = json.loads(httpx.get(base + "withdrawn.json", timeout=10).text)
    assert [item["url"] for item in withdrawn] == [f"artikel/{SLUG}/"]

    rows = report_rows(env, tmp_path)
    assert rows["Penarikan artikel"] == "1"
