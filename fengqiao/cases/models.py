"""Cases (案件): accepted from an incident, filed or not, cleared, closed — each against its legal time limit.

A case belongs to the case team; its lead officer is chosen by current load and
complexity (`assign.py`, with the reason kept in `assignment`). One deadline runs at a time
(`stage`, `due_at`, from `machine.py`), extended only by a leader with a reason. Every move
is one append-only `CaseLog` row; the case links back to its incident, whose calls and
orders it shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned

from . import machine

DEFAULT_NUMBER_TEMPLATE = "{station}{kind}{YYYY}{NNNN}"


class CaseSettings(StationOwned):
    """How a station numbers its cases."""

    station = models.OneToOneField("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT,
                                   related_name="case_settings")
    number_template = models.CharField(
        _("case number template"), max_length=60, default=DEFAULT_NUMBER_TEMPLATE,
        help_text=_("{station} the station's code, {kind} XS (criminal) or XZ (administrative), {YYYY} the year, "
                    "{NNNN} the year's sequence number."),
    )

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return str(self.station)


class CaseLimit(StationOwned):
    """One legal time limit of a station: kind × stage → days, and the extensions allowed."""

    class Stage(models.TextChoices):
        FILING = machine.STAGE_FILING, _("Filing decision")
        INVESTIGATION = machine.STAGE_INVESTIGATION, _("Investigation")
        HANDLING = machine.STAGE_HANDLING, _("Handling")
        CLOSING = machine.STAGE_CLOSING, _("Closing the file")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=[(machine.CRIMINAL, _("Criminal")),
                                                              (machine.ADMINISTRATIVE, _("Administrative"))])
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    days = models.PositiveIntegerField(_("days"))
    extension_days = models.PositiveIntegerField(_("days per extension"), default=0)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)

    class Meta:
        verbose_name = _("case time limit")
        verbose_name_plural = _("case time limits")
        ordering = ["station", "kind", "stage"]
        constraints = [models.UniqueConstraint(fields=["station", "kind", "stage"], name="case_limit_unique_stage")]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage}: {self.days}"


class Case(StationOwned):
    """A case (案件) of the case team, from an incident."""

    class Kind(models.TextChoices):
        CRIMINAL = machine.CRIMINAL, _("Criminal")
        ADMINISTRATIVE = machine.ADMINISTRATIVE, _("Administrative")

    class State(models.TextChoices):
        ACCEPTED = machine.ACCEPTED, pgettext_lazy("case state", "Accepted")
        FILED = machine.FILED, _("Filed")
        NOT_FILED = machine.NOT_FILED, _("Not filed")
        CLEARED = machine.CLEARED, pgettext_lazy("case state", "Cleared")
        CLOSED = machine.CLOSED, pgettext_lazy("case state", "Closed")

    class Complexity(models.TextChoices):
        SIMPLE = machine.SIMPLE, _("Simple")
        ORDINARY = machine.ORDINARY, _("Ordinary")
        COMPLEX = machine.COMPLEX, _("Complex")

    class ClearedHow(models.TextChoices):
        ON_SCENE = "on_scene", _("Caught on the scene")
        INVESTIGATION = "investigation", _("Investigation")
        VIDEO = "video", _("Video review")
        FORENSICS = "forensics", _("Forensic evidence")
        INFORMANT = "informant", _("Tip-off from the public")
        SURRENDER = "surrender", _("Surrender")
        DECISION = "decision", _("Administrative decision")
        OTHER = "other", _("Other")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("case number"), max_length=40)
    incident = models.OneToOneField("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                    related_name="case")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey("intake.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(pgettext_lazy("case", "title"), max_length=200)
    complexity = models.CharField(_("complexity"), max_length=20, choices=Complexity.choices, default=Complexity.ORDINARY)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACCEPTED)
    lead = models.ForeignKey("organisation.Officer", verbose_name=_("lead officer"), on_delete=models.PROTECT,
                             related_name="cases_led")
    assistants = models.ManyToManyField("organisation.Officer", verbose_name=_("assisting officers"), blank=True,
                                        related_name="cases_assisted")
    assignment = models.JSONField(_("why this officer"), default=dict, blank=True)

    accepted_at = models.DateTimeField(pgettext_lazy("case", "accepted"), db_index=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("case", "accepted by"), on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    not_filed_reason = models.CharField(_("why not filed"), max_length=300, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_how = models.CharField(_("cleared by"), max_length=20, choices=ClearedHow.choices, blank=True)
    cleared_note = models.TextField(_("how it was cleared"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_note = models.CharField(_("closing note"), max_length=300, blank=True)

    # The clock (machine.Item).
    stage = models.CharField(_("stage"), max_length=20, choices=CaseLimit.Stage.choices, blank=True)
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    extensions = models.PositiveSmallIntegerField(_("extensions of this stage"), default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "number"], name="case_unique_number_per_station"),
        ]
        indexes = [models.Index(fields=["station", "state"], name="case_station_state")]
        permissions = [("extend_case", "Can extend a case's time limit"),
                       ("assign_case", "Can assign a case to another officer")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in machine.OPEN

    def as_item(self) -> machine.Item:
        return machine.Item(kind=self.kind, state=self.state, lead=self.lead_id, stage=self.stage,
                            stage_started_at=self.stage_started_at, due_at=self.due_at, extensions=self.extensions)


class CaseLog(StationOwned):
    """One entry of a case's history (append-only)."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=20)
    text = models.TextField(_("entry"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+", null=True, blank=True)
    automatic = models.BooleanField(_("automatic"), default=False)

    class Meta:
        verbose_name = _("case log entry")
        verbose_name_plural = _("case log")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"
