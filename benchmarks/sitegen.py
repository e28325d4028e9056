"""Deterministic synthetic site: N Indonesian-ish articles with the team's YAML front matter.

The same seed and N always give byte-identical files, so timings of different tools and runs
are comparable. Categories, tags and authors follow skewed distributions like a real archive
(a few busy tags, many rare ones). With ``photos`` > 0, that share of the articles has a
camera-sized JPEG as its first image (``images:`` in the front matter, as the office's drafts
do), picked from a few distinct photos in ``content/images``; with 0 the files are the same as
before photos existed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

SEED = 20261128
CATEGORIES = ["Berita", "Layanan", "Kesiapsiagaan", "Informasi Publik", "Pengumuman"]
AUTHORS = ["rina", "budi", "sari", "andi", "dewi", "yusuf", "maya", "hendra"]
TOPICS = [
    "jemaah haji", "bandara kualanamu", "pelabuhan belawan", "sertifikat sanitasi kapal",
    "vaksinasi internasional", "kesiapsiagaan wabah", "pemeriksaan kesehatan", "awak kapal",
    "pelaku perjalanan", "informasi publik", "layanan daring", "penyakit menular",
    "karantina kesehatan", "surveilans", "pengendalian vektor", "kapal pesiar",
    "buku kuning", "demam berdarah", "cacar monyet", "pos kesehatan pelabuhan",
]  # fmt: skip
_TEXT = (
    "petugas balai kesehatan pelabuhan bandara memeriksa dokumen jemaah kapal awak layanan "
    "masyarakat vaksin sertifikat sanitasi pengawasan kegiatan koordinasi wilayah kerja "
    "penumpang kedatangan keberangkatan laporan data rapat sosialisasi pelatihan prosedur "
    "standar operasional informasi publik pengaduan kesiapsiagaan wabah penyakit menular "
    "surveilans lapangan laboratorium sampel hasil pemeriksaan cepat tepat aman nyaman"
)
WORDS = _TEXT.split()


@dataclass(frozen=True)
class Article:
    slug: str
    text: str


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + "."


def _tags(rng: random.Random, pool: int) -> list[str]:
    # Zipf-like over ``pool`` tags: a few busy tags, a long tail of rare ones.
    count = rng.randint(1, 4)
    picked: list[str] = []
    while len(picked) < count:
        index = (int(rng.paretovariate(0.6)) - 1) % pool
        tag = TOPICS[index] if index < len(TOPICS) else f"topik {index}"
        if tag not in picked:
            picked.append(tag)
    return picked


PHOTO_SIZE = (1600, 1200)  # a phone or compact camera's photo, as staff upload them
PHOTO_COUNT = 8  # distinct photos the articles share
EXTRA_INDEX = 99999


def photo_name(index: int) -> str:
    return f"images/foto-{index:05d}.jpg"


def photo(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A JPEG with a photo's detail (shapes, soft light, sensor noise) so it weighs and decodes
    like one (~0.5 MB); the same seed, the same bytes."""
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, tuple(rng.randint(40, 220) for _ in range(3)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randint(40, width // 3), rng.randint(40, height // 3)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _with_photo(item: Article, src: str) -> Article:
    """The article with ``src`` as its first image in the front matter."""
    topic = item.slug.rsplit("-", 1)[0].replace("-", " ")
    images = f'images:\n  - src: {src}\n    alt: "Foto kegiatan {topic}"\n'
    return Article(item.slug, item.text.replace("\n---\n", "\n" + images + "---\n", 1))


def article(index: int, when: dt.datetime, rng: random.Random, pool: int = 40) -> Article:
    topic = rng.choice(TOPICS)
    slug = f"{topic.replace(' ', '-')}-{index:05d}"
    title = f"{topic.title()}: {_sentence(rng)[:-1][:60]} ({index})"
    paragraphs = []
    for p in range(rng.randint(3, 6)):
        body = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        if p == 1:
            body += f" Lihat juga **{topic}** dan _{rng.choice(WORDS)}_."
        paragraphs.append(body)
    if rng.random() < 0.3:
        paragraphs.append("\n".join(f"- {_sentence(rng)}" for _ in range(3)))
    tags = ", ".join(_tags(rng, pool))
    front = (
        "---\n"
        f'title: "{title}"\n'
        f"date: {when:%Y-%m-%d %H:%M}\n"
        f"category: {rng.choice(CATEGORIES)}\n"
        f"tags: [{tags}]\n"
        f'summary: "{_sentence(rng)}"\n'
        f"author: {AUTHORS[min(int(rng.expovariate(0.5)), len(AUTHORS) - 1)]}\n"
        "---\n"
    )
    return Article(slug=slug, text=front + "\n" + "\n\n".join(paragraphs) + "\n")


def articles(count: int, seed: int = SEED, photos: float = 0.0) -> list[Article]:
    """``count`` articles, about two a day going back from 2026-11-27; a share ``photos`` of
    them with one of ``PHOTO_COUNT`` photos (drawn from their own generator, so the text is the
    same with or without)."""
    rng = random.Random(seed)
    pick = random.Random(seed + 2)
    start = dt.datetime(2026, 11, 27, 16, 0)
    out = []
    for i in range(count):
        when = start - dt.timedelta(minutes=720 * i + rng.randint(0, 600))
        item = article(i, when, rng, 20 + count // 25)
        if photos and pick.random() < photos:
            item = _with_photo(item, photo_name(pick.randrange(PHOTO_COUNT)))
        out.append(item)
    return out


def extra_article(
    seed: int = SEED, when: dt.datetime | None = None, with_photo: bool = False
) -> Article:
    """The "one more article" of a publication: newest by default; with ``with_photo``, its first
    image is a photo of its own (``extra_photo``), so its thumbnails are made in that build."""
    rng = random.Random(seed + 1)
    item = article(EXTRA_INDEX, when or dt.datetime(2026, 11, 28, 9, 15), rng)
    if with_photo:
        item = _with_photo(item, photo_name(EXTRA_INDEX))
    return item


def extra_photo(variant: int = 0, seed: int = SEED) -> tuple[str, bytes]:
    """The path under ``content/`` and the bytes of the "+1" article's own photo; another
    ``variant``, another photo."""
    return photo_name(EXTRA_INDEX), photo(seed + EXTRA_INDEX + variant)


def write_site(content: Path, count: int, seed: int = SEED, photos: float = 0.0) -> list[Path]:
    """Write ``count`` articles under ``content/articles`` (and, with ``photos``, the photos
    under ``content/images``); returns the articles' paths."""
    folder = content / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    if photos:
        (content / "images").mkdir(parents=True, exist_ok=True)
        for index in range(PHOTO_COUNT):
            (content / photo_name(index)).write_bytes(photo(seed + index))
    paths = []
    for item in articles(count, seed, photos):
        path = folder / f"{item.slug}.md"
        path.write_text(item.text, encoding="utf-8")
        paths.append(path)
    return paths


REPO = Path(__file__).resolve().parent.parent
SITE_FILES = ["pelicanconf.py", "publishconf.py", "terbit.yml", "roles.yml"]
SITE_DIRS = ["theme", "content/pages", "content/images"]
MINIMAL_CONF = """\
PATH = "content"
SITENAME = "Situs Uji"
SITEURL = ""
TIMEZONE = "Asia/Jakarta"
PLUGINS = ["pipeline.render.plugins.reader"]
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
DEFAULT_PAGINATION = 10
STATIC_PATHS = ["images"]
READERS = {"rst": None}
"""


def make_site(folder: Path, count: int, seed: int = SEED, photos: float = 0.0) -> Path:
    """A repository with the project's site setup (settings, theme, pages, images) and
    ``count`` synthetic articles (a share ``photos`` with a photo); a minimal setup on
    Pelican's own theme before those exist."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    if (REPO / "pelicanconf.py").is_file() and (REPO / "theme").is_dir():
        for name in SITE_FILES:
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, folder / name)
        for name in SITE_DIRS:
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, folder / name)
    else:
        (folder / "pelicanconf.py").write_text(MINIMAL_CONF, encoding="utf-8")
        (folder / "content" / "images").mkdir(parents=True)
        (folder / "content" / "images" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    write_site(folder / "content", count, seed, photos)
    return folder
