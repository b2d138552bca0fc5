"""The station's transfer pages: the list, one transfer's page with its timeline and the
command room's moves (confirm with the caller, chase, withdraw), and the part of an
incident's page that shows its transfers or hands it to a department in one step.

Views read the request, call one selector or service and render; the services decide what
is allowed. A transfer of another station answers 404 (and the attempt is audited). Moves
are posted with htmx and answer with the page's main part (409 with the reason when
refused, 422 when a field is wrong); without htmx they redirect back to the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused, record_personal_view
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.htmx import answer_move, is_htmx
from fengqiao.core.masking import mask_identifiers_in
from fengqiao.intake.models import Incident
from fengqiao.intake.views import station_of
from fengqiao.organisation.selectors import stations_for

from . import selectors, services, wording
from .forms import STATION_FORMS, StationFilterForm, TransferForm, apply_errors
from .models import Transfer

PAGE_SIZE = 50
# The command room's moves as the transfer page offers them.
ACTION_LABELS = {
    "confirm": gettext_lazy("Confirm with the caller"),
    "chase": gettext_lazy("Chase the department"),
    "withdraw": gettext_lazy("Withdraw the transfer"),
}


def decorate(transfer: Transfer, now: Any) -> Transfer:
    """The figures a row shows: overdue, time left, who has it now."""
    transfer.overdue = selectors.is_overdue(transfer, now)
    transfer.time_left = wording.time_left(transfer.due_at, now) if transfer.is_open else ""
    transfer.not_delivered = transfer.delivered_at is None and transfer.is_open
    return transfer


# -- the list ----------------------------------------------------------------------------------------


@login_required
@permission_required("transfers.view_transfer", raise_exception=True)
def transfer_list(request: HttpRequest) -> HttpResponse:
    """The station's transfers: open ones by deadline, with filters by state, department, overdue."""
    station = station_of(request)
    departments = selectors.active_departments()
    data = request.GET.copy()
    data.setdefault("state", selectors.OPEN)
    form = StationFilterForm(data, departments=departments)
    now = timezone.now()
    rows = selectors.transfer_rows().for_user(request.user).filter(station=station)
    if form.is_valid():
        wanted = form.cleaned_data
        department = wanted["department"]
        rows = selectors.filter_station_rows(rows, state=wanted["state"] or selectors.OPEN,
                                             department=int(department) if department else None,
                                             overdue=wanted["overdue"], failing=wanted["failing"], now=now)
    rows = selectors.with_last_update(rows).order_by(F("due_at").asc(nulls_last=True), "-pushed_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for transfer in page:
        decorate(transfer, now)
    query = data.copy()
    query.pop("page", None)
    return render(request, "transfers/list.html", {
        "station": station, "stations": list(stations_for(request.user)), "form": form, "page": page,
        "query": query.urlencode(),
    })


# -- one transfer ------------------------------------------------------------------------------------


def _transfer(request: HttpRequest, pk: int) -> Transfer:
    return get_for_user_or_404(selectors.transfer_rows(), request.user, pk=pk)


def _context(request: HttpRequest, transfer: Transfer, *, forms: dict[str, Any] | None = None, message: str = "",
             error: str = "", open_action: str = "") -> dict[str, Any]:
    user = request.user
    decorate(transfer, timezone.now())
    actions = services.allowed_actions(transfer, user)
    forms = dict(forms or {})
    for action in actions:
        forms.setdefault(action, STATION_FORMS[action]())
    return {
        "transfer": transfer, "station": transfer.station, "updates": selectors.updates_of(transfer),
        "actions": [(action, ACTION_LABELS[action], forms[action]) for action in actions],
        "message": message, "error": error, "open_action": open_action,
        "may_reveal": user.has_perm("transfers.reveal_transfer_caller"),
        "extensions_left": max(selectors.clock_of(transfer.station_id).max_extensions - transfer.extensions, 0),
    }


def _render(request: HttpRequest, transfer: Transfer, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _context(request, transfer, **extra)
    if is_htmx(request):
        return render(request, "transfers/_detail_main.html", context, status=status)
    if transfer.caller_name:
        record_personal_view(transfer, fields=["caller_name", "caller_phone"], user=request.user,
                             reason=f"transfer {transfer.number}")
    return render(request, "transfers/detail.html", context, status=status)


@login_required
@permission_required("transfers.view_transfer", raise_exception=True)
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _transfer(request, pk))


def _done(action: str, transfer: Transfer) -> str:
    if action == "confirm" and transfer.state == Transfer.State.CONFIRMED:
        return _("Confirmed with the caller; the incident is closed.")
    if action == "confirm":
        return _("Sent back to %(department)s with a new deadline.") % {"department": transfer.department.name}
    if action == "chase":
        return _("The department was chased.")
    return _("Transfer withdrawn; the incident is back with the command room.")


@login_required
@permission_required("transfers.view_transfer", raise_exception=True)
@require_POST
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the command room: confirm (with the caller's answer), chase, withdraw."""
    transfer = _transfer(request, pk)
    if action not in STATION_FORMS:
        raise Http404
    form = STATION_FORMS[action](request.POST)
    answer = answer_move(
        request, form, lambda data: services.do_action(
            transfer, action, user=request.user, notes=data.get("notes", ""), reason=data.get("reason", ""),
            answer=data.get("answer", ""), new_deadline=data.get("new_deadline")),
        refused=services.TransferRefused, done=lambda changed: _done(action, changed),
        back=reverse("transfers:detail", args=[transfer.pk]),
        page=lambda **answer: _render(request, _transfer(request, pk), **answer))
    if answer is not None:
        return answer
    return _render(request, _transfer(request, pk), status=422, forms={action: form}, open_action=action)


@login_required
@permission_required("transfers.view_transfer", raise_exception=True)
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The caller's full number in place of the masked one (htmx); needs the permission and a reason."""
    transfer = _transfer(request, pk)
    try:
        phone = services.reveal_caller_phone(transfer, user=request.user, reason=request.POST.get("reason", ""))
    except RevealRefused as refused:
        text = (_("Give the reason for revealing this number.") if str(refused) == "reason"
                else _("Your role may not reveal callers' numbers."))
        return render(request, "transfers/_revealed.html", {"error": text}, status=403 if str(refused) != "reason" else 422)
    return render(request, "transfers/_revealed.html", {"phone": phone})


# -- the incident's part -------------------------------------------------------------------------------


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    if not request.user.has_perm("intake.view_incident"):
        raise PermissionDenied
    return get_for_user_or_404(Incident.objects.select_related("category", "category__family", "station", "address"), request.user,
                               pk=incident_id)


def _incident_part(request: HttpRequest, incident: Incident, *, form: TransferForm | None = None, status: int = 200,
                   message: str = "", error: str = "") -> HttpResponse:
    now = timezone.now()
    transfers = [decorate(transfer, now) for transfer in selectors.transfers_of(incident)]
    context: dict[str, Any] = {"incident": incident, "transfers": transfers, "message": message, "error": error}
    if services.may_transfer(incident, request.user):
        route = services.route_for(incident)
        departments = selectors.active_departments()
        if form is None:
            form = TransferForm(departments=departments, initial={
                "department": str(route.department.pk) if route.department else "",
                "description": mask_identifiers_in(incident.summary)[:2000]})
        context.update(form=form, route=route, departments=departments, orders_out=selectors.has_active_orders(incident),
                       result_due=now + dt.timedelta(hours=route.result_hours),
                       suggested=incident.route == "transfer")
    return render(request, "transfers/_incident_part.html", context, status=status)


@login_required
@permission_required("transfers.view_transfer", raise_exception=True)
def incident_part(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The incident's transfers, or the form to transfer it (loaded into the incident page)."""
    return _incident_part(request, _incident(request, incident_id))


@login_required
@permission_required("transfers.add_transfer", raise_exception=True)
@require_POST
def transfer_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """移交: the incident goes to a department, in one step."""
    incident = _incident(request, incident_id)
    form = TransferForm(request.POST, departments=selectors.active_departments())
    if form.is_valid():
        try:
            transfer = services.do_transfer(incident, user=request.user, description=form.cleaned_data["description"],
                                            department=form.chosen_department())
        except services.TransferRefused as refused:
            if not is_htmx(request):
                messages.error(request, refused.message)
                return redirect("incidents:detail", pk=incident.pk)
            return _incident_part(request, _incident(request, incident_id), status=409, error=refused.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            done = _("Transferred to %(department)s as %(number)s.") % {
                "department": transfer.department.name, "number": transfer.number}
            if not is_htmx(request):
                messages.success(request, done)
                return redirect("transfers:detail", pk=transfer.pk)
            return _incident_part(request, _incident(request, incident_id), message=done)
    if not is_htmx(request):
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("incidents:detail", pk=incident.pk)
    return _incident_part(request, incident, form=form, status=422)
