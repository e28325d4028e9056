"""Settings for the live site: pelicanconf.py plus the live address and a clean output folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: F403
from pipeline.config.settings import load_settings

_terbit = load_settings(Path(__file__).resolve().parent)

SITEURL = (_terbit.publish.live_url or _terbit.site.url).rstrip("/")
FEED_DOMAIN = SITEURL
# The 404 page is served at any address under the site (GitHub Pages project sites included), so
# its links are absolute: the live address with its sub-path, not a path from the server root.
NOT_FOUND_ROOT = SITEURL
DELETE_OUTPUT_DIRECTORY = True
