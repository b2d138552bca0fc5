"""Volunteer forces (群防群治): the teams, one team with its members and activities, a new team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.core.masking import mask_phone
from fengqiao.organisation.selectors import officer_for

from . import selectors, services
from .forms import ActivityForm, MemberForm, TeamForm, apply_errors
from .models import VolunteerMember, VolunteerTeam
from .views import station_of, visible_or_404


@login_required
@permission_required("community.view_volunteerteam", raise_exception=True)
def volunteer_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    since = timezone.now() - dt.timedelta(days=30)
    teams = list(
        selectors.teams_for(request.user).filter(station=station).select_related("beat", "officer")
        .annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
                  recent_activities=Count("activities", filter=Q(activities__started_at__gte=since), distinct=True))
        .order_by("-active", "name"))
    for team in teams:
        team.masked_phone = mask_phone(team.leader_phone)
    return render(request, "community/volunteer_list.html", {
        "station": station, "teams": teams, "members": sum(team.member_count for team in teams),
    })


@login_required
@permission_required("community.add_volunteerteam", raise_exception=True)
def volunteer_new(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = list(selectors.beats_for(request.user, station))
    officers = list(selectors.officers_of(station))
    mine = officer_for(request.user)
    form = TeamForm(request.POST or None, beats=beats, officers=officers, initial={
        "beat": selectors.default_beat_id(request.user, beats) or "", "officer": mine.pk if mine else ""})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                team = services.create_team(station, form.team(), user=request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Team %(name)s set up.") % {"name": team.name})
                return redirect("community:volunteer_detail", pk=team.pk)
    return render(request, "community/volunteer_form.html", {"station": station, "form": form}, status=status)


def _team(request: HttpRequest, pk: int) -> VolunteerTeam:
    return visible_or_404(VolunteerTeam.objects.select_related("station", "beat", "officer"), request.user, pk)


def _render_detail(request: HttpRequest, team: VolunteerTeam, *, status: int = 200, **forms: Any) -> HttpResponse:
    members = list(team.members.all().order_by("left_on", "name"))
    for member in members:
        member.masked_phone = mask_phone(member.phone)
    current = [member for member in members if member.left_on is None]
    activities = list(team.activities.select_related("officer").prefetch_related("members").order_by("-started_at")[:50])
    return render(request, "community/volunteer_detail.html", {
        "team": team, "station": team.station, "members": members, "current": current, "activities": activities,
        "leader_phone": mask_phone(team.leader_phone),
        "activity_form": forms.get("activity_form") or ActivityForm(members=current),
        "member_form": forms.get("member_form") or MemberForm(),
        "may_record": request.user.has_perm("community.add_volunteeractivity"),
        "may_change": request.user.has_perm("community.change_volunteerteam"),
        "open_section": forms.get("open_section", ""),
    }, status=status)


@login_required
@permission_required("community.view_volunteerteam", raise_exception=True)
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _team(request, pk))


@login_required
@require_POST
def volunteer_add_activity(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if not request.user.has_perm("community.add_volunteeractivity"):
        raise PermissionDenied
    current = list(team.members.filter(left_on__isnull=True).order_by("name"))
    form = ActivityForm(request.POST, members=current)
    if form.is_valid():
        mine = officer_for(request.user)
        officer_id = mine.pk if mine is not None and mine.station_id == team.station_id else None
        try:
            services.record_activity(team, form.activity(officer_id), user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("community:volunteer_detail", pk=team.pk)
    return _render_detail(request, team, status=422, activity_form=form, open_section="activity")


@login_required
@require_POST
def volunteer_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if not request.user.has_perm("community.change_volunteerteam"):
        raise PermissionDenied
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = services.add_member(team, form.member(), user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(name)s joined the team.") % {"name": member.name})
            return redirect("community:volunteer_detail", pk=team.pk)
    return _render_detail(request, team, status=422, member_form=form, open_section="member")


@login_required
@require_POST
def volunteer_member_leaves(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    team = _team(request, pk)
    if not request.user.has_perm("community.change_volunteerteam"):
        raise PermissionDenied
    member = VolunteerMember.objects.for_stations([team.station_id]).filter(team=team, pk=member_id).first()
    if member is None:
        raise Http404
    try:
        services.end_membership(member, user=request.user)
    except (services.Refused, ValidationError) as problem:
        messages.error(request, getattr(problem, "message", str(problem)))
    else:
        messages.success(request, _("%(name)s has left the team.") % {"name": member.name})
    return redirect("community:volunteer_detail", pk=team.pk)
