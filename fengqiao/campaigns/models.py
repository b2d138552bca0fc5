"""Verification campaigns (核查任务): a list from above, shared out by beat, worked to the deadline.

A `Campaign` keeps what the list came with (title, issuing body, deadline, instructions,
the file's column titles); each `CampaignItem` keeps its row exactly as it came
(encrypted: such lists carry identity numbers and phones) so that the return has the
original columns, plus what the station found: the resident and standard address it
matched, the officer it went to and how, the outcome, the door-visit team, notes. Every
move is one append-only `CampaignLog` row. The rules live in `plan.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned

from . import plan


class Campaign(StationOwned):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("campaign state", "Open")
        CLOSED = "closed", pgettext_lazy("campaign state", "Closed")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT,
                                related_name="campaigns")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(pgettext_lazy("campaign", "issued by"), max_length=100, help_text=_("The body that sent the list, e.g. 分局治安大队."))
    instructions = models.TextField(_("instructions"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    remind_before = models.PositiveIntegerField(_("remind officers (minutes before the deadline)"), default=60)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    columns = models.JSONField(_("original columns"), default=list, help_text=_("The list's column titles, in order."))
    mapping = models.JSONField(_("column mapping"), default=dict,
                               help_text=_("Which original column holds the name, identity number, phone and address."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("loaded at"))
    reminded_at = models.DateTimeField(_("officers last reminded at"), null=True, blank=True)
    deadline_marked_at = models.DateTimeField(_("late items marked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    returned_at = models.DateTimeField(_("results last exported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification campaign")
        verbose_name_plural = _("verification campaigns")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["station", "number"], name="campaign_number_per_station")]
        indexes = [models.Index(fields=["station", "state", "deadline"], name="campaign_open_by_deadline")]
        permissions = [("return_campaign", "Can export a campaign's results with the original columns")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CampaignItem(StationOwned):
    class State(models.TextChoices):
        OPEN = plan.OPEN, pgettext_lazy("campaign item state", "To do")
        VISIT = plan.VISIT, pgettext_lazy("campaign item state", "Door visit")
        DONE = plan.DONE, pgettext_lazy("campaign item state", "Done")

    class Outcome(models.TextChoices):
        VERIFIED = plan.VERIFIED, _("Verified at the address")
        MOVED = plan.MOVED, _("Moved away")
        UNREACHABLE = plan.UNREACHABLE, _("Unreachable")
        WRONG_DATA = plan.WRONG_DATA, _("Wrong data")
        DOOR_VISIT = plan.DOOR_VISIT, _("Needs a door visit")

    class How(models.TextChoices):
        BEAT = plan.BY_BEAT, _("Beat officer")
        ROUND_ROBIN = plan.ROUND_ROBIN, _("In turn (no beat)")
        REASSIGNED = plan.REASSIGNED, _("Re-assigned")
        UNASSIGNED = plan.UNASSIGNED, _("Not assigned")

    class Match(models.TextChoices):
        ID_NUMBER = "id_number", _("Resident (identity number)")
        NAME_PHONE = "name_phone", _("Resident (name and phone)")
        ADDRESS = "address", _("Standard address only")
        NONE = "none", _("Not matched")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="items")
    row = models.PositiveIntegerField(_("row in the file"))
    original = models.TextField(_("original row (encrypted)"), editable=False,
                                help_text=_("The row's cells as they came, JSON, encrypted."))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    id_number_masked = models.CharField(_("identity number"), max_length=18, blank=True)
    id_number_hash = models.CharField(_("identity number (search hash)"), max_length=64, blank=True, editable=False)
    phone = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    address_text = models.CharField(_("address as listed"), max_length=200, blank=True)
    match = models.CharField(_("matched"), max_length=12, choices=Match.choices, default=Match.NONE)
    resident = models.ForeignKey("records.Resident", verbose_name=_("resident"), on_delete=models.PROTECT,
                                 related_name="campaign_items", null=True, blank=True)
    address = models.ForeignKey("records.Address", verbose_name=_("standard address"), on_delete=models.PROTECT,
                                related_name="campaign_items", null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="campaign_items", null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT,
                                related_name="campaign_items", null=True, blank=True)
    assigned_how = models.CharField(_("assigned"), max_length=12, choices=How.choices, default=How.UNASSIGNED)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_by = models.ForeignKey("organisation.Officer", verbose_name=_("outcome recorded by"), on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    visit_officer = models.CharField(_("door visit: officer"), max_length=50, blank=True)
    visit_worker = models.CharField(_("door visit: community worker"), max_length=50, blank=True)
    visit_medic = models.CharField(_("door visit: medic"), max_length=50, blank=True)
    visit_at = models.DateTimeField(_("door visit planned at"), null=True, blank=True)
    late = models.BooleanField(_("open at the deadline"), default=False)
    resident_updated_at = models.DateTimeField(_("resident record updated at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        ordering = ["campaign", "row"]
        constraints = [models.UniqueConstraint(fields=["campaign", "row"], name="campaign_item_row")]
        indexes = [
            models.Index(fields=["campaign", "state"], name="campaign_item_state"),
            models.Index(fields=["officer", "state"], name="campaign_item_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.row} {self.name}"

    def as_item(self) -> plan.Item:
        team = (self.visit_officer, self.visit_worker, self.visit_medic) if self.visit_officer else None
        return plan.Item(state=self.state, outcome=self.outcome, attempts=self.attempts, outcome_at=self.outcome_at,
                         late=self.late, visit_team=team)


class CampaignLog(StationOwned):
    """What happened to a campaign or one of its items, in order; never changed."""

    class Action(models.TextChoices):
        LOADED = "loaded", _("List loaded")
        OUTCOME = "outcome", _("Outcome recorded")
        REASSIGNED = "reassigned", _("Re-assigned")
        RESIDENT = "resident", _("Resident record updated")
        NOTE = "note", pgettext_lazy("campaign action", "Note")
        REMINDED = "reminded", _("Officers reminded")
        LATE = "late", _("Open at the deadline")
        EXPORTED = "exported", _("Results exported")
        CLOSED = "closed", pgettext_lazy("campaign action", "Closed")
        REOPENED = "reopened", pgettext_lazy("campaign action", "Reopened")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="log")
    item = models.ForeignKey(CampaignItem, verbose_name=_("campaign item"), on_delete=models.PROTECT, related_name="log",
                             null=True, blank=True)
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+",
                               null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+",
                                null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CampaignItem.Outcome.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("campaign log entry")
        verbose_name_plural = _("campaign log")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["campaign", "at"], name="campaign_log_at")]
