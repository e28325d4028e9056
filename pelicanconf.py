"""Pelican settings for building and previewing the site; office values come from terbit.yml.

Links are relative so the built folder works under any address (preview, intranet mirror,
sub-path); feeds, the sitemap and Open Graph tags use the absolute SITEURL.
"""

from pathlib import Path

from pipeline.render.plugins import PLUGINS
from pipeline.config.roles import ROLES_FILE, load_roles
from pipeline.config.settings import load_settings
from pipeline.config.yamlsrc import read_text

_root = Path(__file__).resolve().parent
_terbit = load_settings(_root)
_roles = _root / ROLES_FILE

SITENAME = _terbit.site.name
SITE_SHORT_NAME = _terbit.site.short_name
SITEURL = _terbit.site.url.rstrip("/")
TIMEZONE = _terbit.site.timezone
DEFAULT_LANG = _terbit.site.language
RELATIVE_URLS = True

PATH = _terbit.content.path
OUTPUT_PATH = _terbit.build.output
THEME = "theme"
PLUGINS = PLUGINS
TERBIT_IFRAME_HOSTS = _terbit.content.iframe_hosts
TERBIT_CONTACTS = _terbit.content.public_contacts
# Authors are person ids; their display names live in roles.yml (plain names pass through).
TERBIT_PEOPLE = (
    {p.id: p.name for p in load_roles(read_text(_roles, ROLES_FILE)).people}
    if _roles.exists()
    else {}
)
# Autoescape everything; only the sanitised article body is marked safe in the theme.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

PAGE_PATHS = ["pages"]
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["pages", "images"]
STATIC_PATHS = ["images"]
SLUGIFY_SOURCE = "basename"
DEFAULT_CATEGORY = _terbit.content.categories[0]
FORMATTED_FIELDS: list[str] = []
SUMMARY_MAX_LENGTH = 40
MENU_PAGES = ["profil", "layanan", "informasi-publik", "kontak"]
FEATURED_MAX = 3

ARTICLE_URL = "artikel/{slug}/"
ARTICLE_SAVE_AS = "artikel/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "kategori/{slug}/"
CATEGORY_SAVE_AS = "kategori/{slug}/index.html"
TAG_URL = "topik/{slug}/"
TAG_SAVE_AS = "topik/{slug}/index.html"
AUTHOR_URL = "penulis/{slug}/"
AUTHOR_SAVE_AS = "penulis/{slug}/index.html"
ARCHIVES_URL = "arsip/"
ARCHIVES_SAVE_AS = "arsip/index.html"
CATEGORIES_URL = "kategori/"
CATEGORIES_SAVE_AS = "kategori/index.html"
TAGS_URL = "topik/"
TAGS_SAVE_AS = "topik/index.html"
AUTHORS_URL = "penulis/"
AUTHORS_SAVE_AS = "penulis/index.html"
SEARCH_URL = "cari/"
SEARCH_SAVE_AS = "cari/index.html"
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives", "search", "404"]

# No numbered list pages: with pages counted from the newest article, one publication would
# shift every page of every list it appears in. The home page shows the latest ten; the archive
# has a page per year; category, topic and author pages list all their articles compactly.
DEFAULT_PAGINATION = False
PAGINATED_TEMPLATES: dict[str, int | None] = {}
YEAR_ARCHIVE_URL = "arsip/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "arsip/{date:%Y}/index.html"

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 50
FEED_ALL_ATOM = "feeds/semua.atom.xml"
FEED_ALL_RSS = "feeds/semua.rss.xml"
CATEGORY_FEED_ATOM = "feeds/kategori/{slug}.atom.xml"
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Drafts are Markdown with front matter only; other formats would bypass the contract.
READERS = {"rst": None, "html": None, "htm": None, "mkd": None, "mdown": None}
