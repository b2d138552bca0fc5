"""The steps of a dispatch order (派警单) and the moves between them (pure, no Django).

    issued → acknowledged (签收) → departed → on_scene (到场) → reported (反馈)
    side exits: returned (退单, by the officer, with a reason), cancelled (by the command
    room, with a reason)

An order is *active* until it is reported, returned or cancelled. Each active step has a
deadline: the next stamp is due by then (see `clocks`).
"""

from __future__ import annotations

ISSUED = "issued"
ACKNOWLEDGED = "acknowledged"
DEPARTED = "departed"
ON_SCENE = "on_scene"
REPORTED = "reported"
RETURNED = "returned"
CANCELLED = "cancelled"

ALL = (ISSUED, ACKNOWLEDGED, DEPARTED, ON_SCENE, REPORTED, RETURNED, CANCELLED)
ACTIVE = frozenset({ISSUED, ACKNOWLEDGED, DEPARTED, ON_SCENE})
FINISHED = frozenset({REPORTED, RETURNED, CANCELLED})

# Each action the officer or the command room takes, and the states it may start from.
# An officer who skipped pressing "depart" may still press "arrive".
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({ISSUED}), ACKNOWLEDGED),
    "depart": (frozenset({ACKNOWLEDGED}), DEPARTED),
    "arrive": (frozenset({ACKNOWLEDGED, DEPARTED}), ON_SCENE),
    "feedback": (frozenset({ON_SCENE}), REPORTED),
    "return": (frozenset({ISSUED, ACKNOWLEDGED, DEPARTED}), RETURNED),
    "cancel": (frozenset(ACTIVE), CANCELLED),
}

# The deadline that hangs on each active state: what must happen next.
NEXT_STEP = {
    ISSUED: "acknowledge",
    ACKNOWLEDGED: "arrive",
    DEPARTED: "arrive",
    ON_SCENE: "feedback",
}


class StepError(ValueError):
    """An action the order's current state does not allow."""

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"an order that is {state!r} cannot be given {action!r}")
        self.action = action
        self.state = state


def after(action: str, state: str) -> str:
    """The state an order in `state` moves to by `action`; StepError if it may not."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    allowed_from, target = ACTIONS[action]
    if state not in allowed_from:
        raise StepError(action, state)
    return target


def is_active(state: str) -> bool:
    return state in ACTIVE
