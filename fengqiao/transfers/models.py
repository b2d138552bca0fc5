"""Transfers of non-police matters (非警务移交) to partner departments, as a closed loop.

A transfer carries what the department needs (the matter, the place, how to reach the
caller) and one deadline at a time (`due_step`, `due_at`: receipt, then the result, then
the command room's call to the caller); every move is one append-only `TransferUpdate`.
Departments work their items in their own portal or through the API; a department with
an `endpoint_url` is also pushed each new item, retried until it answers
(`send_attempts`, `send_failures`, `next_send_at`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned

from . import machine


class DepartmentMember(models.Model):
    """A user account of a partner department: sees only the transfers sent to it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT,
                                related_name="department_membership")
    department = models.ForeignKey("organisation.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="members")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("department member")
        verbose_name_plural = _("department members")

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"


class DepartmentEndpoint(models.Model):
    """Where a department's own system takes new transfers (blank: it works in the portal)."""

    department = models.OneToOneField("organisation.Department", verbose_name=_("department"), on_delete=models.CASCADE,
                                      related_name="endpoint")
    url = models.URLField(_("push address"), help_text=_("New transfers are POSTed here as JSON."))
    token = models.CharField(_("bearer token"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department push address")
        verbose_name_plural = _("department push addresses")

    def __str__(self) -> str:
        return self.url


class RoutingRule(StationOwned):
    """Which department a non-police category goes to, and how long it has for the result."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category or family code"), max_length=60, blank=True,
                                help_text=_("Blank: every non-police matter no other rule takes."))
    department = models.ForeignKey("organisation.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="routing_rules")
    result_hours = models.PositiveIntegerField(_("result due after (hours)"), default=72)

    class Meta:
        verbose_name = _("transfer routing rule")
        verbose_name_plural = _("transfer routing rules")
        ordering = ["station", "category"]
        constraints = [models.UniqueConstraint(fields=["station", "category"], name="routing_rule_unique_category")]

    def __str__(self) -> str:
        return f"{self.category or '*'} → {self.department}"


class TransferSettings(StationOwned):
    """A station's time limits for transfers (see `machine.Clock`)."""

    station = models.OneToOneField("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT,
                                   related_name="transfer_settings")
    receipt_minutes = models.PositiveIntegerField(_("receipt due after (min)"), default=machine.Clock.receipt_minutes)
    confirm_hours = models.PositiveIntegerField(_("call the caller within (hours)"), default=machine.Clock.confirm_hours)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=machine.Clock.max_extensions)
    max_extension_days = models.PositiveSmallIntegerField(_("days one extension may add"),
                                                          default=machine.Clock.max_extension_days)
    redo_hours = models.PositiveIntegerField(_("redo due after (hours)"), default=machine.Clock.redo_hours)

    class Meta:
        verbose_name = _("transfer settings")
        verbose_name_plural = _("transfer settings")

    def __str__(self) -> str:
        return str(self.station)

    def as_clock(self) -> machine.Clock:
        return machine.Clock(receipt_minutes=self.receipt_minutes, confirm_hours=self.confirm_hours,
                             max_extensions=self.max_extensions, max_extension_days=self.max_extension_days,
                             redo_hours=self.redo_hours)


class CallerAnswer(models.TextChoices):
    """The caller's answer when the command room confirms the result (same scale as follow-ups)."""

    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NO_RESULT = "no_result", _("No answer")


class Transfer(StationOwned):
    """One non-police matter handed to one department (移交单), followed until the caller is asked."""

    class State(models.TextChoices):
        PUSHED = machine.PUSHED, _("Sent, not yet received")
        RECEIVED = machine.RECEIVED, pgettext_lazy("transfer state", "Received")
        IN_PROGRESS = machine.IN_PROGRESS, _("In progress")
        RESULT = machine.RESULT, _("Result reported")
        CONFIRMED = machine.CONFIRMED, _("Confirmed with the caller")
        RETURNED = machine.RETURNED, _("Returned: not ours")
        WITHDRAWN = machine.WITHDRAWN, _("Withdrawn")

    class DueStep(models.TextChoices):
        NONE = "", _("None")
        RECEIPT = machine.STEP_RECEIPT, _("Receipt")
        RESULT = machine.STEP_RESULT, pgettext_lazy("transfer step", "Result")
        CONFIRM = machine.STEP_CONFIRM, _("Call to the caller")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("transfer number"), max_length=40)
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="transfers")
    department = models.ForeignKey("organisation.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="transfers")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PUSHED)
    # What the department is told: written by the command room, no more than the matter needs.
    category_label = models.CharField(_("matter"), max_length=100)
    description = models.TextField(_("what is asked"))
    address_text = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)

    pushed_at = models.DateTimeField(_("sent"), db_index=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True)
    received_at = models.DateTimeField(pgettext_lazy("transfer", "received"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=50, blank=True)
    started_at = models.DateTimeField(_("work started"), null=True, blank=True)
    reported_at = models.DateTimeField(_("result reported"), null=True, blank=True)
    result = models.TextField(pgettext_lazy("transfer", "result"), blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.CharField(_("why not theirs"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed with the caller"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True)
    caller_answer = models.CharField(_("caller's answer"), max_length=20, choices=CallerAnswer.choices, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.CharField(_("why withdrawn"), max_length=300, blank=True)

    # The clock (machine.Item): the department's result deadline, and the one running now.
    result_due = models.DateTimeField(_("result due"))
    due_step = models.CharField(_("step due"), max_length=20, choices=DueStep.choices, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    chases = models.PositiveSmallIntegerField(_("times chased"), default=0)
    last_chased_at = models.DateTimeField(_("last chased"), null=True, blank=True)

    # Pushing to the department's own system (DepartmentEndpoint), when it has one.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    send_attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    send_failures = models.PositiveIntegerField(_("failed sends"), default=0)
    next_send_at = models.DateTimeField(_("next send"), null=True, blank=True, db_index=True)
    last_send_error = models.CharField(_("last send error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-pushed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "number"], name="transfer_unique_number_per_station"),
            # One incident is with one department at a time.
            models.UniqueConstraint(fields=["incident"], condition=Q(state__in=sorted(machine.OPEN)),
                                    name="transfer_one_open_per_incident"),
        ]
        indexes = [models.Index(fields=["department", "state"], name="transfer_department_state")]
        permissions = [
            ("work_transfer", "Can work transfers as a department"),
            ("reveal_transfer_caller", "Can reveal a transferred caller's phone number"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in machine.OPEN

    def as_item(self) -> machine.Item:
        return machine.Item(state=self.state, pushed_at=self.pushed_at, result_due=self.result_due,
                            due_step=self.due_step, due_at=self.due_at, reported_at=self.reported_at,
                            extensions=self.extensions, chases=self.chases)


class TransferUpdate(StationOwned):
    """One move of a transfer, by the department or the station (append-only)."""

    class Via(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        SYSTEM = "system", _("System")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(Transfer, verbose_name=_("transfer"), on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=20)
    state_before = models.CharField(_("state before"), max_length=20, blank=True)
    state_after = models.CharField(_("state after"), max_length=20)
    notes = models.TextField(_("notes"), blank=True)
    new_deadline = models.DateTimeField(_("new deadline"), null=True, blank=True)
    actor = models.CharField(_("by"), max_length=20, help_text=_("department, station or system"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    author_name = models.CharField(_("author's name"), max_length=50, blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.PAGE)

    class Meta:
        verbose_name = _("transfer update")
        verbose_name_plural = _("transfer updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.action}"
