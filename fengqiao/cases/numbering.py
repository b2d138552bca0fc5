"""Case numbers from a station's template (pure, no Django).

    {station}   the station's code, e.g. NP
    {kind}      XS for a criminal case (刑事), XZ for an administrative one (行政)
    {YYYY}      the year the case was accepted
    {NNNN}      the year's sequence number of that kind, zero-padded to as many digits as N

`{station}{kind}{YYYY}{NNNN}` gives NPXS20260012. The sequence restarts each year and runs
per kind, so a template must contain the year, the kind and one sequence field.
"""

from __future__ import annotations

import re

KIND_CODES = {"criminal": "XS", "administrative": "XZ"}
_FIELD = re.compile(r"\{([^{}]*)\}")
_SEQUENCE = re.compile(r"^N+$")


class TemplateError(ValueError):
    """A number template that cannot give unique case numbers."""


def check_template(template: str) -> None:
    """Raise TemplateError, saying what is wrong, unless `template` is usable."""
    fields = _FIELD.findall(template)
    unknown = [name for name in fields if name not in ("station", "kind", "YYYY") and not _SEQUENCE.match(name)]
    if unknown:
        raise TemplateError(f"unknown field {{{unknown[0]}}}; use {{station}}, {{kind}}, {{YYYY}} and {{NNNN}}")
    for needed in ("kind", "YYYY"):
        if needed not in fields:
            raise TemplateError(f"the template must contain {{{needed}}}")
    sequences = [name for name in fields if _SEQUENCE.match(name)]
    if len(sequences) != 1:
        raise TemplateError("the template must contain one sequence field such as {NNNN}")
    if len(sequences[0]) < 3:
        raise TemplateError("the sequence needs at least three digits ({NNN})")


def _fill(template: str, *, station_code: str, kind: str, year: int, sequence: str) -> str:
    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "station":
            return station_code
        if name == "kind":
            return KIND_CODES[kind]
        if name == "YYYY":
            return f"{year:04d}"
        return sequence.zfill(len(name)) if sequence.isdigit() else sequence

    return _FIELD.sub(field, template)


def format_number(template: str, *, station_code: str, kind: str, year: int, sequence: int) -> str:
    """The number of the `sequence`-th case of `kind` accepted in `year`."""
    if sequence < 1:
        raise ValueError("sequence numbers start at 1")
    return _fill(template, station_code=station_code, kind=kind, year=year, sequence=str(sequence))


def prefix(template: str, *, station_code: str, kind: str, year: int) -> str:
    """What every number of this station, kind and year starts with (all before the sequence)."""
    marker = "\x00"
    return _fill(template, station_code=station_code, kind=kind, year=year, sequence=marker).split(marker)[0]


def sequence_of(template: str, number: str, *, station_code: str, kind: str, year: int) -> int | None:
    """The sequence number inside `number`, or None if it is not of this template, kind and year."""
    marker = "\x00"
    filled = _fill(template, station_code=station_code, kind=kind, year=year, sequence=marker)
    head, _marker, tail = filled.partition(marker)
    pattern = re.escape(head) + r"(\d+)" + re.escape(tail)
    found = re.fullmatch(pattern, number)
    return int(found.group(1)) if found else None
