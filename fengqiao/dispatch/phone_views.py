"""The officer's phone page (警务通): my orders, one tap per step, the feedback form, my follow-ups.

Made for a 360-pixel screen held in a stairwell: each open order is a card with one big
button for the step that is due (签收 → 出发 → 到场 → 反馈) and a live countdown to that
step's deadline. Every change goes through a service of `services`; a view reads the
form, calls the service and answers with the piece of page that changed — or the same
piece with the refusal in words (409) or the field errors (422), which the page shows in
place. Without JavaScript the same forms post normally and come back to the page.

Who sees what:
- an officer sees and acts on their own orders and follow-ups only: another officer's
  order answers 404 exactly like another station's (and the attempt is audited);
- an auxiliary (辅警) sees the orders and follow-ups of their supervising officer,
  read-only, and reports their own duty status and position;
- a user with no officer record is told that this page is for officers.

Minimum necessary: caller names and phone numbers are never shown here; the context
pack lists earlier incidents by number, date, category and state, without the people.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from itertools import zip_longest
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.htmx import is_htmx
from fengqiao.intake.forms import category_choices, category_label
from fengqiao.intake.models import Incident
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import officer_for

from . import clocks, selectors, services, steps
from .models import Dispatch, Disposition, Feedback, FollowUp, Satisfaction

# The step that is due in each active state: the card's one big button.
NEXT_ACTION = {
    steps.ISSUED: "acknowledge",
    steps.ACKNOWLEDGED: "depart",
    steps.DEPARTED: "arrive",
    steps.ON_SCENE: "feedback",
}
STEP_SERVICES: dict[str, Callable[..., Dispatch]] = {
    "acknowledge": services.do_acknowledge,
    "depart": services.do_depart,
    "arrive": services.do_arrive,
}
# The duty statuses an officer sets by hand (busy follows from the orders, leave from the roster).
DUTY_CHOICES = (Officer.DutyStatus.ON_DUTY, Officer.DutyStatus.STANDBY, Officer.DutyStatus.OFF_DUTY)
# A finished order stays in sight (the "finished today" list opens) for this long.
RECENTLY_FINISHED_SECONDS = 15 * 60


def _button_label(action: str) -> str:
    return {
        "acknowledge": pgettext("phone step button", "Acknowledge"),
        "depart": pgettext("phone step button", "Depart"),
        "arrive": pgettext("phone step button", "On scene"),
        "feedback": pgettext("phone step button", "Feedback"),
    }[action]


def _duty_label(status: str) -> str:
    return {
        Officer.DutyStatus.ON_DUTY: _("On duty"),
        Officer.DutyStatus.STANDBY: _("Standby"),
        Officer.DutyStatus.OFF_DUTY: _("Off duty"),
    }[status]


# -- who holds the phone -------------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    """The person holding the phone and whose orders the page shows."""

    officer: Officer  # the user's own officer record (duty status and position are theirs)
    subject: Officer  # whose orders and follow-ups: the officer, or an auxiliary's supervisor
    read_only: bool


def _phone(user: Any) -> Phone | None:
    officer = officer_for(user)
    if officer is None:
        return None
    if officer.rank != Officer.Rank.AUXILIARY:
        return Phone(officer=officer, subject=officer, read_only=False)
    supervisor = None
    if officer.supervisor_id:
        supervisor = (Officer.objects.for_stations([officer.station_id]).select_related("station", "team", "beat")
                      .filter(pk=officer.supervisor_id).first())
    return Phone(officer=officer, subject=supervisor or officer, read_only=True)


def officers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; a user with no officer record gets the page that says what this page is for."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        phone = _phone(request.user)
        if phone is None:
            return render(request, "dispatch/phone/not_officer.html", status=403)
        return view(request, phone, *args, **kwargs)

    return wrapper


def _may_act(phone: Phone) -> None:
    if phone.read_only:
        raise PermissionDenied(_("Auxiliaries see their officer's orders but do not act on them."))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Where a plain (no JavaScript) form goes afterwards: `next` if it is ours, else `default`."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(wanted)
    return redirect(default)


# -- finding my orders and follow-ups -------------------------------------------------------------


def _order_rows() -> Any:
    return Dispatch.objects.select_related(
        "officer", "issued_by", "acknowledged_by", "incident", "incident__station", "incident__category",
        "incident__beat", "incident__address",
    )


def _refuse_not_mine(request: HttpRequest, obj: Any, what: str) -> None:
    record(AuditEntry.Action.ACCESS_REFUSED, obj=obj, user=request.user, outcome=AuditEntry.Outcome.REFUSED,
           reason=f"{what} of another officer")
    raise Http404


def _my_order(request: HttpRequest, phone: Phone, pk: int) -> Dispatch:
    """One of the phone's orders; another station's or another officer's answers 404."""
    order: Dispatch = get_for_user_or_404(_order_rows(), request.user, pk=pk)
    if order.officer_id != phone.subject.pk:
        _refuse_not_mine(request, order, "dispatch order")
    return order


