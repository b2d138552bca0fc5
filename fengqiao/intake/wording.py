"""Triage reasons in the interface's language.

The triage module (pure, no Django) writes its reasons in English; `say_reason` says them
in the active language for pages and for the incident log.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .models import Route

# A reason no pattern knows is shown as it is.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^no keyword matched → (?P<label>.+)$"), "no_match"),
    (re.compile(r"^score (?P<best>[\d.]+) vs (?P<second>[\d.]+) for (?P<label>.+)$"), "score"),
    (re.compile(r"^“(?P<word>.+)” counts against (?P<label>.+)$"), "against"),
    (re.compile(r"^“(?P<word>.+)” → priority (?P<priority>\d)$"), "priority"),
    (re.compile(r"^“(?P<word>.+)” → priority (?P<shift>[+-]\d) \((?P<why>.+)\)$"), "shift"),
    (re.compile(r"^“(?P<word>.+)” → route (?P<route>\w+)$"), "route"),
    (re.compile(r"^“(?P<word>.+)” negated by “(?P<negator>.+)” — ignored$"), "negated"),
]


def route_label(route: str) -> str:
    """The route's name (社区民警, 值班办案队 …), or the code itself when it is unknown."""
    return str(Route(route).label) if route in Route.values else route


def say_reason(text: str) -> str:
    """One triage reason in the interface's language."""
    for pattern, kind in _PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        parts = found.groupdict()
        if kind == "no_match":
            return _("no keyword matched → %(label)s") % parts
        if kind == "score":
            return _("score %(best)s against %(second)s for %(label)s") % parts
        if kind == "against":
            return _("“%(word)s” counts against %(label)s") % parts
        if kind == "priority":
            return _("“%(word)s” → priority %(priority)s") % parts
        if kind == "shift":
            more = parts["shift"].startswith("-")
            return (_("“%(word)s” → more urgent") if more else _("“%(word)s” → less urgent")) % parts
        if kind == "route":
            return _("“%(word)s” → %(route)s") % {"word": parts["word"], "route": route_label(parts["route"])}
        if kind == "negated":
            return _("“%(word)s” ignored: negated by “%(negator)s”") % parts
    return text
