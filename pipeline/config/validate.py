"""Validate a located YAML document against a pydantic model; report ``file:line: message``."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from pipeline.config.yamlsrc import Doc
from pipeline.errors import ConfigError, Problem, TerbitError
from pipeline.i18n import Catalog

M = TypeVar("M", bound=BaseModel)

MSG = Catalog(
    {
        "missing": ("kolom '{field}' wajib diisi", "field '{field}' is required"),
        "extra_forbidden": (
            "kolom '{field}' tidak dikenal; periksa ejaannya",
            "unknown field '{field}'; check its spelling",
        ),
        "string_type": ("'{field}' harus berupa teks", "'{field}' must be text"),
        "int_type": ("'{field}' harus berupa bilangan bulat", "'{field}' must be a whole number"),
        "int_parsing": (
            "'{field}' harus berupa bilangan bulat",
            "'{field}' must be a whole number",
        ),
        "bool_type": ("'{field}' harus true atau false", "'{field}' must be true or false"),
        "bool_parsing": ("'{field}' harus true atau false", "'{field}' must be true or false"),
        "list_type": ("'{field}' harus berupa daftar", "'{field}' must be a list"),
        "dict_type": (
            "'{field}' harus berupa pemetaan (kunci: nilai)",
            "'{field}' must be a mapping",
        ),
        "model_type": (
            "'{field}' harus berupa pemetaan (kunci: nilai)",
            "'{field}' must be a mapping",
        ),
        "literal_error": (
            "'{field}' harus salah satu dari: {expected}",
            "'{field}' must be one of: {expected}",
        ),
        "enum": (
            "'{field}' harus salah satu dari: {expected}",
            "'{field}' must be one of: {expected}",
        ),
        "greater_than": ("'{field}' harus lebih dari {gt}", "'{field}' must be greater than {gt}"),
        "greater_than_equal": ("'{field}' minimal {ge}", "'{field}' must be at least {ge}"),
        "less_than_equal": ("'{field}' maksimal {le}", "'{field}' must be at most {le}"),
        "string_too_short": ("'{field}' tidak boleh kosong", "'{field}' must not be empty"),
        "too_short": ("'{field}' tidak boleh kosong", "'{field}' must not be empty"),
        "string_pattern_mismatch": (
            "'{field}' tidak sesuai format ({pattern})",
            "'{field}' does not match the format ({pattern})",
        ),
        "date_type": (
            "'{field}' harus berupa tanggal (TTTT-BB-HH)",
            "'{field}' must be a date (YYYY-MM-DD)",
        ),
        "date_from_datetime_parsing": (
            "'{field}' harus berupa tanggal (TTTT-BB-HH)",
            "'{field}' must be a date (YYYY-MM-DD)",
        ),
        "datetime_type": (
            "'{field}' harus berupa tanggal dan jam (TTTT-BB-HH JJ:MM)",
            "'{field}' must be a date and time (YYYY-MM-DD HH:MM)",
        ),
        "value_error": ("'{field}': {detail}", "'{field}': {detail}"),
        "other": ("'{field}': {detail}", "'{field}': {detail}"),
        "empty": (
            "berkas kosong; isi kolom wajibnya (lihat contoh di dokumentasi)",
            "the file is empty; fill in its required fields (see the example in the docs)",
        ),
        "root_type": (
            "isi berkas harus berupa pemetaan (kunci: nilai)",
            "the file must hold a mapping",
        ),
    }
)


class Strict(BaseModel):
    """Base for configuration models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    return ".".join(parts) or "(root)"


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    field = _field_name(err["loc"])
    if kind in ("value_error", "assertion_error"):
        detail = str(ctx.get("error", err["msg"]))
        # A check on the whole file already names what it is about.
        return detail if not err["loc"] else MSG("value_error", field=field, detail=detail)
    if kind == "literal_error":
        return MSG(
            "literal_error",
            field=field,
            expected=str(ctx.get("expected", "?")).replace(" or ", ", "),
        )
    try:
        return MSG(
            kind, field=field, **{k: v for k, v in ctx.items() if isinstance(v, (str, int, float))}
        )
    except KeyError:
        return MSG("other", field=field, detail=err["msg"])


def problems_of(error: ValidationError, doc: Doc) -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        # pydantic appends a tag for unions/validators; trim to what exists in the document.
        problems.append(Problem(doc.path, doc.line_of(loc), _message(err), code=err["type"]))
    return problems


def fail(problems: list[Problem], error: type[TerbitError] = ConfigError) -> None:
    """Raise ``error`` for the first problem, carrying the rest, when there are any."""
    if problems:
        first = problems[0]
        raise error(first.message, path=first.path, line=first.line, problems=problems[1:])


def validate(
    model: type[M],
    doc: Doc,
    *,
    error: type[TerbitError] = ConfigError,
    context: dict[str, Any] | None = None,
) -> M:
    """Build ``model`` from ``doc`` or raise ``error`` listing every located problem."""
    if doc.data is None:
        raise error(MSG("empty"), path=doc.path, line=1)
    if not isinstance(doc.data, dict):
        raise error(MSG("root_type"), path=doc.path, line=doc.line_of(()) or 1)
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as bad:
        problems = problems_of(bad, doc)  # raised below, outside the handler: no chained trace
    fail(problems, error)
    raise AssertionError(problems)  # not reached: pydantic reports at least one error
