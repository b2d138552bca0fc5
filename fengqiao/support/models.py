"""Support requests (警种支援): the station asks a specialised unit for help, the unit answers in time.

Units (刑侦, 网安, 交警, 特警 …) belong to the sub-bureau and serve all its stations. A
request says what is needed, how many, by when, where and whom to call; a named member of
the unit accepts it, reports progress and completion. One deadline runs at a time
(`due_step`, `due_at`, from `machine.py`); every move is one append-only `SupportUpdate`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned

from . import machine


class Unit(models.Model):
    """A specialised unit of the sub-bureau (警种)."""

    class Kind(models.TextChoices):
        CRIMINAL_INVESTIGATION = "criminal_investigation", _("Criminal investigation")
        CYBER = "cyber", _("Cyber security")
        TRAFFIC = "traffic", _("Traffic police")
        SPECIAL = "special", _("Special police")
        FORENSICS = "forensics", _("Forensic science")
        OTHER = "other", _("Other")

    bureau = models.ForeignKey("organisation.Bureau", verbose_name=_("sub-bureau"), on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    response_minutes = models.PositiveIntegerField(_("accept within (min)"), default=machine.Clock.response_minutes)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("specialised unit")
        verbose_name_plural = _("specialised units")
        ordering = ["bureau", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class UnitMember(models.Model):
    """A member of a specialised unit who can accept and report on requests."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT,
                                related_name="unit_membership")
    unit = models.ForeignKey(Unit, verbose_name=pgettext_lazy("specialised unit", "unit"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    badge_number = models.CharField(_("badge number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("unit member")
        verbose_name_plural = _("unit members")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class SupportRequest(StationOwned):
    """One request for a unit's help (支援请求)."""

    class State(models.TextChoices):
        REQUESTED = machine.REQUESTED, _("Requested, not yet accepted")
        ACCEPTED = machine.ACCEPTED, pgettext_lazy("support state", "Accepted")
        IN_PROGRESS = machine.IN_PROGRESS, _("In progress")
        COMPLETED = machine.COMPLETED, _("Completed")
        DECLINED = machine.DECLINED, _("Declined by the unit")
        CANCELLED = machine.CANCELLED, _("Cancelled")

    class Need(models.TextChoices):
        VIDEO = "video", _("Video review")
        TRACE = "trace", _("Phone or network trace")
        SCENE = "scene", _("Crime scene examination")
        ACCIDENT = "accident", _("Traffic accident handling")
        ARMED = "armed", _("Armed back-up")
        INTERVIEW = "interview", _("Interview or interrogation support")
        OTHER = "other", _("Other")

    class DueStep(models.TextChoices):
        NONE = "", _("None")
        ACCEPT = machine.STEP_ACCEPT, _("Acceptance")
        ARRIVE = machine.STEP_ARRIVE, _("Help in place")
        COMPLETE = machine.STEP_COMPLETE, _("Completion")
        DECIDE = machine.STEP_DECIDE, _("Station's decision")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("request number"), max_length=40)
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="support_requests")
    case = models.ForeignKey("cases.Case", verbose_name=pgettext_lazy("record kind", "case"), on_delete=models.PROTECT, related_name="support_requests",
                             null=True, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=pgettext_lazy("specialised unit", "unit"), on_delete=models.PROTECT, related_name="requests")
    need = models.CharField(_("what is needed"), max_length=20, choices=Need.choices)
    details = models.TextField(_("details"))
    people = models.PositiveSmallIntegerField(_("how many people"), default=1)
    needed_by = models.DateTimeField(_("needed by"))
    place = models.CharField(_("where"), max_length=200)
    contact = models.ForeignKey("organisation.Officer", verbose_name=_("contact officer"), on_delete=models.PROTECT,
                                related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REQUESTED)

    requested_at = models.DateTimeField(_("requested"), db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True)
    accepted_by = models.ForeignKey(UnitMember, verbose_name=pgettext_lazy("support", "accepted by"), on_delete=models.PROTECT,
                                    related_name="accepted_requests", null=True, blank=True)
    accepted_at = models.DateTimeField(pgettext_lazy("support", "accepted"), null=True, blank=True)
    started_at = models.DateTimeField(pgettext_lazy("support", "started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    report = models.TextField(_("completion report"), blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    decline_reason = models.CharField(_("why declined"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)

    due_step = models.CharField(_("step due"), max_length=20, choices=DueStep.choices, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    chases = models.PositiveSmallIntegerField(_("times chased"), default=0)

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["station", "number"], name="support_unique_number_per_station")]
        indexes = [models.Index(fields=["unit", "state"], name="support_unit_state")]
        permissions = [("work_supportrequest", "Can accept and report on support requests as a unit member")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in machine.OPEN

    def as_item(self) -> machine.Item:
        return machine.Item(state=self.state, requested_at=self.requested_at, needed_by=self.needed_by,
                            due_step=self.due_step, due_at=self.due_at,
                            accepted_by=self.accepted_by_id, chases=self.chases)


class SupportUpdate(StationOwned):
    """One move or progress note of a support request (append-only)."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=20)
    state_before = models.CharField(_("state before"), max_length=20, blank=True)
    state_after = models.CharField(_("state after"), max_length=20)
    notes = models.TextField(_("notes"), blank=True)
    actor = models.CharField(_("by"), max_length=20)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    author_name = models.CharField(_("author's name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("support request update")
        verbose_name_plural = _("support request updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"
