"""Checked helpers that read settings from environment variables.

A bad value stops start-up with an ImproperlyConfigured error that names the variable,
so a station's operator sees at once which line of their configuration is wrong.
This module imports nothing from Django but the exception, so it can be tested alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """The variable's text, or `default` when it is unset."""
    env = os.environ if environ is None else environ
    return env.get(name, default)


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off (any case)."""
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={env[name]!r} is not a yes/no value; use 1/true/yes/on or 0/false/no/off"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole-number variable, optionally bounded."""
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    raw = env[name].strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={env[name]!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}")
    return value


def env_choice(
    name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    """A variable that must be one of `choices` (compared in lower case)."""
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={env[name]!r} is not one of: {', '.join(choices)}"
        )
    return value


def env_list(name: str, default: tuple[str, ...], environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """A comma-separated list; blanks are dropped."""
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    return tuple(part.strip() for part in env[name].split(",") if part.strip())
