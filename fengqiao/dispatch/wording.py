"""The recommender's reasons and shortfalls in the reader's language.

`recommend` is pure and speaks in codes with values; the sentences are here, translated
like every other string of the interface.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import recommend

_REASONS = {
    "owns_beat": gettext_lazy("Responsible for beat %(beat)s"),
    "nearest_free": gettext_lazy("Nearest free %(team)s officer"),
    "same_team_free": gettext_lazy("Free %(team)s officer"),
    "case_team_on_duty": gettext_lazy("Case team on duty"),
    "standby_group": gettext_lazy("In the standby group"),
    "position_unknown": gettext_lazy("Position unknown, ranked after officers with a known position"),
    "position_stale": gettext_lazy("Last position %(age_min)s min old, ranked after officers with a recent one"),
}
_DISTANCE = gettext_lazy(", %(distance_km)s km, ETA %(eta_min)s min")
_SHORTFALLS = {
    "transfer_route": gettext_lazy("Transfer incidents go to a department, not to an officer"),
    "no_beat": gettext_lazy("The incident is in no known beat, so there is no beat officer to prefer"),
    "no_beat_officer": gettext_lazy("Nobody is responsible for beat %(beat)s"),
    "beat_officer_off_duty": gettext_lazy("%(name)s, responsible for beat %(beat)s, is not on duty"),
    "beat_officer_busy": gettext_lazy("%(name)s, responsible for beat %(beat)s, is busy with another order"),
    "beat_officer_on_standby": gettext_lazy("%(name)s, responsible for beat %(beat)s, is in the standby group"),
    "team_all_busy": gettext_lazy("Every %(team)s officer on duty is busy (%(busy)s)"),
    "team_none_on_duty": gettext_lazy("No %(team)s officer is on duty"),
    "incident_position_unknown": gettext_lazy("The incident has no position: no distances or ETAs, ordered by workload"),
    "no_position": gettext_lazy("Free officers without a recent position, ranked last in their tier: %(n)s"),
    "no_standby": gettext_lazy("Nobody is in the standby group"),
    "nobody_available": gettext_lazy("Nobody can be recommended: dispatch by hand or call for support"),
}
_TEAMS = {
    "community": gettext_lazy("community"),
    "case": gettext_lazy("case"),
    "standby": gettext_lazy("standby"),
    "command": gettext_lazy("command room"),
    "leadership": gettext_lazy("leadership"),
    "desk": gettext_lazy("desk"),
}
TIERS = {
    "beat": gettext_lazy("Owns the beat"),
    "team": gettext_lazy("Same team"),
    "standby": gettext_lazy("Standby"),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _say(templates: dict[str, Any], code: str, params: dict[str, Any]) -> str:
    template = templates.get(code)
    if template is None:
        return code
    words = _Blank(params)
    if isinstance(params.get("team"), str):
        words["team"] = str(_TEAMS.get(params["team"], params["team"]))
    sentence = str(template) % words
    if "distance_km" in params and "eta_min" in params:
        sentence += str(_DISTANCE) % words
    return sentence


def reason_text(reason: recommend.Reason) -> str:
    return _say(_REASONS, reason.code, dict(reason.params))


def shortfall_text(shortfall: recommend.Shortfall) -> str:
    return _say(_SHORTFALLS, shortfall.code, dict(shortfall.params))


def team_word(kind: str) -> str:
    return str(_TEAMS.get(kind, kind))


def candidate_out(candidate: recommend.Candidate) -> dict[str, Any]:
    return {
        "officer_id": candidate.officer_id, "name": candidate.name, "team": candidate.team, "tier": candidate.tier,
        "tier_label": str(TIERS.get(candidate.tier, candidate.tier)),
        "reasons": [reason_text(reason) for reason in candidate.reasons],
        "distance_m": candidate.distance_m, "eta_minutes": candidate.eta_minutes,
    }


def recommendation_out(recommendation: recommend.Recommendation) -> dict[str, Any]:
    return {
        "candidates": [candidate_out(candidate) for candidate in recommendation.candidates],
        "shortfall": [shortfall_text(shortfall) for shortfall in recommendation.shortfall],
    }


def why_for(recommendation: recommend.Recommendation, officer_id: int) -> dict[str, Any]:
    """What the order keeps of the recommendation: the officer's rank and reasons, or that the
    commander chose someone not on the list."""
    for rank, candidate in enumerate(recommendation.candidates, start=1):
        if candidate.officer_id == officer_id:
            out = candidate_out(candidate)
            return {"rank": rank, "tier": candidate.tier, "reasons": out["reasons"],
                    "distance_m": candidate.distance_m, "eta_minutes": candidate.eta_minutes}
    return {"rank": None, "tier": "", "reasons": [_("Chosen by the commander (not among the recommendations)")]}
