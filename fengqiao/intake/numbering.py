"""Incident numbers from a station's template (pure, no Django).

A template is text with fields in braces:

    {station}   the station's code, e.g. NP
    {YYYY} {MM} {DD} {YYYYMMDD}   the day the incident was received
    {NNNN}      the day's sequence number, zero-padded to as many digits as there are N

`{station}{YYYYMMDD}{NNNN}` gives NP202611220042. The sequence restarts each day, so
every template must contain the day and the sequence; it may add any literal text.
"""

from __future__ import annotations

import datetime as dt
import re

DEFAULT_TEMPLATE = "{station}{YYYYMMDD}{NNNN}"
_FIELD = re.compile(r"\{([^{}]*)\}")
_SEQUENCE = re.compile(r"^N+$")
_DATE_FIELDS = {"YYYY", "MM", "DD", "YYYYMMDD"}


class TemplateError(ValueError):
    """A number template that cannot give unique numbers."""


def check_template(template: str) -> None:
    """Raise TemplateError, saying what is wrong, unless `template` is usable."""
    fields = _FIELD.findall(template)
    unknown = [name for name in fields if name != "station" and name not in _DATE_FIELDS and not _SEQUENCE.match(name)]
    if unknown:
        raise TemplateError(f"unknown field {{{unknown[0]}}}; use {{station}}, {{YYYYMMDD}} (or {{YYYY}}{{MM}}{{DD}}) and {{NNNN}}")
    if "station" not in fields:
        raise TemplateError("the template must contain {station}")
    has_day = "YYYYMMDD" in fields or {"YYYY", "MM", "DD"} <= set(fields)
    if not has_day:
        raise TemplateError("the template must contain the day: {YYYYMMDD}, or {YYYY}, {MM} and {DD}")
    sequences = [name for name in fields if _SEQUENCE.match(name)]
    if len(sequences) != 1:
        raise TemplateError("the template must contain one sequence field such as {NNNN}")
    if len(sequences[0]) < 3:
        raise TemplateError("the sequence needs at least three digits ({NNN})")


def format_number(template: str, *, station_code: str, day: dt.date, sequence: int) -> str:
    """The incident number for the `sequence`-th incident of `day`."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "station":
            return station_code
        if name == "YYYY":
            return f"{day.year:04d}"
        if name == "MM":
            return f"{day.month:02d}"
        if name == "DD":
            return f"{day.day:02d}"
        if name == "YYYYMMDD":
            return day.strftime("%Y%m%d")
        return str(sequence).zfill(len(name))

    return _FIELD.sub(field, template)
