"""How a transfer's moves and clock read on the pages, in the API and in the logs, in the
user's language."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from fengqiao.core.durations import span, time_left  # noqa: F401  (the pages' and API's)

# Each move as a verb in "cannot be …" and as a line of the timeline.
ACTION_LABELS = {
    "push": gettext_lazy("Sent to the department"),
    "receive": gettext_lazy("Receipt confirmed"),
    "start": gettext_lazy("Work started"),
    "extend": gettext_lazy("More time asked"),
    "report": gettext_lazy("Result reported"),
    "return": gettext_lazy("Returned: not ours"),
    "note": gettext_lazy("Note"),
    "chase": gettext_lazy("Chased"),
    "confirm": gettext_lazy("Confirmed with the caller"),
    "redo": gettext_lazy("Sent back: the caller is dissatisfied"),
    "withdraw": gettext_lazy("Withdrawn"),
}

ACTOR_LABELS = {
    "department": gettext_lazy("Department"),
    "station": gettext_lazy("Command room"),
    "system": gettext_lazy("System"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def actor_label(actor: str) -> str:
    label = ACTOR_LABELS.get(actor)
    return str(label) if label is not None else actor


def moment(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""
