"""The publication service (``hooks.publisher``): ``post-receive`` hands the publication to a
process that is already up (its code imported, one Chromium kept warm), and falls back to a new
process, with a line in the log, when the service is down, of another code version or dies.

Everything real: the office's server with its hooks, the warm build process and the publication
service as ``terbit web`` keeps them (isolated interpreters on their Unix sockets), Pelican, the
local deploy target served over HTTP on 127.0.0.1, Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from pipeline.cli.demo.office import Office
from pipeline.forge import open_forge
from pipeline.forge.local.store.forge import main_settings
from pipeline.hooks import publisher
from pipeline.hooks.server import LOG_FILE
from pipeline.publication.state import UNFINISHED, state_root, unfinished
from pipeline.render import warm
from pipeline.vcs import Repo
from tests.support.forge import COUNTER, Kit
from tests.support.published import local_office

pytestmark = [pytest.mark.xdist_group("publication-service"), pytest.mark.slow]

START_S = 60  # bound on a service's start (imports, Chromium) on a loaded machine
USED = "layanan publikasi: menerbitkan"
UNUSED = "layanan publikasi tidak dipakai"


@dataclass
class Env:
    office: Office
    kit: Kit
    folder: Path  # the server's state folder, where the services listen
    starts: Path  # one line per Chromium started (a wrapper around the system one)

    @property
    def repo(self) -> Repo:
        return Repo(self.office.server)

    def log(self) -> str:
        path = self.office.server / LOG_FILE
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def merged(self, **env: str) -> tuple[str, str, str]:
        """A new change, approved and merged with ``env`` in the pushing process; (change id,
        merge, what the server said), the log's new text appended."""
        change = self.kit.submit("rina")
        self.kit.approve_all(change)
        before = len(self.log())
        with pytest.MonkeyPatch.context() as patch:
            for name, value in {"TERBIT_PUBLISH": "sync", **env}.items():
                patch.setenv(name, value)
            from pipeline.forge.local.client import actions as client

            sha, said = client.merge(self.kit.forge("dewi"), self.office.who("dewi"), change)
        return change, sha, said + "\n" + self.log()[before:]

    def record(self, change: str, merge: str) -> dict[str, Any]:
        folder = f"records/{change}-{merge[:12]}"
        text = self.repo.show_file("refs/heads/main", f"{folder}/record.yml")
        assert text, f"no record {folder} on main"
        return yaml.safe_load(text)


def _wait(what: str, ready: Callable[[], bool]) -> None:
    end = time.monotonic() + START_S
    while not ready():
        assert time.monotonic() < end, f"{what} not ready within {START_S} s"
        time.sleep(0.05)


def _up(service: warm.Service, socket: str) -> None:
    service.check()
    _wait(socket, lambda: warm.ready(service.folder, socket))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("kantor")
    system = shutil.which("chromium") or "/usr/bin/chromium"
    starts = root / "chromium-starts"
    wrapper = root / "chromium"
    wrapper.write_text(f'#!/bin/sh\necho $$ >> {starts}\nexec {system} "$@"\n')
    wrapper.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        # The services and the pushes (as the web app and its hooks on one server) use it.
        patch.setenv("TERBIT_BROWSER", "system")
        patch.setenv("TERBIT_CHROMIUM", str(wrapper))
        with local_office(root, "frasa-sandi-layanan-42") as office:
            yield Env(office, Kit(office, counter=next(COUNTER) * 100),
                      warm.folder_of(office.server), starts)  # fmt: skip


@pytest.fixture
def services(env: Env) -> Iterator[tuple[warm.Service, warm.Service]]:
    """The warm build process and the publication service, up, as ``terbit web`` keeps them."""
    build, publishing = warm.Service(env.folder), warm.publisher(env.folder)
    try:
        _up(build, warm.SOCKET)
        _up(publishing, publisher.SOCKET)
        yield build, publishing
    finally:
        publishing.stop()
        build.stop()


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid``, whichever of its threads started it."""
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return [k for kid in kids for k in (kid, *_descendants(kid))]


def _chromiums(pid: int) -> list[int]:
    found = []
    for kid in _descendants(pid):
        try:
            program = Path(f"/proc/{kid}/cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if b"chrom" in Path(program.decode()).name.encode():
            found.append(kid)
    return found


def _send(folder: Path, data: bytes) -> bytes:
    """``data`` to the publication service's socket; what it answers before it closes."""
    import socket

    handle, where = warm.address(folder, publisher.SOCKET)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(where)
            conn.sendall(data)
            return conn.recv(4096)
    finally:
        os.close(handle)


