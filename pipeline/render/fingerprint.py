"""Stable digests of the values a template can see, to tell whether a page must be re-rendered.

A digest covers everything reachable from a value that a template could print: every attribute
of an article (its HTML, metadata, URL), the articles it points to (neighbours, translations:
their own attributes), the items of lists and dicts. Values that cannot be digested faithfully
(functions, generators, unknown cycles) raise ``Undigestable`` and the caller renders the page:
when in doubt, render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

# Attributes that are the shared site state, covered by the build key (settings, theme, code),
# and where the repository sits on disk, which is not part of a page (``relative_source_path``
# is kept). Pelican's private ones are named by ``fastpath`` (``ContentNames``).
SKIPPED_ATTRS = frozenset({"settings", "source_path"})
# An intrasite link ({filename}, {static}, |tag| ...) makes the HTML depend on other content.
INTRASITE = re.compile(r"""(?:href|src)\s*=\s*["']\s*[{|]""")
SCALARS = (str, bytes, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, dt.tzinfo)
# Tuples of types, not ``list | tuple``: a union is built again at every evaluation, and these
# tests run for every attribute of every article of every build (a tenth of a second at 5,000).
SEQUENCES = (list, tuple)
SETS = (set, frozenset)
MAX_DEPTH = 8


def _ref(*parts: Any) -> None:
    """Stands for another object in an article's pickle (never unpickled: only hashed)."""


def _links_within(html: str | None) -> bool:
    """Whether the HTML has an intrasite link; most have no brace or bar at all, and ``in``
    is a tenth of the cost of the search."""
    if not html:
        return False
    return ("{" in html or "|" in html) and INTRASITE.search(html) is not None


def _subclasses(base: type) -> set[type]:
    found = {base}
    sub: type
    for sub in base.__subclasses__():
        found |= _subclasses(sub)
    return found


class _OwnPickler(pickle.Pickler):
    """Pickles an article's attributes with no memo (so equal values give equal bytes however
    objects are shared: an article read afresh and the same article loaded from the cache share
    strings and tags differently), other articles as their path, URL wrappers by name and slug.

    A ``dispatch_table`` rather than ``reducer_override``: pickle looks the exact type up in C,
    so Python runs only for dates, zones, articles and URL wrappers, not also for every class
    and function met on the way (half the calls). One pickler serves a whole build."""

    def __init__(self, digester: Digester) -> None:
        self._buffer = io.BytesIO()
        super().__init__(self._buffer, protocol=5)
        self.fast = True
        self.refs: list[Content] = []
        self._digester = digester
        self._wrappers: dict[int, tuple[Any, tuple[Any, ...]]] = {}
        table: dict[type, Any] = {dt.datetime: self._datetime, ZoneInfo: self._zone}
        table.update(dict.fromkeys(_subclasses(Content), self._content))
        table.update(dict.fromkeys(_subclasses(URLWrapper), self._wrapper))
        # Plain sets are pickled in iteration order, which follows per-process string hashing:
        # a different digest then means a render, never a wrong page. Subclasses are sorted.
        for kind in (set, frozenset):
            table.update(dict.fromkeys(_subclasses(kind) - {kind}, self._set))
        self.dispatch_table = table

    def pickled(self, value: Any) -> tuple[bytes, list[Content]]:
        self._buffer.seek(0)
        self._buffer.truncate()
        self.refs = []
        self.dump(value)
        return self._buffer.getvalue(), self.refs

    def _datetime(self, obj: dt.datetime) -> Any:
        if obj.tzinfo is None or type(obj.tzinfo) is ZoneInfo:
            # As text: their own reduction visits the class, the zone and its functions.
            return _ref, ("T", obj.isoformat(), str(obj.tzinfo), obj.fold)
        return obj.__reduce_ex__(5)

    def _zone(self, obj: ZoneInfo) -> Any:
        return _ref, ("Z", obj.key)

    def _content(self, obj: Content) -> Any:
        self.refs.append(obj)
        return _ref, ("C", self._digester._path(obj))

    def _wrapper(self, obj: URLWrapper) -> Any:
        hit = self._wrappers.get(id(obj))
        if hit is None or hit[0] is not obj:  # ``slug`` is a property: once per wrapper
            hit = (obj, (_ref, ("W", type(obj).__name__, obj.name, obj.slug)))
            self._wrappers[id(obj)] = hit
        return hit[1]

    def _set(self, obj: set[Any] | frozenset[Any]) -> Any:
        return _ref, ("S", tuple(sorted(repr(item) for item in obj)))


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


@dataclass(frozen=True)
class ContentNames:
    """The private attributes of Pelican's content objects a digest must know by name: those
    holding the shared site state (skipped), and the raw body (checked for intrasite links)."""

    shared: frozenset[str]
    body: str


class Undigestable(Exception):
    """The value could change the page in ways a digest cannot see."""


