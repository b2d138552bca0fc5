"""Intake records (DESIGN.md §3, §6): the call (接警单), the incident (警情) and its log.

A call is what somebody reported; an incident is what the station deals with. A call may
be invalid, a duplicate of an incident already open, or become an incident; invalid and
repeat calls are kept and counted, never deleted. The incident log is append-only: a
wrong entry is struck through with a reason (enforced by database triggers as well).

The category taxonomy, the triage lexicon, the routing of each category, the sensor
table, the duplicate window and the incident number template are the station's data,
seeded from the files shipped in `fengqiao/intake/data/` and editable in the admin.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.scoping import StationOwned

from . import states
from .numbering import DEFAULT_TEMPLATE, TemplateError, check_template


class Route(models.TextChoices):
    """Who deals with an incident (DESIGN.md §3, routing)."""

    COMMUNITY = "community", _("Community officer of the beat")
    CASE = "case", _("Case team on duty")
    COMMAND = "command", _("Command room coordinates")
    TRANSFER = "transfer", _("Transfer to a department")


PRIORITY_CHOICES = [
    (1, _("1 — emergency")),
    (2, _("2 — urgent")),
    (3, _("3 — normal")),
    (4, _("4 — low")),
]


class CategoryFamily(StationOwned):
    """A first-level incident category (警情大类), e.g. 纠纷 disputes."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="category_families")
    code = models.CharField(_("code"), max_length=40)
    label_zh = models.CharField(_("Chinese name"), max_length=50)
    label_en = models.CharField(_("English name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category family")
        verbose_name_plural = _("category families")
        ordering = ["station", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="category_family_unique_code_per_station"),
        ]

    def __str__(self) -> str:
        return self.label_zh