def _evidence(env: Env, change: str, merge: str) -> dict[str, Any]:
    """What a publication leaves, without what differs by nature (times, names, hashes)."""
    record = env.record(change, merge)
    check = record["pemeriksaan_halaman"]
    notices = open_forge(env.office.server, main_settings(env.repo)).notices(change)
    article = record["articles"][0]["url"]
    return {
        "status": record["status"],
        "keys": sorted(record),
        "steps": [(s["number"], s["state"]) for s in record["steps"]],
        "shots": sorted(s["view"] for s in record["screenshots"]),
        "shot_urls": {s["url"] for s in record["screenshots"]} == {article},
        "page_check": (len(check["pages"]), check["violations"], check["broken_links"]),
        "noticed": any(article in n.text for n in notices),
        "live": httpx.get(article, timeout=10).status_code,
    }


@pytest.mark.browser
def test_the_service_publishes_with_a_warm_chromium_as_the_new_process_does(
    env: Env, services: tuple[warm.Service, warm.Service]
) -> None:
    _build, publishing = services
    assert publishing.proc is not None
    _wait("the warm Chromium", lambda: bool(_chromiums(publishing.proc.pid)))  # type: ignore[union-attr]
    first_change, first, said = env.merged()
    assert USED in said and UNUSED not in said, said
    assert f"terbit: perubahan #{first_change}: publikasi lengkap" in said, said  # relayed
    by_service = _evidence(env, first_change, first)
    assert by_service["status"] == "complete" and by_service["shots"] == ["desktop", "mobile"]
    assert by_service["page_check"] == (2, [], []) and by_service["noticed"], by_service
    state = state_root(env.repo) / f"{first}.json"
    assert '"warm": true' in state.read_text(encoding="utf-8")  # built in the warm process

    # Chromium is kept between publications: the second one starts none. The service keeps
    # two, so that the screenshots and the page check run at the same time.
    started = len(env.starts.read_text().split())
    assert started == 2
    change, sha, said = env.merged()
    assert USED in said and UNUSED not in said, said
    assert _evidence(env, change, sha) == by_service
    assert len(env.starts.read_text().split()) == started

    # Chromium killed between two publications: the next one starts both again.
    killed = _chromiums(publishing.proc.pid)  # type: ignore[union-attr]
    assert killed
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            while True:
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.01)
    change, sha, said = env.merged()
    assert USED in said and UNUSED not in said, said
    assert "tidak menjawab" not in said, said  # found dead at once, not at the answer's bound
    assert _evidence(env, change, sha) == by_service
    assert len(env.starts.read_text().split()) == started + 2

    # A request it cannot read is refused with a line in the log, not a trace; the readiness
    # probes (a connection that says nothing) leave nothing.
    assert _send(env.folder, b"bukan json\n") == b""
    _wait("the refusal", lambda: "permintaan tidak terbaca, ditolak" in env.log())
    assert "Traceback" not in env.log(), env.log()

    # The service down: the new process publishes, says why in the log, and leaves the same.
    publishing.stop()
    change, sha, said = env.merged()
    assert "layanan publikasi tidak dipakai" in said and "layanan tidak berjalan" in said, said
    assert USED not in said and f"terbit: perubahan #{change}: publikasi lengkap" in said, said
    assert _evidence(env, change, sha) == by_service


