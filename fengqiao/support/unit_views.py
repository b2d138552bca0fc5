"""The unit portal (/unit/): a specialised unit's members answer the stations' requests on their phones.

A member sees only the requests addressed to their own unit — what waits for acceptance,
what is accepted or in progress, what is done — and nothing else of any station: another
unit's request answers 404 (audited), and the pages show no caller and no incident beyond
its number. The contact officer's phone is masked; a member may reveal it to call them,
which is written to the audit log (POST to …/reveal/ with a reason).

Plain forms, no script needed: a move posts and comes back to the request's page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused, reveal
from fengqiao.organisation.models import Officer

from . import selectors, services
from .forms import UNIT_FORMS, apply_errors
from .models import SupportRequest, UnitMember

PAGE_SIZE = 30
TAB_LABELS = {
    selectors.WAITING: gettext_lazy("Waiting for acceptance"),
    selectors.ACTIVE: gettext_lazy("Accepted / in progress"),
    selectors.DONE: gettext_lazy("Finished"),
}
ACTION_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "start": gettext_lazy("We are at work"),
    "progress": gettext_lazy("Add a progress note"),
    "complete": gettext_lazy("Report completion"),
}
_DONE = {
    "accept": lambda: _("Accepted: you answer for this request."),
    "decline": lambda: _("Declined: the station was told."),
    "start": lambda: _("Marked as at work."),
    "progress": lambda: _("Progress note sent."),
    "complete": lambda: _("Completion reported."),
}
_SERVICES = {
    "accept": lambda support, user, data: services.do_accept(support, user=user, notes=data.get("notes", "")),
    "decline": lambda support, user, data: services.do_decline(support, user=user, reason=data["reason"]),
    "start": lambda support, user, data: services.do_start(support, user=user, notes=data.get("notes", "")),
    "progress": lambda support, user, data: services.do_progress(support, user=user, notes=data["notes"]),
    "complete": lambda support, user, data: services.do_complete(support, user=user, report=data["report"]),
}


def _member(request: HttpRequest) -> UnitMember:
    member = selectors.member_of(request.user)
    if member is None:
        raise PermissionDenied
    return member


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The unit's requests in three tabs, the most pressing first."""
    member = _member(request)
    tab = request.GET.get("tab", selectors.WAITING)
    if tab not in selectors.TAB_STATES:
        tab = selectors.WAITING
    now = timezone.now()
    rows = selectors.unit_requests(member)
    counts = rows.aggregate(**{name: Count("pk", filter=Q(state__in=states)) for name, states in selectors.TAB_STATES.items()})
    listed = rows.filter(state__in=selectors.TAB_STATES[tab])
    listed = listed.order_by("-requested_at", "-id") if tab == selectors.DONE else selectors.ordered(listed, now)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    for support in page:
        selectors.decorate(support, now)
        support.actions = services.unit_actions(support, member)
    tabs = [(name, TAB_LABELS[name], counts[name]) for name in selectors.TAB_STATES]
    return render(request, "support/unit/home.html", {"member": member, "unit": member.unit, "tab": tab, "tabs": tabs,
                                                      "page": page})


def _detail(request: HttpRequest, member: UnitMember, support: SupportRequest, *, status: int = 200,
            forms: dict[str, Any] | None = None, error: str = "", revealed: str = "", reveal_error: str = "") -> HttpResponse:
    now = timezone.now()
    selectors.decorate(support, now)
    actions = services.unit_actions(support, member)
    forms = dict(forms or {})
    for action in actions:
        forms.setdefault(action, UNIT_FORMS[action]())
    return render(request, "support/unit/detail.html", {
        "member": member, "unit": member.unit, "support": support, "updates": selectors.updates_of(support),
        "actions": [(action, ACTION_LABELS[action], forms[action]) for action in actions],
        "mine": support.accepted_by_id == member.pk, "error": error, "revealed": revealed, "reveal_error": reveal_error,
    }, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    return _detail(request, member, selectors.unit_request_or_404(member, request.user, pk))


@login_required
@require_POST
def action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the unit's moves: accept, decline (with the reason), start, progress note, complete (with the report)."""
    member = _member(request)
    support = selectors.unit_request_or_404(member, request.user, pk)
    if action not in UNIT_FORMS:
        raise Http404
    form = UNIT_FORMS[action](request.POST)
    if form.is_valid():
        try:
            _SERVICES[action](support, request.user, form.cleaned_data)
        except services.SupportRefused as refused:
            return _detail(request, member, selectors.unit_request_or_404(member, request.user, pk), status=409,
                           error=refused.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _DONE[action]())
            return redirect("unit:detail", pk=support.pk)
    return _detail(request, member, support, status=422, forms={action: form}, error=_("Please correct the form below."))


@login_required
@require_POST
def reveal_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact officer's full phone number, to call them; needs a reason and is audited."""
    member = _member(request)
    support = selectors.unit_request_or_404(member, request.user, pk)
    officer = Officer.objects.for_stations([support.station_id]).get(pk=support.contact_id)
    reason = (request.POST.get("reason") or "").strip()
    try:
        phone = reveal(officer, "phone", user=request.user, reason=f"{support.number}: {reason}" if reason else "",
                       permission="support.work_supportrequest", read=lambda: officer.phone)
    except RevealRefused:
        error = _("Give the reason for revealing this number.")
        if request.headers.get("HX-Request") == "true":
            return render(request, "support/unit/_revealed.html", {"error": error})
        return _detail(request, member, support, status=422, reveal_error=error)
    if request.headers.get("HX-Request") == "true":
        return render(request, "support/unit/_revealed.html", {"phone": phone})
    return _detail(request, member, support, revealed=phone)
