"""The build reads and copies only regular files inside content/ (issue 10, section 2).

Every case drives the real ``terbit build`` (the command the GitHub publish workflow runs) on a
real site and checks what a visitor would get: nothing from outside ``content/`` in the output,
and a located message in Indonesian with a non-zero exit instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TERBIT = Path(sys.executable).with_name("terbit")  # the console script, as the workflow runs it
SECRET = "RAHASIA-KANTOR-7f3a"
# The same command with the fast path's version check forced to "unsupported": stock Pelican's
# generators and writer build, and must be confined the same way.
STOCK = f"""#!{sys.executable}
import sys
from pipeline.render import fastpath
fastpath.SUPPORTED["pelican"] = ("0.0.",)
from pipeline.cli import main
sys.exit(main())
"""


@pytest.fixture(autouse=True, params=["fast", "stock"])
def _build_path(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if request.param == "stock":
        script = tmp_path / "terbit-stock"
        script.write_text(STOCK, encoding="utf-8")
        script.chmod(0o755)
        request.getfixturevalue("monkeypatch").setattr(sys.modules[__name__], "TERBIT", script)


def terbit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBIT_LANG": "id"}
    return subprocess.run(
        [str(TERBIT), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def article(site: Path, name: str, body: str, folder: str = "articles") -> Path:
    path = site / "content" / folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: Uji {name}\ndate: 2026-11-27 08:00\ncategory: Berita\n"
        f"summary: Ringkasan uji.\nauthor: rina\n---\nParagraf pertama.\n\n{body}\n",
        encoding="utf-8",
    )
    return path


def leaked(folder: Path) -> list[str]:
    """Files of the built site that hold the secret."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and SECRET.encode() in path.read_bytes():
            found.append(str(path.relative_to(folder)))
    return found


@pytest.fixture
def secret_site(site: Path) -> Path:
    """A site whose repository holds a secret outside content/ (like .git/config or roles.yml)."""
    (site / "rahasia.txt").write_text(f"password = {SECRET}\n", encoding="utf-8")
    return site


