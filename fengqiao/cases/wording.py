"""How a case's figures read on the pages and in the API: the reasons for its lead officer
and the time left before its deadline, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.core.durations import span, time_left  # noqa: F401  (the pages' and API's)

from . import assign


def assignment_lines(assignment: Mapping[str, Any]) -> list[str]:
    """The reasons kept with the case (`assign.Choice.as_json`), translated."""
    return [reason.render(_) for reason in assign.reasons_from_json(assignment)]
