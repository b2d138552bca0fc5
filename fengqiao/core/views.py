"""The station home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from fengqiao.dispatch.loops import open_loops
from fengqiao.organisation import selectors
from fengqiao.organisation.services import beats_feature_collection, officers_feature_collection


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The station at a glance: its beats on the map, its teams, who is on duty now."""
    user = request.user
    stations = list(selectors.stations_for(user))
    if not stations and hasattr(user, "department_membership"):
        return redirect("portal:home")  # a partner department's user has no station: their page is the portal
    if not stations and hasattr(user, "unit_membership"):
        return redirect("unit:home")  # a specialised unit's member has no station: their page is the unit portal
    station_id = request.GET.get("station")
    station = next((s for s in stations if str(s.pk) == station_id), stations[0] if stations else None)
    context: dict[str, object] = {"stations": stations, "station": station}
    # Minimum necessary: an auxiliary sees the beats, not the station's people.
    sees_people = user.has_perm("organisation.view_officer") and user.has_perm("organisation.view_team")
    context["sees_people"] = sees_people
    if station is not None:
        beats = list(selectors.beats_of(user, station))
        teams = list(selectors.teams_with_members(user, station)) if sees_people else []
        on_duty = list(selectors.on_duty_officers(user, station)) if sees_people else []
        context.update({
            "beats": beats,
            "beats_geojson": beats_feature_collection(beats),
            "officers_geojson": officers_feature_collection(on_duty),
            "teams": [
                {
                    "team": team,
                    "size": len(team.members.all()),
                    "on_duty": [o for o in on_duty if o.team_id == team.pk],
                }
                for team in teams
            ],
            "on_duty_count": len(on_duty),
            # The leaders' overview of the loops after dispatch (the board shows the same).
            "loops": open_loops([station.pk]) if user.has_perm("cases.view_case") and user.has_perm(
                "transfers.view_transfer") and user.has_perm("organisation.view_officer") else None,
            "officer_count": sum(len(t.members.all()) for t in teams),
        })
    return render(request, "core/home.html", context)
