"""The department portal (职能部门工作台): a partner department's own list of what was sent to
it, each item's page, and its moves (receive, start, ask for more time, report the result,
return as not ours, note). Made for a phone as much as a desk.

A department member sees only the transfers sent to their own department: anything else
answers 404 (the attempt is audited when the transfer exists). Nothing else of a station
is reachable from here. The caller's number is masked; revealing it needs a reason and is
written to the audit log in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused, record_personal_view
from fengqiao.core.htmx import answer_move, is_htmx

from . import selectors, services
from .access import department_transfer_or_404
from .forms import DEPARTMENT_FORMS
from .models import DepartmentMember, Transfer
from .views import decorate

# The department's moves as the portal offers them.
ACTION_LABELS = {
    "receive": gettext_lazy("Receive"),
    "start": gettext_lazy("Start work"),
    "extend": gettext_lazy("Ask for more time"),
    "report": gettext_lazy("Report the result"),
    "return": gettext_lazy("Return: not ours"),
    "note": gettext_lazy("Add a note"),
}
TAB_LABELS = {
    selectors.NEW: gettext_lazy("New"),
    selectors.DOING: gettext_lazy("In progress"),
    selectors.REPORTED: gettext_lazy("Reported"),
    selectors.CLOSED: gettext_lazy("Closed"),
}
LIST_LIMIT = 200


def _navigation() -> list[dict[str, Any]]:
    """A department member's only place in the system (replaces the station's navigation)."""
    return [{"url": reverse("portal:home"), "label": _("Transfers sent to us"), "active": True}]


def _member(request: HttpRequest) -> DepartmentMember:
    """The department the user works for; 403 for anybody who is not a department member."""
    member = selectors.membership(request.user)
    if member is None or not request.user.has_perm("transfers.work_transfer"):
        raise PermissionDenied
    return member


def _item(request: HttpRequest, member: DepartmentMember, pk: int) -> Transfer:
    return department_transfer_or_404(member, pk, user=request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The department's transfers by tab: new, in progress, reported, closed; soonest deadline first."""
    member = _member(request)
    tab = request.GET.get("tab", selectors.NEW)
    if tab not in selectors.TABS:
        tab = selectors.NEW
    rows = selectors.for_department(member.department_id)
    now = timezone.now()
    items = [decorate(transfer, now) for transfer in selectors.in_tab(selectors.with_last_update(rows), tab)[:LIST_LIMIT]]
    context = {
        "member": member, "department": member.department, "tab": tab, "items": items, "navigation": _navigation(),
        "tabs": [(key, TAB_LABELS[key], count) for key, count in selectors.tab_counts(rows).items()],
    }
    if is_htmx(request):
        return render(request, "transfers/portal/_list.html", context)
    return render(request, "transfers/portal/home.html", context)


def _context(request: HttpRequest, member: DepartmentMember, transfer: Transfer, *, forms: dict[str, Any] | None = None,
             message: str = "", error: str = "", open_action: str = "") -> dict[str, Any]:
    decorate(transfer, timezone.now())
    actions = services.allowed_actions(transfer, request.user)
    forms = dict(forms or {})
    for action in actions:
        forms.setdefault(action, DEPARTMENT_FORMS[action]())
    clock = selectors.clock_of(transfer.station_id)
    return {
        "member": member, "department": member.department, "transfer": transfer, "updates": selectors.updates_of(transfer),
        "navigation": _navigation(),
        "actions": [(action, ACTION_LABELS[action], forms[action]) for action in actions],
        "message": message, "error": error, "open_action": open_action,
        "extensions_left": max(clock.max_extensions - transfer.extensions, 0), "max_extension_days": clock.max_extension_days,
    }


def _render(request: HttpRequest, member: DepartmentMember, transfer: Transfer, *, status: int = 200,
            **extra: Any) -> HttpResponse:
    context = _context(request, member, transfer, **extra)
    if is_htmx(request):
        return render(request, "transfers/portal/_item_main.html", context, status=status)
    if transfer.caller_name:
        record_personal_view(transfer, fields=["caller_name", "caller_phone"], user=request.user,
                             reason=f"department portal {transfer.number}")
    return render(request, "transfers/portal/item.html", context, status=status)


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    return _render(request, member, _item(request, member, pk))


_DONE = {
    "receive": lambda: _("Received."),
    "start": lambda: _("Work started."),
    "extend": lambda: _("New deadline recorded."),
    "report": lambda: _("Result reported; the police station will ask the caller."),
    "return": lambda: _("Returned to the police station."),
    "note": lambda: _("Note added."),
}


@login_required
@require_POST
def action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the department on one of its transfers."""
    member = _member(request)
    transfer = _item(request, member, pk)
    if action not in DEPARTMENT_FORMS:
        raise Http404
    form = DEPARTMENT_FORMS[action](request.POST)
    answer = answer_move(
        request, form, lambda data: services.do_action(
            transfer, action, user=request.user, notes=data.get("notes", ""), reason=data.get("reason", ""),
            result=data.get("result", ""), new_deadline=data.get("new_deadline")),
        refused=services.TransferRefused, done=lambda _transfer_: _DONE[action](),
        back=reverse("portal:item", args=[transfer.pk]),
        page=lambda **answer: _render(request, member, _item(request, member, pk), **answer))
    if answer is not None:
        return answer
    return _render(request, member, _item(request, member, pk), status=422, forms={action: form}, open_action=action)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The caller's full number, to call them back; a reason is needed and audited."""
    member = _member(request)
    transfer = _item(request, member, pk)
    try:
        phone = services.reveal_caller_phone(transfer, user=request.user, reason=request.POST.get("reason", ""))
    except RevealRefused as refused:
        text = (_("Give the reason for revealing this number.") if str(refused) == "reason"
                else _("Your role may not reveal callers' numbers."))
        return render(request, "transfers/_revealed.html", {"error": text}, status=422 if str(refused) == "reason" else 403)
    return render(request, "transfers/_revealed.html", {"phone": phone})
