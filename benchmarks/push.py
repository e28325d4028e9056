"""Pushes to the embedded forge, each with its real server hooks (one Python per hook).

    .venv/bin/python -m benchmarks.push --changes 5
    .venv/bin/python -m benchmarks.push --articles 5000 --merges 5 [--service] [--profile DIR]

A demo office (server repository with hooks, a clone and key per person); each change is a draft
submitted with its nota dinas, three signed reviews and the admin's merge, every one a push the
server's ``pre-receive`` judges (and a merge's ``post-receive`` records; publishing off). Prints
the median wall time of each kind of push and its CPU time (this process and every child: git,
the hooks, ssh-keygen), which a loaded machine changes less: most of it is the hooks' start-up.

With ``--articles N`` only merges are timed (``terbit merge``'s client gate and push, publishing
off), on an office whose seed holds the project's site plus N synthetic articles; the office is
kept in ``benchmarks/.work/push-nN`` and reused by the next run (made once: minutes at 5,000).
Each change is submitted and approved untimed. ``--service`` keeps the publication service up as
``terbit web`` does (the server's checks may then be answered by it); ``--profile DIR`` runs the
hooks under cProfile (one file per hook run) for the first timed merge.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.change.nota_dinas import template
from pipeline.cli.demo.office import create_office
from pipeline.forge.local.client import actions as client

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds of this process and every finished child (git, the hooks, ssh-keygen)."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))  # fmt: skip
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def _timed(times: dict[str, list[float]], kind: str) -> Iterator[None]:
    started, cpu = time.perf_counter(), _cpu()
    yield
    times.setdefault(kind, []).append(time.perf_counter() - started)
    times.setdefault(f"{kind} cpu", []).append(_cpu() - cpu)


def _large_office(n: int) -> Any:
    """The office of ``n`` articles, made once and reused (its clones stay in step with it)."""
    from benchmarks.build import WORK
    from benchmarks.sitegen import write_site
    from pipeline.cli.demo.office import Office, create_office
    from pipeline.config.roles import load_roles
    from pipeline.hooks.install import copy_site

    root = WORK / f"push-n{n}"
    office_root = root / "kantor"
    if (office_root / "server.git").is_dir() and (root / "ready").exists():
        roles = load_roles((ROOT / "roles.yml").read_text(encoding="utf-8"), "roles.yml")
        people = {p.id: p for p in roles.people if p.active}
        return Office(root=office_root, server=office_root / "server.git", people=people)
    shutil.rmtree(root, ignore_errors=True)
    source = root / "source"
    source.mkdir(parents=True)
    copy_site(ROOT, source)
    write_site(source / "content", n)
    began = time.perf_counter()
    office = create_office(office_root, source, seed_message="Isi awal situs")
    (root / "ready").write_text("", encoding="utf-8")
    print(f"  kantor dengan {n} artikel dibuat dalam {time.perf_counter() - began:.0f} s")
    return office


def _cpu_of(pid: int) -> float:
    """CPU seconds of process ``pid``, its finished children and its running children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / ticks
    return total


class _push_timer:
    """``git push`` and the server's hooks, timed apart from the client's own work."""

    def __init__(self, times: dict[str, list[float]]) -> None:
        self.original = client._push
        spent = times.setdefault("  of which git push (hooks)", [])
        spent.append(0.0)

        def timed(*args: Any) -> Any:
            began = time.perf_counter()
            try:
                return self.original(*args)
            finally:
                spent[-1] += time.perf_counter() - began

        client._push = timed  # type: ignore[assignment]

    def restore(self) -> None:
        client._push = self.original  # type: ignore[assignment]


