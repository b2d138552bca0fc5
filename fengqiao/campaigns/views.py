"""The command room's campaign pages at /campaigns/: the list, one campaign's page (details,
burn-down per officer and per beat, the items with filters and re-assigning), close and
reopen, the return file (a reveal, with a reason) and the masked items export.

Views read the request, call one selector or move and render; `commanding.py` and
`returning.py` decide what is allowed. Another station's campaign answers 404 (and the
attempt is audited). Moves are posted with htmx and answer with the part that changed
(409 with the reason when refused); without htmx they redirect back to the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from fengqiao.audit.services import RevealRefused
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.exporting import export_response
from fengqiao.core.htmx import is_htmx

from . import commanding, returning, selectors
from .models import Campaign, CampaignItem, CampaignLog

PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 100
LOG_ROWS = 30


# -- forms -----------------------------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    officer = forms.ChoiceField(label=gettext_lazy("Officer"), required=False)
    beat = forms.ChoiceField(label=gettext_lazy("Beat"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), required=False)
    how = forms.ChoiceField(label=gettext_lazy("Assigned"), required=False)
    unmatched = forms.BooleanField(label=gettext_lazy("Not matched"), required=False)
    late = forms.BooleanField(label=gettext_lazy("Late"), required=False)

    NOBODY = "none"

    def __init__(self, data: Any, *, officers: list[Any], beats: list[Any]) -> None:
        super().__init__(data)
        every = [("", _("All"))]
        self.fields["officer"].choices = every + [(self.NOBODY, _("Nobody"))] + [(str(o.pk), o.name) for o in officers]
        self.fields["beat"].choices = every + [(str(b.pk), b.name) for b in beats]
        self.fields["state"].choices = every + list(CampaignItem.State.choices)
        self.fields["outcome"].choices = every + list(CampaignItem.Outcome.choices)
        self.fields["how"].choices = every + list(CampaignItem.How.choices)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        officer = data["officer"]
        return {
            "officer": int(officer) if officer.isdigit() else None, "nobody": officer == self.NOBODY,
            "beat": int(data["beat"]) if data["beat"].isdigit() else None, "state": data["state"],
            "outcome": data["outcome"], "how": data["how"], "unmatched": data["unmatched"], "late": data["late"],
        }


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All"))] + list(Campaign.State.choices))
    q = forms.CharField(label=gettext_lazy("Title or issuer"), required=False, max_length=100)


# -- the list --------------------------------------------------------------------------------------------


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The station's campaigns: open ones first (nearest deadline first), then closed ones."""
    form = ListFilterForm(request.GET)
    rows = selectors.campaign_rows().for_user(request.user)
    if form.is_valid():
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"].strip()
            rows = rows.filter(title__icontains=text) | rows.filter(issuer__icontains=text)
    now = timezone.now()
    page = Paginator(selectors.ordered(selectors.with_counts(rows)), PAGE_SIZE).get_page(request.GET.get("page"))
    for campaign in page:
        selectors.decorate(campaign, now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "campaigns/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "now": now,
        "may_load": request.user.has_perm("campaigns.add_campaign"),
        "show_station": len({c.station_id for c in page}) > 1,
    })


# -- one campaign ----------------------------------------------------------------------------------------


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign: Campaign = get_for_user_or_404(selectors.campaign_rows(), request.user, pk=pk)
    return campaign


def _burndown_context(campaign: Campaign) -> dict[str, Any]:
    now = timezone.now()
    by_officer = selectors.burn_down_for(campaign, by=selectors.BY_OFFICER, now=now)
    by_beat = selectors.burn_down_for(campaign, by=selectors.BY_BEAT, now=now)
    finish = by_officer.projected_finish()
    return {
        "campaign": campaign, "burn": by_officer, "by_officer": by_officer.rows(), "by_beat": by_beat.rows(),
        "projected_finish": finish, "finish_late": finish is not None and finish > campaign.deadline,
        "chart": by_officer.chart() | {"labels": {
            "remaining": _("Items still open"), "ideal": _("Ideal pace"), "now": _("Now"),
            "deadline": _("Deadline"), "title": _("Burn-down"),
        }},
    }


def _items_context(request: HttpRequest, campaign: Campaign, *, message: str = "", error: str = "",
                   data: Any = None) -> dict[str, Any]:
    officers = list(selectors.officers_of(campaign))
    beats = list(selectors.beats_in(campaign))
    form = ItemFilterForm(request.GET if data is None else data, officers=officers, beats=beats)
    rows = selectors.filter_items(selectors.item_rows().for_user(request.user).filter(campaign=campaign),
                                  **form.filters()).order_by("row")
    page = Paginator(rows, ITEMS_PAGE_SIZE).get_page((request.GET if data is None else data).get("page"))
    query = (request.GET if data is None else data).copy()
    for name in ("page", "items", "officer_to", "csrfmiddlewaretoken"):
        query.pop(name, None)
    return {
        "campaign": campaign, "filter_form": form, "items": page, "items_query": query.urlencode(),
        "officers": officers, "message": message, "error": error,
        "may_command": request.user.has_perm("campaigns.change_campaign") and campaign.state == Campaign.State.OPEN,
    }


