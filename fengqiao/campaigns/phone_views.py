"""The officer's campaign list on the phone (/m/campaigns/): call, record, update the record.

One card per item: the name, the masked identity number and phone (the phone is a tel:
link through an audited reveal), the address, the five outcome buttons, notes, the
three-person door-visit team, and — once the outcome says so — "update the resident
record" in one tap. Each POST calls one service and answers with the card (htmx) or a
redirect back with a message (plain form). Refusals answer 409, field errors 422, with
the card showing them in place.

An officer sees and works their own items only; another officer's item answers 404
exactly like another station's (and the attempt is audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.htmx import is_htmx
from fengqiao.organisation.models import Officer
from fengqiao.organisation.selectors import officer_for

from . import plan, services
from .models import Campaign, CampaignItem

VIEW_ITEMS = "campaigns.view_campaignitem"
OUTCOME_BUTTONS = (plan.VERIFIED, plan.MOVED, plan.UNREACHABLE, plan.WRONG_DATA, plan.DOOR_VISIT)


class HttpResponseTel(HttpResponseRedirect):
    """A redirect to the phone's dialler."""

    allowed_schemes = ["tel"]


def _field_label(name: str) -> str:
    return {
        "phone": _("Phone"), "address": _("Address"), "beat": _("Beat"), "moved_out_on": _("Moved out on"),
    }.get(name, name)


# -- who holds the phone ------------------------------------------------------------------------------


def officers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; a user with no officer record (or no campaign work) gets the page that says so."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        officer = officer_for(request.user)
        if officer is None or officer.rank == Officer.Rank.AUXILIARY or not request.user.has_perm(VIEW_ITEMS):
            return render(request, "dispatch/phone/not_officer.html", status=403)
        return view(request, officer, *args, **kwargs)

    return wrapper


def _my_item(request: HttpRequest, officer: Officer, pk: int) -> CampaignItem:
    """One of my items; another station's or another officer's answers 404."""
    item: CampaignItem = get_for_user_or_404(
        CampaignItem.objects.select_related("campaign", "resident", "address", "officer"), request.user, pk=pk)
    if item.officer_id != officer.pk:
        record(AuditEntry.Action.ACCESS_REFUSED, obj=item, user=request.user, outcome=AuditEntry.Outcome.REFUSED,
               reason="campaign item of another officer")
        raise Http404
    return item


# -- what the cards show ----------------------------------------------------------------------------------


def _version(*parts: Any) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


