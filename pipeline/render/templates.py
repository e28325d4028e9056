"""What a template can read from its context, found by reading the templates (never by guessing).

For each template we collect, over everything it extends, includes and imports, the context
names it uses. For the big site-wide lists (articles, dates, tags, categories, authors) we also
look at *how* they are used: a page that shows ``articles[:5]`` depends on five articles, a menu
that loops ``for cat, arts in categories`` and prints ``arts|length`` depends on names and counts.
Any other use counts as depending on the whole value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jinja2 import Environment, meta, nodes

# Lists whose finer uses are worth recognising; everything else is digested whole.
TRACKED = frozenset({"articles", "dates", "tags", "categories", "authors", "all_articles"})
LENGTH_FILTERS = frozenset({"length", "count"})


@dataclass
class Use:
    """How a template uses one tracked list."""

    whole: bool = False
    head: int = 0  # depends on the first ``head`` items
    length: bool = False
    pair_lengths: bool = False  # (wrapper, list) pairs: the wrapper and the list's length

    def merge(self, other: Use) -> None:
        self.whole |= other.whole
        self.head = max(self.head, other.head)
        self.length |= other.length
        self.pair_lengths |= other.pair_lengths


@dataclass
class Needs:
    """The context names a template reads; ``everything`` when that cannot be bounded."""

    names: set[str] = field(default_factory=set)
    uses: dict[str, Use] = field(default_factory=dict)
    everything: bool = False
    sorted_names: list[str] = field(default_factory=list)


# A template's references to others, the names it loads, and how it uses the tracked lists.
Parsed = tuple[set[str | None], set[str], dict[str, Use]]


def _parents(node: nodes.Node, parent: nodes.Node | None, out: dict[int, nodes.Node]) -> None:
    if parent is not None:
        out[id(node)] = parent
    for child in node.iter_child_nodes():
        _parents(child, node, out)


def _const_int(node: nodes.Node | None) -> int | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, int):
        return node.value
    return None


def _only_lengths(body: list[nodes.Node], name: str, parents: dict[int, nodes.Node]) -> bool:
    for stmt in body:
        for use in stmt.find_all(nodes.Name):
            if use.name != name:
                continue
            parent = parents.get(id(use))
            if not (isinstance(parent, nodes.Filter) and parent.name in LENGTH_FILTERS):
                return False
    return True


def _classify(name: nodes.Name, parents: dict[int, nodes.Node]) -> Use:
    parent = parents.get(id(name))
    if isinstance(parent, nodes.Getitem) and isinstance(parent.arg, nodes.Slice):
        sl = parent.arg
        start = _const_int(sl.start) if sl.start is not None else 0
        stop = _const_int(sl.stop)
        if start == 0 and stop is not None and stop >= 0 and sl.step is None:
            return Use(head=stop)
    if isinstance(parent, nodes.Filter) and parent.name in LENGTH_FILTERS:
        return Use(length=True)
    if isinstance(parent, nodes.If | nodes.CondExpr) and parent.test is name:
        return Use(length=True)
    if (
        isinstance(parent, nodes.For)
        and parent.iter is name
        and parent.test is None
        and isinstance(parent.target, nodes.Tuple)
        and len(parent.target.items) == 2
        and all(isinstance(item, nodes.Name) for item in parent.target.items)
    ):
        inner = parent.target.items[1].name  # type: ignore[attr-defined]
        if _only_lengths([*parent.body, *parent.else_], inner, parents):
            return Use(pair_lengths=True)
    return Use(whole=True)


class TemplateNeeds:
    """Caches ``Needs`` per template name for one Jinja environment."""

    def __init__(
        self,
        env: Environment,
        parsed: dict[str, Parsed] | None = None,
        *,
        reads_context: Callable[[object], bool],
    ) -> None:
        """``reads_context`` tells a filter or global that receives the whole context (Jinja
        marks those privately: ``fastpath.reads_context``)."""
        self._env = env
        self._cache: dict[str, Needs] = {}
        # What each template's source says; kept between builds (the theme is in the build key).
        self.parsed: dict[str, Parsed] = dict(parsed or {})
        # A filter or global that receives the whole context may read anything.
        custom = [*env.filters.values(), *env.globals.values(), *env.tests.values()]
        self._context_callables = any(reads_context(f) for f in custom)

    def of(self, template_name: str | None) -> Needs:
        if template_name is None or self._context_callables:
            return Needs(everything=True)
        if template_name not in self._cache:
            self._cache[template_name] = self._collect(template_name)
        return self._cache[template_name]

    def _collect(self, first: str) -> Needs:
        needs = Needs()
        seen: set[str] = set()
        todo = [first]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            refs, names, uses = self._read(name)
            if None in refs:  # a template chosen at run time: anything goes
                return Needs(everything=True)
            todo.extend(r for r in refs if r is not None)
            needs.names |= names
            for key, use in uses.items():
                needs.uses.setdefault(key, Use()).merge(use)
        needs.sorted_names = sorted(needs.names)
        return needs

    def _read(self, name: str) -> Parsed:
        """One template's references, the names it loads, and how it uses tracked lists."""
        if name not in self.parsed:
            source, _, _ = self._env.loader.get_source(self._env, name)  # type: ignore[union-attr]
            tree = self._env.parse(source)
            refs = set(meta.find_referenced_templates(tree))
            # Every name loaded anywhere: loop variables and macro arguments too, which can
            # only add names, never hide one.
            names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
            parents: dict[int, nodes.Node] = {}
            _parents(tree, None, parents)
            uses: dict[str, Use] = {}
            for node in tree.find_all(nodes.Name):
                if node.name in TRACKED and node.ctx == "load":
                    uses.setdefault(node.name, Use()).merge(_classify(node, parents))
            self.parsed[name] = (refs, names, uses)
        return self.parsed[name]
