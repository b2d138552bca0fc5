"""The case pages: the case team's list, one case's page with its moves, and the part of
an incident's page that shows its case or accepts it as one.

Views read the request, call one selector or service and render; the services decide what
is allowed. A case of another station answers 404 (and the attempt is audited). Moves are
posted with htmx and answer with the case's main part (409 with the reason when refused,
422 when a field is wrong); without htmx they redirect back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.audit.services import record_personal_view
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.htmx import answer_move, is_htmx
from fengqiao.intake.models import Incident
from fengqiao.intake.views import station_of
from fengqiao.organisation.models import Team
from fengqiao.organisation.selectors import stations_for

from . import machine, selectors, services, wording
from .forms import ACTION_FORMS, MINE, AcceptForm, CaseFilterForm, ReassignForm, apply_errors
from .models import Case

PAGE_SIZE = 50
# The moves as the case page offers them.
ACTION_LABELS = {
    "file": gettext_lazy("File the case"),
    "not_file": gettext_lazy("Do not file"),
    "clear": gettext_lazy("Clear the case"),
    "decide": gettext_lazy("Record the decision"),
    "close": gettext_lazy("Close the file"),
    "terminate": gettext_lazy("Terminate the case"),
    "extend": gettext_lazy("Extend the time limit"),
    "reassign": gettext_lazy("Hand to another officer"),
}


def _officer(request: HttpRequest) -> Any:
    return getattr(request.user, "officer", None)


def _decorate(case: Case, now: Any) -> Case:
    case.overdue = case.is_open and case.due_at is not None and case.due_at < now
    case.time_left = wording.time_left(case.due_at, now) if case.is_open else ""
    return case


# -- the list ----------------------------------------------------------------------------------------


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    """The case team's cases: open ones by deadline; a case officer sees their own first."""
    station = station_of(request)
    officers = list(selectors.case_officers(station.pk))
    data = request.GET.copy()
    officer = _officer(request)
    is_case_officer = officer is not None and officer.team.kind == Team.Kind.CASE
    if "lead" not in data and is_case_officer:
        data["lead"] = MINE
    data.setdefault("state", selectors.OPEN)
    form = CaseFilterForm(data, officers=officers)
    rows = selectors.cases_for(request.user).filter(station=station)
    if form.is_valid():
        wanted = form.cleaned_data
        lead = wanted["lead"]
        rows = selectors.filter_cases(
            rows, state=wanted["state"] or selectors.OPEN, kind=wanted["kind"],
            lead=int(lead) if lead and lead.isdigit() else None,
            mine=officer if lead == MINE and officer is not None else None, overdue=wanted["overdue"])
    else:
        rows = selectors.filter_cases(rows)  # a filter that makes no sense shows what is open
    page = Paginator(selectors.ordered(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for case in page:
        _decorate(case, now)
    query = data.copy()
    query.pop("page", None)
    return render(request, "cases/list.html", {
        "station": station, "stations": list(stations_for(request.user)), "form": form, "page": page,
        "query": query.urlencode(), "mine": data.get("lead") == MINE,
    })


# -- one case ----------------------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int) -> Case:
    return get_for_user_or_404(selectors.case_rows().prefetch_related("assistants"), request.user, pk=pk)


def _case_context(request: HttpRequest, case: Case, *, forms: dict[str, Any] | None = None, message: str = "",
                  error: str = "", open_action: str = "") -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    _decorate(case, now)
    actions = services.allowed_actions(case, user)
    officers = list(selectors.police_officers(case.station_id)) if "reassign" in actions else []
    forms = dict(forms or {})
    for action in actions:
        if action not in forms:
            form_class = ACTION_FORMS[action]
            forms[action] = form_class(officers=officers) if form_class is ReassignForm else form_class()
    limit = selectors.station_limits(case.station_id).of(case.kind, case.stage) if case.stage else None
    return {
        "case": case, "station": case.station, "assistants": list(case.assistants.all()),
        "reasons": wording.assignment_lines(case.assignment), "log": selectors.log_of(case),
        "actions": [(action, ACTION_LABELS[action], forms[action]) for action in actions], "message": message, "error": error, "open_action": open_action,
        "limit": limit, "extensions_left": (limit.max_extensions - case.extensions) if limit else 0,
        "on_the_case": selectors.on_the_case(case, user),
    }


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _case_context(request, case, **extra)
    if is_htmx(request):
        return render(request, "cases/_case_main.html", context, status=status)
    incident = case.incident
    calls = selectors.calls_of(incident)
    for call in calls:
        if call.caller_name or call.caller_phone:
            record_personal_view(call, fields=["caller_name", "caller_phone"], user=request.user,
                                 reason=f"case {case.number}")
    context.update(incident=incident, calls=calls, orders=selectors.orders_of(incident),
                   sees_orders=request.user.has_perm("dispatch.view_dispatch"))
    return render(request, "cases/detail.html", context, status=status)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case(request, pk))


_DONE = {
    "file": lambda: _("Case filed."),
    "not_file": lambda: _("Case closed without filing."),
    "clear": lambda: _("Case cleared."),
    "decide": lambda: _("Decision recorded."),
    "close": lambda: _("Case closed."),
    "terminate": lambda: _("Case terminated."),
    "extend": lambda: _("Time limit extended."),
    "reassign": lambda: _("Case handed to another officer."),
}


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the case (file, not_file, clear, decide, close, terminate, extend, reassign)."""
    case = _case(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form_class = ACTION_FORMS[action]
    if form_class is ReassignForm:
        form: Any = ReassignForm(request.POST, officers=list(selectors.police_officers(case.station_id)))
    else:
        form = form_class(request.POST)
    answer = answer_move(
        request, form, lambda data: services.do_action(
            case, action, user=request.user, reason=data.get("reason", ""), note=data.get("note", ""),
            how=data.get("how", ""), decision=data.get("decision", ""),
            officer=form.chosen() if isinstance(form, ReassignForm) else None, cleared_at=data.get("cleared_at")),
        refused=services.CaseRefused, done=lambda _case_: _DONE[action](), back=reverse("cases:detail", args=[case.pk]),
        page=lambda **answer: _render_case(request, _case(request, pk), **answer))
    if answer is not None:
        return answer
    return _render_case(request, _case(request, pk), status=422, forms={action: form}, open_action=action)


# -- the incident's part -----------------------------------------------------------------------------


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    if not request.user.has_perm("intake.view_incident"):
        raise PermissionDenied
    return get_for_user_or_404(Incident.objects.select_related("category", "category__family", "station", "address"),
                               request.user, pk=incident_id)


def _incident_part(request: HttpRequest, incident: Incident, *, form: AcceptForm | None = None, status: int = 200,
                   message: str = "", error: str = "") -> HttpResponse:
    case = selectors.case_of(incident)
    context: dict[str, Any] = {"incident": incident, "case": case, "message": message, "error": error}
    if case is not None:
        _decorate(case, timezone.now())
    elif selectors.may_accept(incident, request.user):
        officers = list(selectors.police_officers(incident.station_id))
        if form is None:
            form = AcceptForm(officers=officers, initial={
                "kind": request.GET.get("kind") or services.default_kind(incident),
                "complexity": request.GET.get("complexity") or machine.ORDINARY,
                "title": request.GET.get("title", ""), "lead": request.GET.get("lead", "")})
        complexity = str(form["complexity"].value() or machine.ORDINARY)
        if complexity not in machine.COMPLEXITIES:
            complexity = machine.ORDINARY
        choice = selectors.recommend(incident.station_id, complexity)
        team = [(officer.name, officer.on_duty, officer.figures.render(_)) for officer in choice.considered]
        context.update(form=form, choice=choice, reasons=[reason.render(_) for reason in choice.reasons], team=team,
                       orders_out=selectors.active_orders(incident), default_title=services.default_title(incident))
    return render(request, "cases/_incident_part.html", context, status=status)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def incident_part(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The case of this incident, or the form to accept it as one (loaded into the incident page)."""
    return _incident_part(request, _incident(request, incident_id))


@login_required
@permission_required("cases.add_case", raise_exception=True)
@require_POST
def accept(request: HttpRequest, incident_id: int) -> HttpResponse:
    """受案: the incident becomes a case, in one step."""
    incident = _incident(request, incident_id)
    form = AcceptForm(request.POST, officers=list(selectors.police_officers(incident.station_id)))
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.do_accept_case(incident, user=request.user, kind=data["kind"], complexity=data["complexity"],
                                           title=data["title"], lead=form.chosen_lead())
        except services.CaseRefused as refused:
            if not is_htmx(request):
                messages.error(request, refused.message)
                return redirect("incidents:detail", pk=incident.pk)
            return _incident_part(request, _incident(request, incident_id), status=409, error=refused.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            done = _("Accepted as case %(number)s, lead officer %(lead)s.") % {"number": case.number, "lead": case.lead.name}
            if not is_htmx(request):
                messages.success(request, done)
                return redirect("cases:detail", pk=case.pk)
            return _incident_part(request, _incident(request, incident_id), message=done)
    if not is_htmx(request):
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("incidents:detail", pk=incident.pk)
    return _incident_part(request, incident, form=form, status=422)