def assert_refused(done: subprocess.CompletedProcess[str], where: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert where in done.stderr, done.stderr


@pytest.mark.parametrize(
    "link",
    [
        "{attach}../../rahasia.txt",
        "{static}../../rahasia.txt",
        "{static}/../rahasia.txt",
        "{attach}/../rahasia.txt",
        "{static}../../../../../../../../../../../../..{site}/rahasia.txt",
    ],
)
def test_links_that_climb_out_of_content_are_refused(secret_site: Path, link: str) -> None:
    link = link.replace("{site}", str(secret_site))
    article(secret_site, "lampiran-nakal", f"Unduh [berkas]({link}).")
    done = terbit(secret_site, "build")
    assert_refused(done, "content/articles/lampiran-nakal.md:10:")
    assert "di luar content/" in done.stderr
    assert leaked(secret_site / "output") == []


def test_absolute_paths_never_read_the_servers_files(site: Path) -> None:
    article(site, "passwd", "Lihat [ini]({static}/etc/passwd) dan [itu]({attach}/etc/hostname).")
    done = terbit(site, "build")
    assert_refused(done, "content/articles/passwd.md:10:")
    assert not (site / "output" / "etc").exists()
    assert not any(p.name in ("passwd", "hostname") for p in (site / "output").rglob("*"))


def test_a_symlinked_image_to_the_roles_file_is_refused(secret_site: Path) -> None:
    (secret_site / "content" / "images" / "peran.png").symlink_to(secret_site / "rahasia.txt")
    done = terbit(secret_site, "build")
    assert_refused(done, "content/images/peran.png:")
    assert "tautan simbolik" in done.stderr
    assert leaked(secret_site / "output") == []


def test_a_symlinked_draft_is_refused(secret_site: Path) -> None:
    (secret_site / "content" / "articles" / "bocor.md").symlink_to("../../rahasia.txt")
    done = terbit(secret_site, "build")
    assert_refused(done, "content/articles/bocor.md:")
    assert leaked(secret_site / "output") == []


def test_a_symlink_to_a_folder_is_not_followed(secret_site: Path) -> None:
    (secret_site / "content" / "images" / "semua").symlink_to(secret_site, target_is_directory=True)
    article(secret_site, "galeri", "![peta]({static}/images/semua/rahasia.txt)")
    done = terbit(secret_site, "build")
    assert_refused(done, "content/images/semua:")
    assert leaked(secret_site / "output") == []
    assert not (secret_site / "output" / "images" / "semua").exists()


def test_a_folder_loop_ends_with_a_located_error(site: Path) -> None:
    (site / "content" / "articles" / "putaran").symlink_to(".", target_is_directory=True)
    done = terbit(site, "build")  # the harness bounds it; a hang fails the test by its timeout
    assert_refused(done, "content/articles/putaran:")


@pytest.mark.parametrize("name", ["skrip.html", "index.html"])
def test_attached_files_are_limited_to_images(site: Path, name: str) -> None:
    (site / "content" / "articles" / name).write_text(
        "<script>alert(document.cookie)</script>", encoding="utf-8"
    )
    article(site, "berkas-html", f"Lihat [berkas]({{attach}}{name}).")
    done = terbit(site, "build")
    assert_refused(done, "content/articles/berkas-html.md:10:")
    assert "jenis berkas" in done.stderr
    out = site / "output"
    assert not any("alert(document.cookie)" in p.read_text("utf-8", "replace") for p in
                   out.rglob("*.html"))  # fmt: skip


def test_an_allowed_image_is_still_attached(site: Path) -> None:
    image = next((site / "content" / "images").glob("*.png"))
    article(site, "dengan-gambar", f"![foto]({{static}}/images/{image.name})")
    done = terbit(site, "build")
    assert done.returncode == 0, done.stderr
    assert (site / "output" / "images" / image.name).is_file()


def test_file_names_with_control_characters_or_bad_bytes_are_located(site: Path) -> None:
    folder = site / "content" / "articles"
    article(site, "biasa", "Isi.")
    (folder / "biasa.md").rename(folder / "baris\nbaru.md")
    article(site, "lain", "Isi.")
    os.rename(folder / "lain.md", os.fsencode(folder) + b"/b\xffd.md")
    done = terbit(site, "build")
    assert_refused(done, "content/articles: ")
    # Shown as the draft checks and the server show them: one rule, one spelling.
    assert "baris\\x0abaru.md" in done.stderr and "b\\xffd.md" in done.stderr


def test_a_file_name_the_draft_checks_refuse_is_refused_by_the_build_too(site: Path) -> None:
    """U+0085 (NEXT LINE) is a control character to the draft checks and the server: the build
    must not publish what they refuse."""
    folder = site / "content" / "articles"
    article(site, "biasa", "Isi.")
    (folder / "biasa.md").rename(folder / "baris\x85baru.md")
    done = terbit(site, "build")
    assert_refused(done, "content/articles: ")
    assert "baris\\x85baru.md" in done.stderr


@pytest.mark.parametrize(
    ("folder", "front", "where"),
    [
        ("pages", "slug: arsip", "content/pages/tabrakan.md:"),  # the archive's address
        ("articles", "slug: kembar", "content/articles/"),  # two drafts, one address
    ],
)
def test_an_address_taken_twice_is_a_located_error(
    site: Path, folder: str, front: str, where: str
) -> None:
    for name in ("tabrakan", "tabrakan-dua") if folder == "articles" else ("tabrakan",):
        path = site / "content" / folder / f"{name}.md"
        path.write_text(
            f"---\ntitle: Tabrakan {name}\ndate: 2026-11-27 08:00\ncategory: Berita\n"
            f"summary: S.\nauthor: rina\n{front}\n---\nIsi {name}.\n",
            encoding="utf-8",
        )
    done = terbit(site, "build")
    assert_refused(done, where)
    assert "sudah dipakai" in done.stderr
    assert "spare" not in done.stderr and "cache" not in done.stderr  # no internal paths
    assert not (site / "output").exists()


def test_a_content_folder_that_is_a_symlink_is_refused(secret_site: Path) -> None:
    real = secret_site / "isi-asli"
    (secret_site / "content").rename(real)
    (secret_site / "content").symlink_to(secret_site, target_is_directory=True)
    done = terbit(secret_site, "build")
    assert_refused(done, "content: ")
    assert "tautan simbolik" in done.stderr
    assert not (secret_site / "output").exists() or leaked(secret_site / "output") == []


def test_an_exported_link_is_a_missing_file_located(secret_site: Path, tmp_path: Path) -> None:
    """The publication builds an export of the merge, which never writes links: an image that
    was a link is simply absent, and the draft that uses it gets a located message."""
    from pipeline.vcs import Repo

    (secret_site / "content" / "images").mkdir(parents=True, exist_ok=True)
    (secret_site / "content" / "images" / "foto.png").symlink_to("../../rahasia.txt")
    article(secret_site, "foto", "![Foto]({static}/images/foto.png)")
    for args in (("init", "--quiet"), ("add", "--all")):
        subprocess.run(["git", *args], cwd=secret_site, check=True)
    subprocess.run(
        ["git", "-c", "user.name=Uji", "-c", "user.email=uji@example.test", "commit",
         "--quiet", "-m", "Foto"], cwd=secret_site, check=True,
    )  # fmt: skip
    export = tmp_path / "ekspor"
    Repo(secret_site).export_tree("HEAD", export)
    done = terbit(export, "build")
    assert_refused(done, "content/articles/foto.md:")
    assert "foto.md:10: berkas yang ditautkan tidak ada di content/: images/foto.png" in done.stderr
    assert leaked(export / "output") == []


@pytest.mark.parametrize("extensions", [None, ("md",), (), False, ("",), ("MD", "txt")], ids=repr)
def test_the_files_found_follow_pelicans_rule_for_every_extension_asked(
    tmp_path: Path, extensions: object
) -> None:
    """``confine.confined_files`` tests a name's ending before Pelican's rule (extension,
    ``IGNORE_FILES``): the files found are still exactly the rule's."""
    from types import SimpleNamespace

    from pipeline.render import confine

    content = tmp_path / "content"
    names = ["a.md", "b.markdown", "c.MD", "d.txt", "noext", "e.md.bak", ".f.md", "g.", "h.md"]
    for name in [*names, "sub/i.md", "sub/j.txt"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    settings = {"IGNORE_FILES": ["**/.*", "h.*"], "TERBIT_EMBARGOED": []}
    generator = SimpleNamespace(
        path=str(content), settings=settings, readers=SimpleNamespace(extensions=("md", "markdown"))
    )
    found = confine.confined_files(generator, "", extensions=extensions)
    asked = generator.readers.extensions if extensions is None else extensions
    ignored = confine.ignoring(settings["IGNORE_FILES"])
    every = {*names, "sub/i.md", "sub/j.txt"}
    assert found == {rel for rel in every if confine._include(rel, asked, ignored)}
    assert ("a.md" in found) == (extensions is None or extensions is False or "md" in asked)