@pytest.mark.browser
def test_a_service_of_another_code_version_is_not_used(env: Env, tmp_path: Path) -> None:
    """A service started from other code (a copy of Terbit with one line more) answers
    ``stale`` and stops; the push publishes in a new process and the log says why."""
    import pipeline

    copy = tmp_path / "other"
    shutil.copytree(Path(pipeline.__file__).parent, copy / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    with (copy / "pipeline" / "hooks" / "publisher.py").open("a") as changed:
        changed.write("\n# another version\n")
    env.folder.mkdir(parents=True, exist_ok=True)
    code = (f"import sys; sys.path.insert(0, {str(copy)!r}); "
            "from pipeline.hooks.publisher import main; main()")  # fmt: skip
    other = subprocess.Popen(
        [sys.executable, "-I", "-c", code], cwd=env.folder, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait("the other version's service", lambda: warm.ready(env.folder, publisher.SOCKET))
        change, sha, said = env.merged()
        assert "layanan publikasi tidak dipakai" in said and "versi kode lain" in said, said
        assert f"terbit: perubahan #{change}: publikasi lengkap" in said, said
        assert env.record(change, sha)["status"] == "complete"
        assert other.wait(30) == 0  # it stopped: its owner starts one of this code
    finally:
        if other.poll() is None:
            os.killpg(other.pid, signal.SIGKILL)
            other.wait()


@pytest.mark.browser
def test_a_service_killed_mid_publication_leaves_the_site_whole_and_the_next_push_resumes(
    env: Env, services: tuple[warm.Service, warm.Service]
) -> None:
    _build, publishing = services
    live = main_settings(env.repo).publish.live_url
    home = httpx.get(f"{live}/", timeout=10)
    assert home.status_code == 200
    # A detached push returns once the service took it; the service (its whole process group:
    # Chromium with it) is killed -9 as soon as the publication has started.
    change, sha, said = env.merged(TERBIT_PUBLISH="background")
    assert UNUSED not in said, said
    state = state_root(env.repo) / f"{sha}.json"
    _wait("the publication's start", lambda: state.exists() and '"prepare"' in state.read_text())
    assert publishing.proc is not None
    os.killpg(publishing.proc.pid, signal.SIGKILL)
    publishing.proc.wait()
    assert sha in unfinished(env.repo), "the publication was not under way"
    assert (state_root(env.repo) / UNFINISHED / sha).exists()
    assert httpx.get(f"{live}/", timeout=10).status_code == 200  # the last release, whole
    assert "records/" + f"{change}-{sha[:12]}" not in env.repo.run(
        "ls-tree", "-d", "--name-only", "refs/heads/main", "records/"
    )

    # Its owner starts it again; the next merge's push resumes the killed one first.
    since = len(env.log())
    _up(publishing, publisher.SOCKET)
    later_change, later, said = env.merged()
    # On failure, what the push said and the whole log since the restart (the pushes before
    # the merge's are in it).
    assert USED in said and UNUSED not in said, (
        f"{said}\n--- log since restart ---\n" + env.log()[since:]
    )
    for done_change, merge in ((change, sha), (later_change, later)):
        record = env.record(done_change, merge)
        assert record["status"] == "complete", record.get("reasons")
        assert len(record["screenshots"]) == 2
        assert httpx.get(record["articles"][0]["url"], timeout=10).status_code == 200
    assert unfinished(env.repo) == []
    names = env.repo.run("ls-tree", "-d", "--name-only", "refs/heads/main", "records/")
    assert names.count(f"{change}-{sha[:12]}") == 1


@pytest.mark.browser
def test_a_waiting_push_whose_service_dies_is_published_by_a_new_process(
    env: Env, services: tuple[warm.Service, warm.Service]
) -> None:
    """``TERBIT_PUBLISH=sync``: the service killed -9 (its process group) once the publication
    has started; the push's hook sees it gone, logs why, and a new process resumes it."""
    import threading

    _build, publishing = services
    assert publishing.proc is not None
    group = publishing.proc.pid
    root = state_root(env.repo)
    before = {p.name for p in root.glob("*.json")}

    def kill_once_started() -> None:
        end = time.monotonic() + START_S * 3
        while time.monotonic() < end:
            started = [p for p in root.glob("*.json") if p.name not in before]
            if started and '"prepare"' in started[0].read_text(encoding="utf-8"):
                os.killpg(group, signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_once_started)
    killer.start()
    change, sha, said = env.merged()
    killer.join()
    publishing.proc.wait()
    assert USED in said, said  # the service took it first
    assert UNUSED in said and "layanan berhenti atau tidak menjawab" in said, said
    assert f"terbit: perubahan #{change}: publikasi lengkap" in said, said
    record = env.record(change, sha)
    assert record["status"] == "complete" and len(record["screenshots"]) == 2
    assert unfinished(env.repo) == []


@pytest.mark.browser
def test_a_chromium_that_stops_answering_is_replaced_and_the_publication_completes(
    env: Env, services: tuple[warm.Service, warm.Service]
) -> None:
    """The service's Chromiums frozen (SIGSTOP: alive, never answering) between two
    publications: the next one finds them wedged within the bound, starts two others and
    completes; before the bound, its push waited until the service's guard killed it."""
    _build, publishing = services
    assert publishing.proc is not None
    first_change, first, said = env.merged()
    assert USED in said and env.record(first_change, first)["status"] == "complete", said
    frozen = _chromiums(publishing.proc.pid)
    assert frozen
    started = len(env.starts.read_text().split())
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    change, sha, said = env.merged()
    assert USED in said and UNUSED not in said, said
    assert said.count("Chromium tidak menjawab dalam") == 2, said  # 10 s, or 60 s in its prepare
    record = env.record(change, sha)
    assert record["status"] == "complete", record.get("reasons")
    assert len(record["screenshots"]) == 2
    assert len(env.starts.read_text().split()) == started + 2
    assert not set(_chromiums(publishing.proc.pid)) & set(frozen)
