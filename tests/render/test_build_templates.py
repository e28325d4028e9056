"""Which context values a page depends on, read from the templates themselves."""

from __future__ import annotations

from jinja2 import DictLoader, Environment, pass_context

from pipeline.render.fastpath import reads_context
from pipeline.render.templates import TemplateNeeds

TEMPLATES = {
    "base.html": (
        "<nav>{% for cat, arts in categories %}{{ cat }} ({{ arts|length }}){% endfor %}</nav>"
        "{% block main %}{% endblock %}"
        "<aside>{% for a in articles[:3] %}{{ a.title }}{% endfor %}</aside>"
    ),
    "article.html": '{% extends "base.html" %}{% block main %}{{ article.title }}{% endblock %}',
    "index.html": '{% extends "base.html" %}{% block main %}{% for a in dates %}{{ a }}'
    "{% endfor %}{% endblock %}",
    "tags.html": "{% for tag, arts in tags %}{% for a in arts %}{{ a.title }}{% endfor %}"
    "{% endfor %}",
    "dynamic.html": "{% include which %}",
    "macro.html": '{% import "m.html" as m with context %}{{ m.show() }}',
    "m.html": "{% macro show() %}{{ SITENAME }}{{ authors|length }}{% endmacro %}",
}


def needs(name: str, **env_kwargs: object) -> object:
    env = Environment(loader=DictLoader(TEMPLATES))
    for key, value in env_kwargs.items():
        env.filters[key] = value
    return TemplateNeeds(env, reads_context=reads_context).of(name)


def test_article_page_depends_on_menu_names_counts_and_the_first_three_articles() -> None:
    got = needs("article.html")
    assert {"article", "categories", "articles"} <= got.names
    assert got.uses["categories"].pair_lengths and not got.uses["categories"].whole
    assert got.uses["articles"].head == 3 and not got.uses["articles"].whole


def test_any_other_use_of_a_list_depends_on_all_of_it() -> None:
    assert needs("index.html").uses["dates"].whole
    assert needs("tags.html").uses["tags"].whole  # the inner list is iterated


def test_imported_macros_count_and_dynamic_includes_mean_everything() -> None:
    got = needs("macro.html")
    assert "SITENAME" in got.names and got.uses["authors"].length
    assert needs("dynamic.html").everything


def test_a_filter_that_reads_the_whole_context_means_everything() -> None:
    @pass_context
    def peek(context: object, value: object) -> object:
        return value

    assert needs("article.html", peek=peek).everything
