"""Dispatch orders, their feedback, deadlines and follow-ups (DESIGN.md §3 and §6).

An incident may get several orders (派警单) — the community officer and the case team,
each with its own clock. Every step of an order is stamped; the deadline of the step
that is due hangs on the order (`warn_at`, `alert_at`), and each breach is kept as a
`Violation` that assessment counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.core.scoping import StationOwned
from fengqiao.intake.models import PRIORITY_CHOICES

from . import clocks, steps


class Step(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ARRIVE = "arrive", _("On scene")
    FEEDBACK = "feedback", _("Feedback")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


class BreachStep(models.TextChoices):
    """What a deadline breach was about: a step of the deadline table, or a deadline of the
    loops after dispatch (cases, transfers, support requests), which keep their own clocks."""

    DISPATCH = Step.DISPATCH.value, Step.DISPATCH.label
    ACKNOWLEDGE = Step.ACKNOWLEDGE.value, Step.ACKNOWLEDGE.label
    ARRIVE = Step.ARRIVE.value, Step.ARRIVE.label
    FEEDBACK = Step.FEEDBACK.value, Step.FEEDBACK.label
    FOLLOW_UP = Step.FOLLOW_UP.value, Step.FOLLOW_UP.label
    CASE = "case", _("Case time limit")
    TRANSFER = "transfer", _("Transfer to a department")
    SUPPORT = "support", _("Support request")


class Area(models.TextChoices):
    ANY = "", _("Urban or suburban")
    URBAN = clocks.URBAN, _("Urban")
    SUBURBAN = clocks.SUBURBAN, _("Suburban")


class DispatchSettings(StationOwned):
    """How a station dispatches: travel assumptions, shifts and follow-up rules."""

    station = models.OneToOneField("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="dispatch_settings")
    detour_factor = models.FloatField(_("detour factor"), default=1.4, help_text=_("Road distance ≈ straight-line distance × this."))
    speed_kmh = models.FloatField(_("travel speed (km/h)"), default=30.0)
    shift_starts = models.JSONField(_("shift start hours"), default=list, blank=True, help_text=_("e.g. [9, 16, 23]"))
    follow_up_days = models.JSONField(
        _("follow-up after resolving (days)"), default=dict, blank=True,
        help_text=_('Category or family code → days, e.g. {"dispute": 2, "assistance": 2}.'),
    )

    class Meta:
        verbose_name = _("dispatch settings")
        verbose_name_plural = _("dispatch settings")

    def __str__(self) -> str:
        return str(self.station)


class DeadlinePolicy(StationOwned):
    """One row of the deadline table: category × priority × step × area → warning and alert."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="deadline_policies")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    category = models.CharField(_("category or family code"), max_length=60, blank=True, help_text=_("Blank: every category."))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITY_CHOICES, null=True, blank=True, help_text=_("Blank: every priority."))
    area = models.CharField(_("area"), max_length=10, choices=Area.choices, blank=True)
    warning_minutes = models.PositiveIntegerField(_("warning after (min)"))
    alert_minutes = models.PositiveIntegerField(_("alert after (min)"))
    until_shift_end = models.BooleanField(_("due at the end of the shift"), default=False,
                                          help_text=_("The alert comes at the end of the shift; the warning so many minutes before it."))

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["station", "step", "category", "priority", "area"]
        constraints = [
            models.UniqueConstraint(fields=["station", "step", "category", "priority", "area"], name="deadline_policy_unique_row"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.category or '*'} P{self.priority or '*'} {self.area or '*'}"

    def as_policy(self) -> clocks.Policy:
        return clocks.Policy(
            step=self.step, warning_minutes=self.warning_minutes, alert_minutes=self.alert_minutes,
            category=self.category, priority=self.priority, area=self.area, until_shift_end=self.until_shift_end,
        )


class Dispatch(StationOwned):
    """A dispatch order (派警单): one officer sent to one incident, every step stamped."""

    class State(models.TextChoices):
        ISSUED = steps.ISSUED, _("Issued, not yet acknowledged")
        ACKNOWLEDGED = steps.ACKNOWLEDGED, _("Acknowledged")
        DEPARTED = steps.DEPARTED, _("On the way")
        ON_SCENE = steps.ON_SCENE, _("On scene")
        REPORTED = steps.REPORTED, _("Feedback given")
        RETURNED = steps.RETURNED, _("Returned")
        CANCELLED = steps.CANCELLED, _("Cancelled")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="dispatches")
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="dispatches")
    team_kind = models.CharField(_("team"), max_length=20)
    backup = models.BooleanField(_("additional unit"), default=False,
                                 help_text=_("Sent in addition to the team's first order."))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ISSUED)
    recommendation = models.JSONField(_("why this officer"), default=dict, blank=True)

    issued_at = models.DateTimeField(_("issued"), db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("on scene"), null=True, blank=True)
    reported_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.CharField(_("why returned"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)

    # The deadline of the step that is due now (empty once the order is finished).
    due_step = models.CharField(_("step due"), max_length=20, choices=Step.choices, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    alert_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("dispatch order")
        verbose_name_plural = _("dispatch orders")
        ordering = ["-issued_at"]
        constraints = [
            # Two commanders dispatching the same incident at the same moment: one order.
            models.UniqueConstraint(
                fields=["incident", "team_kind"], condition=Q(backup=False, state__in=sorted(steps.ACTIVE)),
                name="dispatch_one_active_order_per_team",
            ),
            models.UniqueConstraint(
                fields=["incident", "officer"], condition=Q(state__in=sorted(steps.ACTIVE)),
                name="dispatch_one_active_order_per_officer",
            ),
        ]
        indexes = [models.Index(fields=["officer", "state"], name="dispatch_officer_state")]

    def __str__(self) -> str:
        return f"{self.incident.number} → {self.officer.name}"

    @property
    def is_active(self) -> bool:
        return steps.is_active(self.state)


class Disposition(models.TextChoices):
    """How the matter was dealt with on scene (处置结果)."""

    HANDLED = "handled", _("Dealt with on scene")
    MEDIATED = "mediated", _("Mediated, agreement reached")
    MEDIATION_FAILED = "mediation_failed", _("Mediation failed, referred on")
    WARNED = "warned", _("Warned and educated")
    HELPED = "helped", _("Help given")
    CASE_ACCEPTED = "case_accepted", _("Accepted as a case")
    TRANSFERRED = "transferred", _("Handed to a department")
    NOTHING_FOUND = "nothing_found", _("Nothing found on arrival")
    FALSE_REPORT = "false_report", _("Report untrue")
    ADVICE = "advice", _("Advice given")
    OTHER = "other", _("Other")


class Feedback(StationOwned):
    """The feedback report (反馈单) of one order: what was found and done, on what legal basis."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    dispatch = models.OneToOneField(Dispatch, verbose_name=_("order"), on_delete=models.PROTECT, related_name="feedback")
    disposition = models.CharField(_("disposition"), max_length=30, choices=Disposition.choices)
    actions = models.TextField(_("what was done"))
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    people = models.JSONField(_("people involved"), default=list, blank=True, help_text=_('[{"name": …, "role": …}]'))
    reclassified_to = models.ForeignKey("intake.Category", verbose_name=_("re-classified as"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    resolves = models.BooleanField(_("matter resolved"), default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("feedback report")
        verbose_name_plural = _("feedback reports")

    def __str__(self) -> str:
        return f"{self.dispatch} — {self.get_disposition_display()}"


class Violation(StationOwned):
    """A deadline that was passed (warning or alert), kept for the board and for assessment."""

    class Level(models.TextChoices):
        WARNING = clocks.WARNING, _("Warning")
        ALERT = clocks.ALERT, _("Breach")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="violations")
    dispatch = models.ForeignKey(Dispatch, verbose_name=_("order"), on_delete=models.PROTECT, related_name="violations", null=True, blank=True)
    follow_up = models.ForeignKey("FollowUp", verbose_name=_("follow-up"), on_delete=models.PROTECT, related_name="violations", null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="violations", null=True, blank=True)
    step = models.CharField(_("step"), max_length=20, choices=BreachStep.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    due_at = models.DateTimeField(_("was due"))
    recorded_at = models.DateTimeField(_("recorded"), db_index=True)
    # What the deadline hung on, so the ticker records each breach once.
    subject = models.CharField(_("subject"), max_length=60)

    class Meta:
        verbose_name = _("deadline breach")
        verbose_name_plural = _("deadline breaches")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "step", "level", "due_at"], name="violation_once_per_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.get_level_display()} ({self.subject})"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NO_RESULT = "no_result", _("No answer")


class FollowUp(StationOwned):
    """A follow-up visit (回访) after a dispute or a request for help was resolved."""

    class Level(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("On the spot")
        CALL = "call", _("Telephone call")
        HOME_VISIT = "home_visit", _("Home visit")

    class State(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="follow_ups")
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("responsible officer"), on_delete=models.PROTECT, related_name="follow_ups")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.CALL)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DUE)
    scheduled_at = models.DateTimeField(_("scheduled"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    alert_at = models.DateTimeField(_("overdue from"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    outcome = models.CharField(_("answer"), max_length=20, choices=Satisfaction.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_level_display()}"


class Supervision(StationOwned):
    """A supervision order (督办) for the leaders: opened by a dissatisfied follow-up."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="supervisions")
    follow_up = models.ForeignKey(FollowUp, verbose_name=_("follow-up"), on_delete=models.PROTECT, related_name="supervisions")
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer supervised"), on_delete=models.PROTECT, related_name="supervisions")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    reason = models.TextField(_("why"))
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.incident.number} ({self.get_state_display()})"