def _my_follow_up(request: HttpRequest, phone: Phone, pk: int) -> FollowUp:
    follow_up: FollowUp = get_for_user_or_404(FollowUp.objects.select_related("incident"), request.user, pk=pk)
    if follow_up.officer_id != phone.subject.pk:
        _refuse_not_mine(request, follow_up, "follow-up")
    return follow_up


def _iso(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def _version(*parts: Any) -> str:
    """A short fingerprint of what a piece shows: the page skips a refresh that brings nothing new."""
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()


def _order_version(order: Any) -> str:
    return _version(order.pk, order.state, order.level, order.alert_iso, order.report.pk if order.report is not None else None)


def _with_versions(response: HttpResponse, versions: dict[str, str]) -> HttpResponse:
    """Tell the page which version of each piece it now shows (header X-Fengqiao-Version-<piece>)."""
    for piece, version in versions.items():
        response[f"X-Fengqiao-Version-{piece}"] = version
    return response


def _place(incident: Any) -> str:
    if incident.address_id:
        return str(incident.address.full_text)
    return str(incident.address_text)


def _card(order: Any, now: Any) -> Any:
    """The order with what its card shows worked out (set on it, for the template)."""
    order.next_action = NEXT_ACTION.get(order.state, "")
    order.next_url = f"phone:{order.next_action}" if order.next_action else ""
    order.next_label = _button_label(order.next_action) if order.next_action else ""
    # An officer who did not press "depart" may still press "on scene".
    order.arrive_label = _button_label("arrive") if order.state == steps.ACKNOWLEDGED else ""
    order.may_return = order.state in steps.ACTIONS["return"][0]
    order.level = clocks.level(now, order.warn_at, order.alert_at) if order.is_active and order.alert_at else ""
    order.category_name = category_label(order.incident.category)
    order.place = _place(order.incident)
    order.issued_iso = _iso(order.issued_at)
    order.warn_iso = _iso(order.warn_at)
    order.alert_iso = _iso(order.alert_at)
    order.finished_at = order.reported_at or order.returned_at or order.cancelled_at
    order.report = None
    return order


def _reload(order: Dispatch, now: Any) -> Any:
    """The order as it is now, ready for its card (with its feedback report, if any)."""
    fresh = _order_rows().select_related("feedback").for_stations([order.station_id]).get(pk=order.pk)
    _card(fresh, now)
    if fresh.state == steps.REPORTED:
        fresh.report = getattr(fresh, "feedback", None)
    return fresh


# -- the pieces of the page ------------------------------------------------------------------------


def _orders_context(phone: Phone) -> dict[str, Any]:
    now = timezone.now()
    rows = selectors.my_orders(phone.subject)
    open_orders = [_card(order, now) for order in rows if order.is_active]
    finished = [_card(order, now) for order in rows if not order.is_active]
    with_feedback = {report.dispatch_id: report for report in _feedback_of([order.pk for order in finished], phone)}
    for order in finished:
        order.report = with_feedback.get(order.pk)
    recent = any(order.finished_at and (now - order.finished_at).total_seconds() < RECENTLY_FINISHED_SECONDS
                 for order in finished)
    version = _version([_order_version(order) for order in open_orders], [_order_version(order) for order in finished], recent)
    return {"phone": phone, "open_orders": open_orders, "finished": finished, "finished_open": recent, "orders_version": version}


def _feedback_of(order_ids: list[int], phone: Phone) -> list[Feedback]:
    if not order_ids:
        return []
    return list(Feedback.objects.for_stations([phone.subject.station_id]).filter(dispatch_id__in=order_ids))


def _follow_ups_context(phone: Phone, *, message: str = "", open_id: int | None = None,
                        errors: dict[str, list[str]] | None = None, values: QueryDict | None = None) -> dict[str, Any]:
    now = timezone.now()
    follow_ups = selectors.my_follow_ups(phone.subject)
    incidents = {row.pk: row for row in _incidents_with_places([fu.incident_id for fu in follow_ups], phone)}
    for follow_up in follow_ups:
        incident = incidents.get(follow_up.incident_id, follow_up.incident)
        follow_up.category_name = category_label(follow_up.incident.category)
        follow_up.place = _place(incident) if incident is not None else ""
        follow_up.due_level = clocks.level(now, follow_up.due_at, follow_up.alert_at)
    version = _version([(row.pk, row.state, row.level, row.due_level) for row in follow_ups])
    return {
        "follow_ups_version": version,
        "phone": phone, "follow_ups": follow_ups, "follow_up_message": message, "open_id": open_id, "errors": errors or {},
        "values": values or {}, "outcomes": Satisfaction.choices, "levels": FollowUp.Level.choices,
    }


def _incidents_with_places(ids: list[int], phone: Phone) -> list[Incident]:
    if not ids:
        return []
    return list(Incident.objects.for_stations([phone.subject.station_id]).filter(pk__in=ids).select_related("address"))


def _me_context(phone: Phone, *, message: str = "", error: str = "") -> dict[str, Any]:
    officer = Officer.objects.for_stations([phone.officer.station_id]).get(pk=phone.officer.pk)
    current = Officer.DutyStatus.ON_DUTY if officer.duty_status == Officer.DutyStatus.BUSY else officer.duty_status
    return {
        "me_version": _version(officer.duty_status, _iso(officer.position_at)),
        "phone": phone, "officer": officer, "current": current, "me_message": message, "me_error": error,
        "duty_choices": [(status.value, _duty_label(status)) for status in DUTY_CHOICES],
    }


def _page_context(request: HttpRequest, phone: Phone) -> dict[str, Any]:
    """What a whole page adds to its pieces: the clock to count from and where plain forms come back to."""
    return {"phone": phone, "station": phone.officer.station, "server_now": _iso(timezone.now()),
            "page_url": request.get_full_path()}


@officers_only
@require_GET
def my_work(request: HttpRequest, phone: Phone) -> HttpResponse:
    """我的警情: open orders, follow-ups due, finished orders, my status."""
    context = _page_context(request, phone)
    context.update(_orders_context(phone))
    context.update(_follow_ups_context(phone))
    context.update(_me_context(phone))
    return render(request, "dispatch/phone/home.html", context)


@officers_only
@require_GET
def orders_part(request: HttpRequest, phone: Phone) -> HttpResponse:
    context = _orders_context(phone)
    return _with_versions(render(request, "dispatch/phone/_orders.html", context), {"orders": context["orders_version"]})


@officers_only
@require_GET
def follow_ups_part(request: HttpRequest, phone: Phone) -> HttpResponse:
    context = _follow_ups_context(phone)
    return _with_versions(render(request, "dispatch/phone/_follow_ups.html", context),
                          {"follow-ups": context["follow_ups_version"]})


@officers_only
@require_GET
def me_part(request: HttpRequest, phone: Phone) -> HttpResponse:
    context = _me_context(phone)
    return _with_versions(render(request, "dispatch/phone/_me.html", {**context, "oob": True}), {"me": context["me_version"]})


# -- one order ---------------------------------------------------------------------------------------


@dataclass
class FeedbackForm:
    """What the feedback form shows: the values typed so far and the errors by field."""

    values: dict[str, Any]
    people: list[dict[str, str]]
    errors: dict[str, list[str]]
    dispositions: list[tuple[str, str]]
    category_groups: list[Any]

    @property
    def people_json(self) -> str:
        return json.dumps(self.people or [{"name": "", "role": ""}], ensure_ascii=False)


def _feedback_form(order: Dispatch, post: QueryDict | None = None, *, people: list[dict[str, str]] | None = None,
                   errors: dict[str, list[str]] | None = None) -> FeedbackForm:
    values: dict[str, Any] = {"disposition": "", "actions": "", "legal_basis": "", "reclassify_to": "", "resolves": True}
    if post is not None:
        values = {
            "disposition": post.get("disposition", ""), "actions": post.get("actions", ""),
            "legal_basis": post.get("legal_basis", ""), "reclassify_to": post.get("reclassify_to", ""),
            "resolves": _checked(post, "resolves"),
        }
    return FeedbackForm(
        values=values, people=people or [], errors=errors or {},
        dispositions=list(Disposition.choices), category_groups=category_choices(order.incident.station, blank=None),
    )


def _checked(post: QueryDict, name: str) -> bool:
    return post.get(name, "") in ("1", "on", "true")


def _feedback_data(post: QueryDict) -> tuple[services.FeedbackData, list[dict[str, str]]]:
    """The form as the service takes it; rows of people left blank are dropped."""
    people = []
    for name, role in zip_longest(post.getlist("person_name"), post.getlist("person_role"), fillvalue=""):
        if name.strip() or role.strip():
            people.append({"name": name.strip(), "role": role.strip()})
    data = services.FeedbackData(
        disposition=post.get("disposition", "").strip(), actions=post.get("actions", ""),
        legal_basis=post.get("legal_basis", ""), people=people, reclassify_to=post.get("reclassify_to", "").strip(),
        resolves=_checked(post, "resolves"),
    )
    return data, people


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    """The service's errors by field; those of no field under "form" (templates cannot read "__all__")."""
    if not hasattr(error, "message_dict"):
        return {"form": [str(text) for text in error.messages]}
    errors: dict[str, list[str]] = {}
    for field, texts in error.message_dict.items():
        errors.setdefault("form" if field == NON_FIELD_ERRORS else field, []).extend(str(text) for text in texts)
    return errors


def _render_card(request: HttpRequest, phone: Phone, order: Dispatch, *, error: str = "", message: str = "",
                 form: FeedbackForm | None = None, return_error: str = "", status: int = 200) -> HttpResponse:
    order = _reload(order, timezone.now())
    response = render(request, "dispatch/phone/_card.html", {
        "order": order, "phone": phone, "error": error, "message": message, "form": form,
        "return_error": return_error, "return_reason": request.POST.get("reason", "") if return_error else "",
    }, status=status)
    versions = {"order": _order_version(order)}
    if request.method == "POST" and status == 200:
        # The card changed in place; the list it sits in is now as the server has it.
        versions["orders"] = _orders_context(phone)["orders_version"]
    return _with_versions(response, versions)


def _order_page(request: HttpRequest, phone: Phone, order: Dispatch, *, form: FeedbackForm | None = None,
                status: int = 200) -> HttpResponse:
    order = _reload(order, timezone.now())
    incident = order.incident
    if form is None and order.state == steps.ON_SCENE and not phone.read_only:
        form = _feedback_form(order)
    context = _page_context(request, phone)
    context.update({
        "page_url": reverse("phone:order", args=[order.pk]), "order": order, "incident": incident,
        "order_version": _order_version(order), "form": form, "on_page": True,
        "reasons": list(order.recommendation.get("reasons", [])) if isinstance(order.recommendation, dict) else [],
        "may_open_incidents": request.user.has_perm("intake.view_incident"),
        "report_category": category_label(order.report.reclassified_to)
        if order.report is not None and order.report.reclassified_to_id else "",
    })
    # Auxiliaries see what the task needs: the order and its place, not the station's history.
    if not phone.read_only:
        context["pack"] = _pack(incident, request.user)
    return render(request, "dispatch/phone/order.html", context, status=status)


def _pack(incident: Any, user: Any) -> selectors.ContextPack:
    pack = selectors.context_pack(incident, user=user)
    for earlier in pack.earlier:
        earlier.category_name = category_label(earlier.category)
    pack.extra = clean_extra(pack.extra)
    return pack


def clean_extra(entries: list[Any]) -> list[dict[str, Any]]:
    """Other apps' entries as the templates render them: a title and text, or a template of
    theirs with its data."""
    extra = []
    for entry in entries:
        if isinstance(entry, dict):
            template = entry.get("template")
            extra.append({"title": str(entry.get("title", "")), "text": str(entry.get("text", "")),
                          "kind": str(entry.get("kind", "")),
                          "template": template if isinstance(template, str) else "", "data": entry.get("data")})
    return extra


@officers_only
@require_GET
def order_page(request: HttpRequest, phone: Phone, pk: int) -> HttpResponse:
    """One order: its stamps, the incident, the context pack and the feedback form."""
    return _order_page(request, phone, _my_order(request, phone, pk))


@officers_only
@require_GET
def order_card(request: HttpRequest, phone: Phone, pk: int) -> HttpResponse:
    return _render_card(request, phone, _my_order(request, phone, pk))


def _step_answer(request: HttpRequest, phone: Phone, order: Dispatch, *, error: str = "", message: str = "",
                 return_error: str = "", status: int = 200) -> HttpResponse:
    if is_htmx(request):
        return _render_card(request, phone, order, error=error, message=message, return_error=return_error, status=status)
    if error or return_error:
        messages.error(request, f"{order.incident.number}: {error or return_error}")
    elif message:
        messages.success(request, message)
    return _back(request, "phone:home")


@officers_only
@require_POST
def take_step(request: HttpRequest, phone: Phone, pk: int, action: str) -> HttpResponse:
    """签收, 出发 or 到场: one tap, one service call; the card comes back in its new state."""
    _may_act(phone)
    order = _my_order(request, phone, pk)
    try:
        STEP_SERVICES[action](order, user=request.user)
    except services.DispatchRefused as refused:
        return _step_answer(request, phone, order, error=refused.message, status=409)
    return _step_answer(request, phone, order)


@officers_only
@require_POST
def return_order(request: HttpRequest, phone: Phone, pk: int) -> HttpResponse:
    """退单, with the reason."""
    _may_act(phone)
    order = _my_order(request, phone, pk)
    try:
        services.do_return(order, user=request.user, reason=request.POST.get("reason", ""))
    except services.DispatchRefused as refused:
        return _step_answer(request, phone, order, error=refused.message, status=409)
    except ValidationError as invalid:
        texts = _field_errors(invalid)
        return _step_answer(request, phone, order, return_error=" ".join(texts.get("reason") or sum(texts.values(), [])),
                            status=422)
    return _step_answer(request, phone, order, message=_("Order returned to the command room."))


@officers_only
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, phone: Phone, pk: int) -> HttpResponse:
    """GET: the card with the feedback form open. POST: send the feedback (反馈单)."""
    order = _my_order(request, phone, pk)
    if request.method == "GET":
        form = _feedback_form(order) if order.state == steps.ON_SCENE and not phone.read_only else None
        return _render_card(request, phone, order, form=form)
    _may_act(phone)
    data, people = _feedback_data(request.POST)
    try:
        services.do_feedback(order, data, user=request.user)
    except ValidationError as invalid:
        form = _feedback_form(order, request.POST, people=people, errors=_field_errors(invalid))
        return _feedback_refused(request, phone, order, form, status=422)
    except services.DispatchRefused as refused:
        # Most often the order is no longer on scene (returned, cancelled, already reported):
        # the card in its present state, with the reason.
        if is_htmx(request):
            return _render_card(request, phone, order, error=refused.message, status=409)
        messages.error(request, refused.message)
        return redirect("phone:order", pk=order.pk)
    done = _("Feedback sent.")
    if is_htmx(request):
        return _render_card(request, phone, order, message=done)
    messages.success(request, done)
    return redirect("phone:order", pk=order.pk)