def _detail_context(request: HttpRequest, campaign: Campaign, **extra: Any) -> dict[str, Any]:
    counted = selectors.with_counts(Campaign.objects.for_user(request.user).filter(pk=campaign.pk)).first()
    selectors.decorate(counted, timezone.now())
    context = _burndown_context(campaign) | _items_context(request, campaign)
    context.update({
        "campaign": counted,
        "log": list(CampaignLog.objects.for_user(request.user).filter(campaign=campaign)
                    .select_related("author", "officer", "item").order_by("-at", "-pk")[:LOG_ROWS]),
        "may_change": request.user.has_perm("campaigns.change_campaign"),
        "may_return": request.user.has_perm(returning.PERMISSION),
        "return_error": "",
    })
    context.update(extra)
    return context


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_burndown(request: HttpRequest, pk: int) -> HttpResponse:
    """The burn-down part alone (the page refreshes it on every "campaign" event)."""
    campaign = _campaign(request, pk)
    return render(request, "campaigns/_burndown.html", _burndown_context(campaign))


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_items(request: HttpRequest, pk: int) -> HttpResponse:
    """The items part alone (filters, pages, live refresh)."""
    campaign = _campaign(request, pk)
    return render(request, "campaigns/_items.html", _items_context(request, campaign))


@login_required
@permission_required("campaigns.view_campaignitem", raise_exception=True)
def campaign_items_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The items as filtered on the page, masked as there, as CSV or XLSX (audited)."""
    campaign = _campaign(request, pk)
    context = _items_context(request, campaign)
    form = context["filter_form"]
    rows = selectors.filter_items(selectors.item_rows().for_user(request.user).filter(campaign=campaign),
                                  **form.filters()).order_by("row")
    return export_response(user=request.user, what="campaigns.campaignitem", headers=returning.items_headers(),
                           rows=returning.items_table(rows), fmt=request.GET.get("format", "csv"),
                           filename=f"campaign-{campaign.pk}-items", filters=form.filters() | {"campaign": campaign.pk})


# -- moves -------------------------------------------------------------------------------------------------


def _back(campaign: Campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.pk])


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
@require_POST
def campaign_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the chosen items to another officer; answers with the items part."""
    campaign = _campaign(request, pk)
    chosen = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
    officer = request.POST.get("officer_to", "")
    status, message, error = 200, "", ""
    if not officer.isdigit():
        status, error = 422, _("Choose the officer to give the items to.")
    else:
        try:
            moved = commanding.do_reassign(campaign.pk, chosen, int(officer), user=request.user)
        except commanding.CommandRefused as refused:
            status, error = 409, refused.message
        else:
            message = ngettext("%(n)s item re-assigned.", "%(n)s items re-assigned.", moved) % {"n": moved}
    if not is_htmx(request):
        (messages.error if error else messages.success)(request, error or message)
        return redirect(_back(campaign))
    return render(request, "campaigns/_items.html",
                  _items_context(request, _campaign(request, pk), message=message, error=error,
                                 data=request.POST), status=status)


def _state_move(request: HttpRequest, pk: int, closing: bool) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        if closing:
            commanding.do_close(campaign.pk, user=request.user)
            messages.success(request, _("Campaign closed."))
        else:
            commanding.do_reopen(campaign.pk, user=request.user)
            messages.success(request, _("Campaign reopened."))
    except commanding.CommandRefused as refused:
        messages.error(request, refused.message)
    return redirect(_back(campaign))


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_move(request, pk, closing=True)


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
@require_POST
def campaign_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_move(request, pk, closing=False)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_POST
def campaign_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The return file: the original columns in the clear plus the results. A reveal: it
    needs `campaigns.return_campaign` and a reason, and is audited (refusals too)."""
    campaign = _campaign(request, pk)
    fmt = request.POST.get("format", "xlsx")
    try:
        body, filename = returning.return_file(campaign, user=request.user, reason=request.POST.get("reason", ""),
                                               fmt=fmt)
    except RevealRefused as refused:
        if str(refused) == "reason":
            text, status = _("Give the reason for exporting the list with its identifiers."), 422
        else:
            text, status = _("Your role may not export the list with its identifiers."), 403
        return render(request, "campaigns/detail.html",
                      _detail_context(request, campaign, return_error=text), status=status)
    response = HttpResponse(body, content_type=returning.CONTENT_TYPES[fmt if fmt in returning.FORMATS else "xlsx"])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
