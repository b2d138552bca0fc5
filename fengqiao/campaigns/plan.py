"""The rules of a verification campaign (核查任务), free of Django.

A list arrives from above with a deadline. Each item goes to the beat officer of its
address; an item whose address has no beat (or a beat with no officer) goes round-robin
within the community team, and says so. The officer calls first, then arranges a door
visit by a three-person team if the call cannot settle it:

    open ──outcome verified / moved / unreachable / wrong data──▶ done
    open ──outcome needs a door visit──▶ visit ──visit outcome (any but door visit)──▶ done
    done ──outcome again (a second call, a correction)──▶ done or visit

An item still open (or waiting for its visit) at the deadline is marked late — it stays
on the officer's list and on the burn-down until it is done; nothing is dropped.

`record(item, outcome, now)` is the one function that moves an item; `assign` shares a
list out; `burn_down` is what the board and the campaign page draw; `reminder_due` says
when officers with open items are reminded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# -- states and outcomes ------------------------------------------------------------------------

OPEN = "open"
VISIT = "visit"
DONE = "done"
STATES = (OPEN, VISIT, DONE)

VERIFIED = "verified"
MOVED = "moved"
UNREACHABLE = "unreachable"
WRONG_DATA = "wrong_data"
DOOR_VISIT = "door_visit"
OUTCOMES = (VERIFIED, MOVED, UNREACHABLE, WRONG_DATA, DOOR_VISIT)

# Outcomes after which the resident's record may be brought up to date with one tap.
UPDATES_RESIDENT = frozenset({VERIFIED, MOVED})

# How an item came to its officer.
BY_BEAT = "beat"
ROUND_ROBIN = "round_robin"
REASSIGNED = "reassigned"
UNASSIGNED = "unassigned"
HOW = (BY_BEAT, ROUND_ROBIN, REASSIGNED, UNASSIGNED)


class CampaignError(ValueError):
    """A move the rules do not allow; `code` names it for the interface."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Item:
    state: str = OPEN
    outcome: str = ""
    attempts: int = 0
    outcome_at: dt.datetime | None = None
    late: bool = False
    visit_team: tuple[str, str, str] | None = None  # officer, community worker, medic


def record(item: Item, outcome: str, now: dt.datetime, *, campaign_open: bool = True,
           visit_team: tuple[str, str, str] | None = None) -> Item:
    """The item after the officer records `outcome` at `now`.

    "Needs a door visit" asks for the three-person team (all three names) unless one is
    already arranged; a visit's own outcome finishes the item. A closed campaign takes no
    more outcomes.
    """
    if not campaign_open:
        raise CampaignError("closed")
    if outcome not in OUTCOMES:
        raise CampaignError("outcome")
    team = visit_team if visit_team is not None else item.visit_team
    if outcome == DOOR_VISIT:
        if team is None or not all(name.strip() for name in team):
            raise CampaignError("team")
        return dataclasses.replace(item, state=VISIT, outcome=outcome, attempts=item.attempts + 1,
                                   outcome_at=now, visit_team=tuple(name.strip() for name in team))  # type: ignore[arg-type]
    return dataclasses.replace(item, state=DONE, outcome=outcome, attempts=item.attempts + 1, outcome_at=now,
                               visit_team=team)


def is_finished(state: str) -> bool:
    return state == DONE


def late_at(state: str, deadline: dt.datetime, now: dt.datetime) -> bool:
    """An item not done by the deadline is late (and stays marked when done later)."""
    return state != DONE and now >= deadline


# -- sharing the list out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    officer: int | None
    how: str


def assign(beats: Sequence[int | None], beat_officer: Mapping[int, int], pool: Sequence[int], *,
           start: int = 0) -> list[Assignment]:
    """Who gets each item: the officer of its beat; else the community team in turn.

    `beats[i]` is item i's beat (None when its address is unknown or has no beat);
    `beat_officer` maps a beat to its responsible officer; `pool` is the community team in
    a fixed order, and `start` where the turn begins (so consecutive lists do not always
    begin with the same person). With an empty pool, items without a beat officer stay
    unassigned and the commander shares them out by hand.
    """
    turn = start
    result: list[Assignment] = []
    for beat in beats:
        officer = beat_officer.get(beat) if beat is not None else None
        if officer is not None:
            result.append(Assignment(officer, BY_BEAT))
        elif pool:
            result.append(Assignment(pool[turn % len(pool)], ROUND_ROBIN))
            turn += 1
        else:
            result.append(Assignment(None, UNASSIGNED))
    return result