@dataclass
class CardForm:
    """What the card's form shows again after a refusal: the values typed and the errors by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def _card(item: CampaignItem, officer: Officer, form: CardForm | None = None) -> CampaignItem:
    """The item with what its card shows worked out (set on it, for the template)."""
    item.is_done = item.state == plan.DONE
    item.changes = [(name, _field_label(name), old, new)
                    for name, old, new in services.shown_changes(services.resident_changes(item))]
    item.campaign_open = item.campaign.state == Campaign.State.OPEN
    form = form or CardForm()
    values = {"notes": item.notes, "new_phone": "", "visit_officer": item.visit_officer or officer.name,
              "visit_worker": item.visit_worker, "visit_medic": item.visit_medic,
              "visit_at": timezone.localtime(item.visit_at).strftime("%Y-%m-%dT%H:%M") if item.visit_at else ""}
    values.update(form.values)
    item.form_values = values
    item.errors = form.errors
    item.visit_open = bool(form.errors.get("visit_team") or form.errors.get("visit_at"))
    item.outcomes = [(value, CampaignItem.Outcome(value).label) for value in OUTCOME_BUTTONS]
    return item


def _item_version(item: CampaignItem) -> str:
    return _version(item.pk, item.state, item.outcome, item.attempts, item.late, _iso(item.resident_updated_at),
                    item.officer_id, item.campaign.state)


@dataclass
class Group:
    campaign: Campaign
    open_items: list[CampaignItem]
    done_items: list[CampaignItem]
    deadline_iso: str = ""
    warn_iso: str = ""
    reminded: bool = False
    overdue: bool = False

    @property
    def total(self) -> int:
        return len(self.open_items) + len(self.done_items)


def _my_items(officer: Officer) -> list[CampaignItem]:
    return list(CampaignItem.objects.for_stations([officer.station_id])
                .filter(officer=officer, campaign__state=Campaign.State.OPEN)
                .select_related("campaign", "resident", "address", "officer")
                .order_by("campaign__deadline", "campaign_id", "row"))


def _groups(officer: Officer, now: dt.datetime) -> list[Group]:
    groups: dict[int, Group] = {}
    for item in _my_items(officer):
        campaign = item.campaign
        group = groups.get(campaign.pk)
        if group is None:
            group = groups[campaign.pk] = Group(
                campaign=campaign, open_items=[], done_items=[], deadline_iso=_iso(campaign.deadline),
                warn_iso=_iso(campaign.deadline - dt.timedelta(minutes=campaign.remind_before)),
                reminded=campaign.reminded_at is not None, overdue=now >= campaign.deadline)
        _card(item, officer)
        (group.done_items if item.state == plan.DONE else group.open_items).append(item)
    return list(groups.values())


def _items_context(officer: Officer) -> dict[str, Any]:
    groups = _groups(officer, timezone.now())
    version = _version([(group.campaign.pk, group.reminded, group.overdue, [_item_version(item) for item in
                                                                            group.open_items + group.done_items])
                        for group in groups])
    return {"officer": officer, "groups": groups, "items_version": version}


def summary_context(officer: Officer) -> dict[str, Any]:
    """My open campaigns in one line each (the region on the phone's home page)."""
    groups = _groups(officer, timezone.now())
    version = _version([(group.campaign.pk, len(group.open_items), group.total, group.reminded, group.overdue)
                        for group in groups])
    return {"officer": officer, "groups": groups, "summary_version": version}


def _with_versions(response: HttpResponse, versions: dict[str, str]) -> HttpResponse:
    for piece, version in versions.items():
        response[f"X-Fengqiao-Version-{piece}"] = version
    return response


def _page_context(request: HttpRequest, officer: Officer) -> dict[str, Any]:
    # The attributes phone.js reads (dispatch/phone/_phone_frame.html) want a `phone` with
    # the officer in both parts.
    phone = {"officer": officer, "subject": officer, "read_only": False}
    return {"phone": phone, "station": officer.station, "server_now": _iso(timezone.now()),
            "page_url": request.get_full_path()}


# -- pages and pieces -------------------------------------------------------------------------------------


@officers_only
@require_GET
def my_items(request: HttpRequest, officer: Officer) -> HttpResponse:
    """我的核查任务: my open items by campaign, the deadline counting down; done items folded."""
    context = _page_context(request, officer)
    context.update(_items_context(officer))
    return render(request, "campaigns/phone/home.html", context)


@officers_only
@require_GET
def items_part(request: HttpRequest, officer: Officer) -> HttpResponse:
    context = _items_context(officer)
    return _with_versions(render(request, "campaigns/phone/_items.html", context),
                          {"campaign-items": context["items_version"]})


@officers_only
@require_GET
def summary_part(request: HttpRequest, officer: Officer) -> HttpResponse:
    context = summary_context(officer)
    return _with_versions(render(request, "campaigns/phone/_summary.html", context),
                          {"campaigns": context["summary_version"]})


@officers_only
@require_GET
def item_card(request: HttpRequest, officer: Officer, pk: int) -> HttpResponse:
    return _render_card(request, officer, _my_item(request, officer, pk))


def _render_card(request: HttpRequest, officer: Officer, item: CampaignItem, *, error: str = "", message: str = "",
                 form: CardForm | None = None, status: int = 200) -> HttpResponse:
    fresh = (CampaignItem.objects.for_stations([item.station_id]).select_related("campaign", "resident", "address", "officer")
             .get(pk=item.pk))
    _card(fresh, officer, form)
    response = render(request, "campaigns/phone/_card.html",
                      {"item": fresh, "officer": officer, "error": error, "message": message}, status=status)
    versions = {"campaign-item": _item_version(fresh)}
    if request.method == "POST" and status == 200:
        # The card changed in place; the list it sits in is now as the server has it.
        versions["campaign-items"] = _items_context(officer)["items_version"]
    return _with_versions(response, versions)


def _answer(request: HttpRequest, officer: Officer, item: CampaignItem, *, error: str = "", message: str = "",
            form: CardForm | None = None, status: int = 200) -> HttpResponse:
    if is_htmx(request):
        return _render_card(request, officer, item, error=error, message=message, form=form, status=status)
    if error or (form and form.errors):
        texts = [error] if error else sum(form.errors.values(), []) if form else []
        messages.error(request, f"{item.name}: {' '.join(texts)}")
    elif message:
        messages.success(request, f"{item.name}: {message}")
    return redirect(f"{_home_url()}#campaign-item-{item.pk}")


def _home_url() -> str:
    return reverse("phone_campaigns:home")


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if not hasattr(error, "message_dict"):
        return {"form": [str(text) for text in error.messages]}
    errors: dict[str, list[str]] = {}
    for name, texts in error.message_dict.items():
        errors.setdefault("form" if name == NON_FIELD_ERRORS else name, []).extend(str(text) for text in texts)
    return errors


def _visit_at(text: str) -> tuple[dt.datetime | None, bool]:
    """The door visit's time from the form (datetime-local, the station's time); (None, False) if unreadable."""
    text = (text or "").strip()
    if not text:
        return None, True
    parsed = parse_datetime(text)
    if parsed is None:
        return None, False
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed, True


@officers_only
@require_POST
def record_outcome(request: HttpRequest, officer: Officer, pk: int) -> HttpResponse:
    """One of the five outcomes, with notes, a new phone and (for a door visit) the team."""
    item = _my_item(request, officer, pk)
    post = request.POST
    outcome = post.get("outcome", "")
    values = {name: post.get(name, "") for name in ("notes", "new_phone", "visit_officer", "visit_worker", "visit_medic",
                                                    "visit_at")}
    visit_at, readable = _visit_at(values["visit_at"])
    if not readable:
        return _answer(request, officer, item, form=CardForm(values, {"visit_at": [_("Give a date and time.")]}), status=422)
    team = (values["visit_officer"], values["visit_worker"], values["visit_medic"]) if outcome == plan.DOOR_VISIT else None
    try:
        done = services.do_record_outcome(item.pk, user=request.user, outcome=outcome, notes=values["notes"][:5000],
                                          visit_team=team, visit_at=visit_at, new_phone=values["new_phone"][:40])
    except services.CampaignRefused as refused:
        return _answer(request, officer, item, error=refused.message, status=409)
    except ValidationError as invalid:
        return _answer(request, officer, item, form=CardForm(values, _field_errors(invalid)), status=422)
    if done.state == plan.VISIT:
        message = _("Door visit arranged.")
    else:
        message = _("Recorded: %(outcome)s.") % {"outcome": done.get_outcome_display()}
    return _answer(request, officer, item, message=message)


@officers_only
@require_POST
def update_resident(request: HttpRequest, officer: Officer, pk: int) -> HttpResponse:
    """The one tap: the resident record takes what the outcome found."""
    item = _my_item(request, officer, pk)
    try:
        services.do_update_resident(item.pk, user=request.user)
    except services.CampaignRefused as refused:
        return _answer(request, officer, item, error=refused.message, status=409)
    return _answer(request, officer, item, message=_("Resident record updated."))


@officers_only
@require_GET
def reveal_call(request: HttpRequest, officer: Officer, pk: int) -> HttpResponse:
    """The tel: link: reveal the number (audited, with the reason) and hand it to the dialler."""
    item = _my_item(request, officer, pk)
    try:
        number = services.reveal_phone(item.pk, user=request.user)
    except services.CampaignRefused as refused:
        messages.error(request, f"{item.name}: {refused.message}")
        return redirect(f"{_home_url()}#campaign-item-{item.pk}")
    return HttpResponseTel(f"tel:{number}")

