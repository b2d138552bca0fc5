"""The states of an incident (DESIGN.md §3) and the moves between them (pure, no Django).

    received → triaged → dispatched → acknowledged → on_scene → resolved → closed
    side exits: transferred, converted, merged, invalid

Only the services change an incident's state, and each asks `check_move` first, so a
wrong move is refused with a message that names both states.
"""

from __future__ import annotations

RECEIVED = "received"
TRIAGED = "triaged"
DISPATCHED = "dispatched"
ACKNOWLEDGED = "acknowledged"
ON_SCENE = "on_scene"
RESOLVED = "resolved"
CLOSED = "closed"
TRANSFERRED = "transferred"
CONVERTED = "converted"
MERGED = "merged"
INVALID = "invalid"

MAIN_LINE = (RECEIVED, TRIAGED, DISPATCHED, ACKNOWLEDGED, ON_SCENE, RESOLVED, CLOSED)
SIDE_EXITS = (TRANSFERRED, CONVERTED, MERGED, INVALID)
ALL_STATES = MAIN_LINE + SIDE_EXITS

# States in which the incident still needs someone: each has an owner and a deadline.
OPEN_STATES = frozenset({RECEIVED, TRIAGED, DISPATCHED, ACKNOWLEDGED, ON_SCENE})
# Side exits are possible from every open state; a resolved incident may still be
# converted into a case.
MOVES: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({TRIAGED, DISPATCHED, TRANSFERRED, CONVERTED, MERGED, INVALID}),
    # Resolved from triaged: settled by the command room on the telephone.
    TRIAGED: frozenset({DISPATCHED, RESOLVED, TRANSFERRED, CONVERTED, MERGED, INVALID}),
    DISPATCHED: frozenset({ACKNOWLEDGED, TRIAGED, RESOLVED, TRANSFERRED, CONVERTED, MERGED, INVALID}),
    # Back a step when the most advanced order is cancelled and another is still out.
    ACKNOWLEDGED: frozenset({ON_SCENE, DISPATCHED, TRIAGED, RESOLVED, TRANSFERRED, CONVERTED, MERGED}),
    ON_SCENE: frozenset({RESOLVED, ACKNOWLEDGED, DISPATCHED, TRIAGED, TRANSFERRED, CONVERTED}),
    RESOLVED: frozenset({CLOSED, CONVERTED, TRIAGED}),
    CLOSED: frozenset({TRIAGED}),  # reopened
    TRANSFERRED: frozenset({TRIAGED, CLOSED}),  # returned as "not ours", or confirmed
    CONVERTED: frozenset(),
    MERGED: frozenset(),
    INVALID: frozenset({TRIAGED}),  # marked invalid by mistake
}


class StateError(ValueError):
    """A move the life of an incident does not allow."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"an incident that is {current!r} cannot become {wanted!r}")
        self.current = current
        self.wanted = wanted


def can_move(current: str, wanted: str) -> bool:
    return wanted in MOVES.get(current, frozenset())


def check_move(current: str, wanted: str) -> None:
    """Raise StateError unless an incident in `current` may move to `wanted`."""
    if not can_move(current, wanted):
        raise StateError(current, wanted)


def is_open(state: str) -> bool:
    return state in OPEN_STATES