# -- burn-down -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One item as the burn-down sees it."""

    key: int | None  # the officer's (or beat's) id; None: nobody's
    state: str
    done_at: dt.datetime | None = None  # when it was finished (the outcome time), if done
    late: bool = False


@dataclass
class Tally:
    key: int | None
    total: int = 0
    done: int = 0
    visit: int = 0
    late: int = 0

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


@dataclass
class BurnDown:
    start: dt.datetime
    deadline: dt.datetime
    now: dt.datetime
    total: Tally
    groups: list[Tally] = field(default_factory=list)
    # (time, items still open) from the start to now, one point per step, then the ideal line.
    remaining: list[tuple[dt.datetime, int]] = field(default_factory=list)
    ideal: list[tuple[dt.datetime, int]] = field(default_factory=list)

    @property
    def minutes_left(self) -> int:
        return int((self.deadline - self.now).total_seconds() // 60)

    @property
    def overdue(self) -> bool:
        return self.now >= self.deadline and self.total.open > 0

    @property
    def expected_done(self) -> int:
        """How many should be done by now to finish evenly by the deadline."""
        span = (self.deadline - self.start).total_seconds()
        if span <= 0 or self.now >= self.deadline:
            return self.total.total
        gone = max(0.0, (self.now - self.start).total_seconds())
        return int(self.total.total * gone / span)

    @property
    def behind(self) -> bool:
        return self.total.done < self.expected_done

    def projected_finish(self) -> dt.datetime | None:
        """At the pace so far, when the last item would be done (None: no pace yet)."""
        if self.total.open == 0:
            return max((at for at, _ in self.remaining), default=self.now)
        gone = (self.now - self.start).total_seconds()
        if self.total.done == 0 or gone <= 0:
            return None
        per_second = self.total.done / gone
        return self.now + dt.timedelta(seconds=self.total.open / per_second)


def tally(rows: Iterable[Row]) -> tuple[Tally, list[Tally]]:
    """The whole list and one tally per key (officer or beat), most open first."""
    total = Tally(None)
    groups: dict[int | None, Tally] = {}
    for row in rows:
        group = groups.setdefault(row.key, Tally(row.key))
        for each in (total, group):
            each.total += 1
            each.done += row.state == DONE
            each.visit += row.state == VISIT
            each.late += row.late
    ordered = sorted(groups.values(), key=lambda t: (-t.open, -t.total, t.key is None, t.key or 0))
    return total, ordered


def burn_down(rows: Sequence[Row], start: dt.datetime, deadline: dt.datetime, now: dt.datetime, *,
              points: int = 24) -> BurnDown:
    """Progress against the deadline: tallies, the open count over time, the ideal line."""
    total, groups = tally(rows)
    result = BurnDown(start=start, deadline=deadline, now=now, total=total, groups=groups)
    end = min(now, deadline) if now < deadline else now
    span = max((end - start).total_seconds(), 1.0)
    finished = sorted(row.done_at for row in rows if row.state == DONE and row.done_at is not None)
    step = span / max(points, 1)
    index = 0
    open_count = total.total
    for i in range(points + 1):
        at = start + dt.timedelta(seconds=step * i)
        while index < len(finished) and finished[index] <= at:
            index += 1
        result.remaining.append((at, open_count - index))
    # Finished items with no time (should not happen) still count at the end.
    if result.remaining:
        result.remaining[-1] = (result.remaining[-1][0], total.open)
    result.ideal = [(start, total.total), (deadline, 0)]
    return result


# -- reminders -------------------------------------------------------------------------------------


def reminder_due(deadline: dt.datetime, now: dt.datetime, remind_before: dt.timedelta,
                 last_reminded: dt.datetime | None) -> str:
    """Which reminder to send now, or "": "soon" once when `remind_before` is left,
    "final" once in the last quarter of that (at least five minutes), none after the
    deadline (the deadline itself marks the late items)."""
    if now >= deadline:
        return ""
    final_before = max(remind_before / 4, dt.timedelta(minutes=5))
    if now >= deadline - final_before:
        if last_reminded is None or last_reminded < deadline - final_before:
            return "final"
        return ""
    if now >= deadline - remind_before and last_reminded is None:
        return "soon"
    return ""