def _feedback_refused(request: HttpRequest, phone: Phone, order: Dispatch, form: FeedbackForm, *, status: int) -> HttpResponse:
    if is_htmx(request):
        return _render_card(request, phone, order, form=form, status=status)
    return _order_page(request, phone, order, form=form, status=status)


# -- follow-ups ---------------------------------------------------------------------------------------


@officers_only
@require_POST
def record_follow_up(request: HttpRequest, phone: Phone, pk: int) -> HttpResponse:
    """回访: the caller's answer; a dissatisfied one opens a supervision order (督办)."""
    _may_act(phone)
    follow_up = _my_follow_up(request, phone, pk)
    outcome = request.POST.get("outcome", "")
    try:
        done = services.do_record_follow_up(follow_up, user=request.user, outcome=outcome,
                                            notes=request.POST.get("notes", "")[:2000], level=request.POST.get("level", ""))
    except ValidationError as invalid:
        return _follow_ups_answer(request, phone, open_id=follow_up.pk, errors=_field_errors(invalid), status=422)
    except services.DispatchRefused as refused:
        return _follow_ups_answer(request, phone, open_id=follow_up.pk, errors={"form": [refused.message]}, status=409)
    if done.outcome == Satisfaction.DISSATISFIED:
        message = _("%(number)s: dissatisfied. A supervision order was opened for the station's leaders.") % {
            "number": done.incident.number}
    else:
        message = _("%(number)s: %(answer)s, recorded.") % {"number": done.incident.number, "answer": done.get_outcome_display()}
    return _follow_ups_answer(request, phone, message=message)


