"""Repeat places and callers (`/analysis/repeats/`) and the disputes ranked by the risk of
turning violent (`/analysis/escalation/`), for the command room, the community team and
the leaders. Thin: the figures come from `repeats` (reads) and `escalation` (pure);
phones are masked there; the reasons are put in words here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.intake.models import Category
from fengqiao.intake.views import station_of
from fengqiao.organisation.selectors import stations_for

from . import escalation, repeats

PERIODS = [(7, gettext_lazy("Last 7 days")), (30, gettext_lazy("Last 30 days")), (90, gettext_lazy("Last 90 days")),
           (365, gettext_lazy("Last 365 days"))]
MINIMUMS = [(2, "2"), (3, "3"), (5, "5"), (10, "10")]
SHOW_ROWS = 100


class RepeatsForm(forms.Form):
    days = forms.TypedChoiceField(label=gettext_lazy("Period"), choices=PERIODS, coerce=int, required=False)
    minimum = forms.TypedChoiceField(label=gettext_lazy("At least"), choices=MINIMUMS, coerce=int, required=False)

    def period(self) -> tuple[int, int]:
        data = self.cleaned_data if self.is_valid() else {}
        return int(data.get("days") or 30), int(data.get("minimum") or repeats.DEFAULT_MINIMUM)


@login_required
@permission_required("analysis.view_analysis", raise_exception=True)
def repeats_page(request: HttpRequest) -> HttpResponse:
    """Repeat addresses and repeat callers of one station over a period."""
    station = station_of(request)
    form = RepeatsForm(request.GET or None)
    days, minimum = form.period()
    now = timezone.now()
    start = now - dt.timedelta(days=days)
    places = repeats.repeat_addresses([station.pk], start, now, minimum=minimum)
    callers = repeats.repeat_callers([station.pk], start, now, minimum=minimum)
    return render(request, "analysis/repeats.html", {
        "station": station, "stations": list(stations_for(request.user)), "form": form, "days": days,
        "minimum": minimum, "places": places[:SHOW_ROWS], "callers": callers[:SHOW_ROWS],
        "places_total": len(places), "callers_total": len(callers),
    })


# -- escalation -------------------------------------------------------------------------------------


def reason_text(reason: escalation.Reason, category_names: dict[str, str]) -> str:
    """One reason in words (the Chinese is in the translations)."""
    values: dict[str, Any] = {"count": reason.count, "days": reason.days, "before": reason.before}
    if reason.code == escalation.REASON_CALLS:
        if reason.match == escalation.BY_ADDRESS:
            return _("The same address called %(count)s times in the last %(days)s days") % values
        if reason.match == escalation.BY_PHONE:
            return _("The parties' phones called %(count)s times in the last %(days)s days") % values
        return _("Callers with the parties' names called %(count)s times in the last %(days)s days") % values
    if reason.code == escalation.REASON_VIOLENT:
        kinds = "、".join(category_names.get(code, code) for code in reason.categories)
        return _("Violent incidents before: %(kinds)s (%(count)s)") % {"kinds": kinds, "count": reason.count}
    if reason.code == escalation.REASON_RISING:
        return _("Calls rising: %(count)s in the last 30 days against %(before)s in the 60 days before") % values
    return reason.code


def category_names(station_id: int) -> dict[str, str]:
    return dict(Category.objects.for_stations([station_id]).values_list("code", "label_zh"))


def level_label(level: str) -> str:
    return {escalation.LEVEL_HIGH: _("High"), escalation.LEVEL_MEDIUM: _("Medium")}.get(level, _("Low"))


def may_see_escalation(user: Any) -> bool:
    return bool(user.has_perm("analysis.view_analysis") and user.has_perm("community.view_dispute"))


@login_required
def escalation_page(request: HttpRequest) -> HttpResponse:
    """The open disputes, highest risk of turning violent first (the reader's beat first), with the reasons."""
    if not may_see_escalation(request.user):
        raise PermissionDenied
    station = station_of(request)
    ranked = repeats.ranked_disputes(station.pk, user=request.user)
    names = category_names(station.pk)
    rows = [
        {"dispute": row.dispute, "assessment": row.assessment, "own_beat": row.own_beat,
         "level_label": level_label(row.assessment.level),
         "reasons": [reason_text(reason, names) for reason in row.assessment.reasons]}
        for row in ranked
    ]
    return render(request, "analysis/escalation.html", {
        "station": station, "stations": list(stations_for(request.user)), "rows": rows,
        "own_beat_count": sum(1 for row in rows if row["own_beat"]),
        "half_life": int(escalation.Params().half_life_days),
    })