@contextmanager
def _profiled(server: Path, folder: Path | None) -> Iterator[None]:
    """The server's hook scripts run their Python module under cProfile (``folder/<hook>.prof``)
    for the time of the block, then put back."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    scripts = {path: path.read_text() for path in (server / "hooks").glob("p*-receive")}
    for path, text in scripts.items():
        for module in ("pre_receive", "post_receive"):
            out = folder.resolve() / f"{module}.prof"
            text = text.replace(f"-m pipeline.hooks.{module}",
                                f"-m cProfile -o {out} -m pipeline.hooks.{module}")  # fmt: skip
        path.write_text(text)
    try:
        yield
    finally:
        for path, text in scripts.items():
            path.write_text(text)


def merges(n: int, count: int, *, service: bool, profile: Path | None) -> None:
    """``count`` merges timed on the office of ``n`` articles (``terbit merge``, publishing off)."""
    from pipeline.publication.stages import warm_folder
    from pipeline.render import warm
    from pipeline.vcs import Repo
    from tests.support.forge import Kit

    office = _large_office(n)
    counter = office.root.parent / "counter"  # the next run's changes get new names
    kit = Kit(office, counter=int(counter.read_text()) if counter.exists() else 0)
    kept = warm.publisher(warm_folder(Repo(office.server)))
    if service:
        kept.check()
        end = time.monotonic() + 120
        while not warm.ready(kept.folder, warm.PUBLISHER_SOCKET):
            if time.monotonic() > end:
                raise SystemExit("the publication service did not start")
            time.sleep(0.1)
    times: dict[str, list[float]] = {}
    try:
        for index in range(count):
            change = kit.submit("rina")
            kit.approve_all(change)
            counter.write_text(str(kit.counter))
            forge = office.forge("dewi")
            pushed = _push_timer(times)
            service_cpu = _cpu_of(kept.proc.pid) if kept.proc else 0.0
            with _profiled(office.server, profile if index == 0 else None), _timed(times, "merge"):
                client.merge(forge, office.who("dewi"), change, sync_after=False)  # as the CLI
            pushed.restore()
            if kept.proc:  # the check server's work (the service's forks), not this process's
                times["merge cpu"][-1] += _cpu_of(kept.proc.pid) - service_cpu
            print(f"  merge #{index + 1}: {times['merge'][-1]:.2f} s "
                  f"(CPU {times['merge cpu'][-1]:.2f} s, load {os.getloadavg()[0]:.1f})",
                  flush=True)  # fmt: skip
    finally:
        kept.stop()
    _print(times)


def _print(times: dict[str, list[float]]) -> None:
    for kind, values in times.items():
        middle, low, high = statistics.median(values), min(values), max(values)
        print(f"{kind:11} median {middle:.2f} s  min {low:.2f}  max {high:.2f}  ({len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--articles", type=int, default=0, help="time merges at N articles")
    parser.add_argument("--merges", type=int, default=5)
    parser.add_argument("--service", action="store_true", help="keep the publication service up")
    parser.add_argument("--profile", type=Path, help="cProfile the first merge's hooks into DIR")
    args = parser.parse_args()
    changes = args.changes
    for name, value in {"TERBIT_PUBLISH": "off", "TERBIT_NOTIFY": "off",
                        "TERBIT_PAGE_CHECK": "off"}.items():  # fmt: skip
        os.environ[name] = value
    if args.articles:
        merges(args.articles, args.merges, service=args.service, profile=args.profile)
        return
    with tempfile.TemporaryDirectory(prefix="terbit-bench-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in ("sop.yml", "roles.yml"):
            (source / name).write_text((ROOT / name).read_text(encoding="utf-8"), "utf-8")
        (source / "terbit.yml").write_text("forge:\n  kind: local\n", encoding="utf-8")
        office = create_office(Path(tmp) / "office", source, seed_message="Isi awal")
        times: dict[str, list[float]] = {}
        for n in range(changes):
            forge = office.forge("rina")
            forge.sync()
            forge.repo.switch_new_branch(f"draft/uji-{n}", forge.base_tip())
            article = office.clone_path("rina") / "content" / "articles" / f"uji-{n}.md"
            article.parent.mkdir(parents=True, exist_ok=True)
            article.write_text(
                f"---\ntitle: Uji {n}\ndate: 2026-11-20\ncategory: Berita\nsummary: Uji.\n"
                f"author: rina\n---\nIsi {n}.\n",
                encoding="utf-8",
            )
            forge.repo.run("add", "--all")
            forge.repo.run("commit", "--quiet", "-m", f"Draf uji {n}")
            nota = template(nomor=f"ND-{n + 1}/LPZI/XI/2026", dari="Tim", hal="Uji",
                            tanggal=date(2026, 11, 28))  # fmt: skip
            with _timed(times, "submit"):
                change_id, _ = client.submit(forge, office.who("rina"), nota_text=nota)
            for who in ("sari", "andi", "sari"):
                reviewer = office.forge(who)
                with _timed(times, "review"):
                    client.review(reviewer, office.who(who), change_id, "approve", "")
            admin = office.forge("dewi")
            with _timed(times, "merge"):
                client.merge(admin, office.who("dewi"), change_id)
        _print(times)


if __name__ == "__main__":
    main()