def _follow_ups_answer(request: HttpRequest, phone: Phone, *, message: str = "", open_id: int | None = None,
                       errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    if is_htmx(request):
        context = _follow_ups_context(phone, message=message, open_id=open_id, errors=errors,
                                      values=request.POST if errors else None)
        response = render(request, "dispatch/phone/_follow_ups.html", context, status=status)
        return _with_versions(response, {"follow-ups": context["follow_ups_version"]})
    if errors:
        messages.error(request, " ".join(sum(errors.values(), [])))
    elif message:
        messages.success(request, message)
    return redirect("phone:home")


# -- my status and position -----------------------------------------------------------------------------


def _me_answer(request: HttpRequest, phone: Phone, *, message: str = "", error: str = "", status: int = 200) -> HttpResponse:
    if is_htmx(request):
        context = _me_context(phone, message=message, error=error)
        response = render(request, "dispatch/phone/_me.html", {**context, "oob": True}, status=status)
        return _with_versions(response, {"me": context["me_version"]})
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect("phone:home")


@officers_only
@require_POST
def set_duty(request: HttpRequest, phone: Phone) -> HttpResponse:
    """On duty, standby or off duty."""
    wanted = request.POST.get("duty_status", "")
    if wanted not in DUTY_CHOICES:
        return _me_answer(request, phone, error=_("Choose on duty, standby or off duty."), status=422)
    officer = Officer.objects.for_stations([phone.officer.station_id]).get(pk=phone.officer.pk)
    # Busy is on duty with an order: pressing "on duty" then changes nothing (and must not make
    # the officer look free while the order is open).
    if wanted == officer.duty_status or (wanted == Officer.DutyStatus.ON_DUTY and officer.duty_status == Officer.DutyStatus.BUSY):
        return _me_answer(request, phone)
    try:
        services.do_set_duty(officer, wanted, user=request.user)
    except services.DispatchRefused as refused:
        return _me_answer(request, phone, error=refused.message, status=409)
    except ValidationError as invalid:
        return _me_answer(request, phone, error=" ".join(sum(_field_errors(invalid).values(), [])), status=422)
    return _me_answer(request, phone, message=_("Status: %(status)s.") % {"status": _duty_label(wanted)})


def _coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@officers_only
@require_POST
def report_position(request: HttpRequest, phone: Phone) -> HttpResponse:
    """The phone's position (from navigator.geolocation), for distances and the board's map."""
    latitude, longitude = _coordinate(request.POST.get("lat", "")), _coordinate(request.POST.get("lon", ""))
    if latitude is None or longitude is None:
        return _me_answer(request, phone, error=_("The position could not be read."), status=422)
    try:
        services.do_report_position(phone.officer, latitude, longitude)
    except ValidationError as invalid:
        return _me_answer(request, phone, error=" ".join(sum(_field_errors(invalid).values(), [])), status=422)
    return _me_answer(request, phone, message=_("Position reported."))