def _hash(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


class Digester:
    """Digests values of one build; memoises by identity and pins what it memoises."""

    def __init__(self, names: ContentNames, root: str = "") -> None:
        self._skipped = SKIPPED_ATTRS | names.shared
        self._body = names.body
        self._root = len(root.rstrip("/") + "/") if root else 0
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._shallow: dict[int, tuple[Any, bytes, list[Content]]] = {}
        self._busy: set[int] = set()
        self._pickler: _OwnPickler | None = None

    def digest(self, value: Any, depth: int = 0) -> bytes:
        if isinstance(value, SCALARS):
            return _hash(type(value).__name__.encode(), repr(value).encode())
        key = id(value)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        if depth > MAX_DEPTH or key in self._busy:
            raise Undigestable(type(value).__name__)
        self._busy.add(key)
        try:
            result = self._compound(value, depth + 1)
        finally:
            self._busy.discard(key)
        self._memo[key] = (value, result)
        return result

    def _compound(self, value: Any, depth: int) -> bytes:
        if isinstance(value, Content):
            return self._content(value)
        if isinstance(value, URLWrapper):
            return _hash(
                b"W", type(value).__name__.encode(), value.name.encode(), value.slug.encode()
            )
        if isinstance(value, SEQUENCES):
            return self._mix(b"L", value, depth)
        if isinstance(value, SETS):
            return self._mix(b"S", sorted(self._key(item, depth) for item in value), depth)
        if isinstance(value, dict):
            pairs = sorted(((self._key(k, depth), v) for k, v in value.items()), key=_first)
            return self._mix(b"D", [part for pair in pairs for part in pair], depth)
        if callable(value) or not hasattr(value, "__dict__"):
            raise Undigestable(type(value).__name__)
        return self._attributes(value, depth)

    def _mix(self, tag: bytes, items: Any, depth: int) -> bytes:
        """One hash over many items: scalars as text (a hash each would cost seconds)."""
        text: list[str] = []
        parts: list[bytes] = []
        for item in items:
            if isinstance(item, SCALARS):
                text.append(f"{type(item).__name__}:{item!r}")
            else:
                text.append("#")
                parts.append(self.digest(item, depth))
        return _hash(tag, "\n".join(text).encode(), *parts)

    def _key(self, item: Any, depth: int) -> str:
        if isinstance(item, SCALARS):
            return f"{type(item).__name__}:{item!r}"
        return self.digest(item, depth).hex()

    def _attributes(self, value: Any, depth: int) -> bytes:
        parts = [b"O", type(value).__qualname__.encode()]
        for name in sorted(vars(value)):
            if name not in self._skipped:
                parts += [name.encode(), self.digest(vars(value)[name], depth)]
        return _hash(*parts)

    def remember(self, value: Content, own: bytes, refs: list[Content]) -> None:
        """An own digest computed elsewhere (a fork of this process, see ``split``)."""
        self._shallow[id(value)] = (value, own, refs)

    def own(self, value: Content) -> tuple[bytes, list[Content]]:
        return self._own(value)

    def _own(self, value: Content) -> tuple[bytes, list[Content]]:
        """An article's own attributes; articles it points to count by their path only."""
        hit = self._shallow.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1], hit[2]
        try:
            own, refs = self._own_pickled(value)
        except Exception:  # something pickle cannot store: walk the attributes instead
            own, refs = self._own_walked(value)
        self._shallow[id(value)] = (value, own, refs)
        return own, refs

    def _own_pickled(self, value: Content) -> tuple[bytes, list[Content]]:
        """The attributes through pickle, in C: ten times faster than walking them."""
        attrs = vars(value)
        shown = {
            k: tuple(sorted(map(repr, v))) if isinstance(v, SETS) else v
            for k, v in sorted(attrs.items())
            if k not in self._skipped
        }
        if self._pickler is None:
            self._pickler = _OwnPickler(self)
        try:
            pickled, refs = self._pickler.pickled((type(value).__qualname__, shown))
        except Exception:
            self._pickler = None  # a pickler that failed half-way is not used again
            raise
        parts = [pickled]
        if _links_within(attrs.get(self._body)):
            parts.append(self.digest(value.content))
        return _hash(*parts), refs

    def _own_walked(self, value: Content) -> tuple[bytes, list[Content]]:
        text: list[str] = [type(value).__qualname__]
        parts: list[bytes] = []
        refs: list[Content] = []
        attrs = vars(value)
        for name in sorted(attrs):
            if name in self._skipped:
                continue
            item = attrs[name]
            if isinstance(item, SCALARS):
                text.append(f"{name}={type(item).__name__}:{item!r}")
            elif isinstance(item, Content):
                refs.append(item)
                text.append(f"{name}=>{self._path(item)}")
            elif isinstance(item, SEQUENCES) and item and isinstance(item[0], Content):
                refs.extend(c for c in item if isinstance(c, Content))
                text.append(f"{name}=>" + "|".join(map(self._path, item)))
            else:
                parts += [name.encode(), self.digest(item, 1)]
        if _links_within(attrs.get(self._body)):
            # The rendered HTML resolves links against the whole site: digest the result.
            parts.append(self.digest(value.content))
        return _hash("\n".join(text).encode(), *parts), refs

    def _path(self, item: Any) -> str:
        """Source path under the content folder (a property call per use would cost seconds)."""
        path = getattr(item, "source_path", None)
        return str(path)[self._root :] if path else repr(item)

    def _content(self, value: Content) -> bytes:
        """Own attributes plus those of the articles it points to (neighbours, translations)."""
        own, refs = self._own(value)
        return _hash(own, *(self._own(ref)[0] for ref in refs))
