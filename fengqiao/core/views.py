"""The station home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fengqiao.organisation import selectors
from fengqiao.organisation.services import beats_feature_collection, officers_feature_collection


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The station at a glance: its beats on the map, its teams, who is on duty now."""
    user = request.user
    stations = list(selectors.stations_for(user))
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
            "officer_count": sum(len(t.members.all()) for t in teams),
        })
    return render(request, "core/home.html", context)