class Category(StationOwned):
    """A second-level incident category (警情小类) with the station's routing and urgency for it."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="categories")
    family = models.ForeignKey(CategoryFamily, verbose_name=_("family"), on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(_("code"), max_length=60, help_text=_("family.name, e.g. dispute.neighbour"))
    label_zh = models.CharField(_("Chinese name"), max_length=50)
    label_en = models.CharField(_("English name"), max_length=80)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    priority = models.PositiveSmallIntegerField(_("default priority"), choices=PRIORITY_CHOICES)
    repeat_prone = models.BooleanField(_("prone to repeat"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["station", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="category_unique_code_per_station"),
        ]

    def __str__(self) -> str:
        return f"{self.family.label_zh}/{self.label_zh}"

    def clean(self) -> None:
        if self.family_id and self.station_id and self.family.station_id != self.station_id:
            raise ValidationError({"family": _("The family belongs to another station.")})
        if self.family_id and self.code and not self.code.startswith(f"{self.family.code}."):
            raise ValidationError({"code": _("The code must start with the family's code and a dot.")})


class IntakeSettings(StationOwned):
    """A station's intake configuration: triage lexicon, sensors, duplicates, numbering."""

    station = models.OneToOneField("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="intake_settings")
    number_template = models.CharField(
        _("incident number template"), max_length=60, default=DEFAULT_TEMPLATE,
        help_text=_("Fields: {station}, {YYYYMMDD} (or {YYYY}{MM}{DD}) and {NNNN}."),
    )
    lexicon = models.JSONField(_("triage lexicon and rules"), help_text=_("Keywords, priority modifiers and route overrides (see fengqiao/intake/data/lexicon.json)."))
    sensor_map = models.JSONField(_("sensor alarm table"), help_text=_("Sensor kind → category and priority."))
    duplicate_metres = models.PositiveIntegerField(_("duplicate radius (m)"), default=50)
    duplicate_minutes = models.PositiveIntegerField(_("duplicate window (min)"), default=30)
    triage_minutes = models.PositiveIntegerField(
        _("minutes to dispatch"), default=3,
        help_text=_("Deadline for the command room to dispatch, transfer or close a new incident."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return str(_("Intake settings of %(station)s") % {"station": self.station})

    def clean(self) -> None:
        from .services import check_station_rules

        try:
            check_template(self.number_template)
        except TemplateError as error:
            raise ValidationError({"number_template": str(error)}) from None
        check_station_rules(self)


class Call(StationOwned):
    """A call (接警单): one report by one person or device, exactly as it arrived."""

    class Source(models.TextChoices):
        FEED_110 = "feed_110", _("110 call-centre feed")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Front desk")
        PATROL = "patrol", _("Patrol finding")
        SENSOR = "sensor", _("Sensor alarm")
        CHAT_GROUP = "chat_group", _("Community chat group")
        VIDEO_PATROL = "video_patrol", _("Video patrol")

    class State(models.TextChoices):
        NEW = "new", _("New")
        INVALID = "invalid", _("Invalid")
        DUPLICATE = "duplicate", _("Duplicate")
        INCIDENT = "incident", _("Became an incident")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="calls")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    sensor_kind = models.CharField(_("sensor kind"), max_length=40, blank=True)
    external_id = models.CharField(_("110 system id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True, db_index=True)
    text = models.TextField(_("what the caller said"))
    address_text = models.CharField(_("address as given"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.ForeignKey("records.Address", verbose_name=_("standard address"), on_delete=models.PROTECT, related_name="calls", null=True, blank=True)
    address_score = models.FloatField(_("address match score"), null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT, related_name="calls", null=True, blank=True)
    triage = models.JSONField(_("triage suggestion"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    invalid_reason = models.CharField(_("why invalid"), max_length=200, blank=True)
    incident = models.ForeignKey("Incident", verbose_name=_("incident"), on_delete=models.PROTECT, related_name="calls", null=True, blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "external_id"], condition=~models.Q(external_id=""),
                name="call_unique_external_id_per_station",
            ),
        ]
        indexes = [models.Index(fields=["station", "received_at"], name="call_station_received")]
        permissions = [("reveal_caller_phone", "Can reveal a caller's phone number")]

    def __str__(self) -> str:
        return str(_("Call %(id)s") % {"id": self.pk})


class Incident(StationOwned):
    """An incident (警情): what the station deals with, from triage to closure.

    At every moment an open incident has one owner (a team, and the officer within it
    once known) and one deadline.
    """

    class State(models.TextChoices):
        RECEIVED = states.RECEIVED, _("Received")
        TRIAGED = states.TRIAGED, _("Triaged")
        DISPATCHED = states.DISPATCHED, _("Dispatched")
        ACKNOWLEDGED = states.ACKNOWLEDGED, _("Acknowledged")
        ON_SCENE = states.ON_SCENE, _("On scene")
        RESOLVED = states.RESOLVED, _("Resolved")
        CLOSED = states.CLOSED, _("Closed")
        TRANSFERRED = states.TRANSFERRED, _("Transferred")
        CONVERTED = states.CONVERTED, _("Became a case")
        MERGED = states.MERGED, _("Merged")
        INVALID = states.INVALID, _("Invalid")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="incidents")
    number = models.CharField(_("incident number"), max_length=40)
    received_at = models.DateTimeField(_("received"), db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="incidents")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITY_CHOICES)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.TRIAGED)
    summary = models.TextField(_("summary"))
    address_text = models.CharField(_("place as given"), max_length=200, blank=True)
    address = models.ForeignKey("records.Address", verbose_name=_("standard address"), on_delete=models.PROTECT, related_name="incidents", null=True, blank=True)
    place_unconfirmed = models.BooleanField(
        _("place needs confirming"), default=False,
        help_text=_("No standard address matched with confidence; the commander must confirm the place."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT, related_name="incidents", null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    triage = models.JSONField(_("triage suggestion"), default=dict, blank=True)
    owner_team = models.ForeignKey("organisation.Team", verbose_name=_("owning team"), on_delete=models.PROTECT, related_name="owned_incidents", null=True, blank=True)
    owner = models.ForeignKey("organisation.Officer", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_incidents", null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), on_delete=models.PROTECT, related_name="merged_incidents", null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("being edited by"), on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    lock_expires_at = models.DateTimeField(_("edit lock expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "number"], name="incident_unique_number_per_station"),
            models.CheckConstraint(condition=models.Q(priority__gte=1, priority__lte=4), name="incident_priority_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["station", "state"], name="incident_station_state"),
            models.Index(fields=["station", "received_at"], name="incident_station_received"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return states.is_open(self.state)


class IncidentLog(StationOwned):
    """One entry of an incident's log (警情日志). Never edited, never deleted: a wrong
    entry is struck through with a reason and stays readable."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Call received")
        CALL = "call", _("Call attached")
        TRIAGED = "triaged", _("Triaged")
        CHANGED = "changed", _("Changed")
        STATE = "state", _("State changed")
        MERGED = "merged", _("Merged")
        NOTE = "note", _("Note")
        DISPATCH = "dispatch", _("Dispatch")
        FEEDBACK = "feedback", _("Feedback")
        FOLLOW_UP = "follow_up", _("Follow-up")
        DEADLINE = "deadline", _("Deadline")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    automatic = models.BooleanField(_("automatic"), default=False, help_text=_("Written by the system, not by a person."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    text = models.TextField(_("entry"))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    struck_at = models.DateTimeField(_("struck through"), null=True, blank=True)
    struck_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("struck through by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    strike_reason = models.CharField(_("why struck through"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("incident log entry")
        verbose_name_plural = _("incident log")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%H:%M} {self.text[:40]}"


class IncidentCounter(StationOwned):
    """The last sequence number used for a station's incidents on one day."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("incident counter")
        verbose_name_plural = _("incident counters")
        constraints = [models.UniqueConstraint(fields=["station", "day"], name="incident_counter_unique_day")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.day} {self.last}"


class IdempotencyRecord(StationOwned):
    """The first answer to a feed request, kept with its key in the call's own transaction,
    so a retry after a lost answer gets the same answer and never a second call."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=200)
    body_hash = models.CharField(_("body hash"), max_length=64)
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="+")
    response = models.JSONField(_("first answer"))
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["station", "key"], name="idempotency_unique_key_per_station")]

    def __str__(self) -> str:
        return self.key
