"""Community work: visits (走访), the dispute ledger (矛盾纠纷台账) and volunteer forces (群防群治)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned


class Visit(StationOwned):
    """A visit by a community officer to a household, shop or organisation, with or without a call."""

    class Target(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        SHOP = "shop", _("Shop")
        ORGANISATION = "organisation", pgettext_lazy("record kind", "Organisation")

    class Purpose(models.TextChoices):
        ANTI_FRAUD = "anti_fraud", _("Anti-fraud publicity")
        DISPUTE_SCREENING = "dispute_screening", _("Dispute screening")
        RECORD_CHECK = "record_check", _("Record check")
        CARE_VISIT = "care_visit", _("Care visit")
        FOLLOW_UP = "follow_up", _("Follow-up visit")
        OTHER = "other", _("Other")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="visits")
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="visits")
    companions = models.CharField(_("with"), max_length=200, blank=True, help_text=_("Auxiliaries, grid workers, volunteers."))
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    target = models.CharField(_("visited"), max_length=20, choices=Target.choices, default=Target.HOUSEHOLD)
    address = models.ForeignKey("records.Address", verbose_name=_("address"), on_delete=models.PROTECT, related_name="visits")
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="visits", null=True, blank=True)
    house = models.ForeignKey("records.House", verbose_name=_("house"), on_delete=models.PROTECT,
                              related_name="visits", null=True, blank=True)
    organisation = models.ForeignKey("records.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="visits", null=True, blank=True)
    residents = models.ManyToManyField("records.Resident", verbose_name=_("people met"), related_name="visits", blank=True)
    care_subject = models.ForeignKey("records.CareSubject", verbose_name=_("care subject"), on_delete=models.PROTECT,
                                     related_name="visits", null=True, blank=True)
    dispute = models.ForeignKey("Dispute", verbose_name=_("dispute"), on_delete=models.PROTECT,
                                related_name="visits", null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    findings = models.TextField(_("findings"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = models.CharField(_("what to follow up"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["station", "address", "visited_at"], name="visit_station_address_at"),
            models.Index(fields=["station", "beat", "visited_at"], name="visit_station_beat_at"),
        ]

    def __str__(self) -> str:
        return f"{self.address} · {self.visited_at:%Y-%m-%d}"


class Dispute(StationOwned):
    """A dispute in the ledger, from first report to its outcome (the point: no 民转刑)."""

    class Kind(models.TextChoices):
        NEIGHBOUR = "neighbour", _("Neighbours")
        FAMILY = "family", _("Family or marriage")
        DEBT = "debt", _("Debt")
        ROMANCE = "romance", _("Romance")
        PROPERTY = "property", _("Property or tenancy")
        LABOUR = "labour", _("Labour or wages")
        CONSUMER = "consumer", _("Consumer")
        TRAFFIC = "traffic", _("Traffic accident")
        OTHER = "other", _("Other")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("dispute outcome", "Open")
        RESOLVED = "resolved", pgettext_lazy("dispute outcome", "Resolved")
        AGREEMENT = "agreement", _("Mediated agreement")
        COURT = "court", _("Referred to court")
        DEPARTMENT = "department", _("Referred to a department")
        CASE = "case", _("Escalated to a case")

    CLOSED = (Outcome.RESOLVED, Outcome.AGREEMENT, Outcome.COURT, Outcome.DEPARTMENT, Outcome.CASE)

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="disputes")
    number = models.CharField(_("number"), max_length=30)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    summary = models.TextField(_("what it is about"))
    address = models.ForeignKey("records.Address", verbose_name=_("address"), on_delete=models.PROTECT,
                                related_name="disputes", null=True, blank=True)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="disputes", null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("responsible officer"), on_delete=models.PROTECT,
                                related_name="disputes", null=True, blank=True)
    mediator = models.CharField(_("people's mediator"), max_length=50, blank=True)
    incidents = models.ManyToManyField("intake.Incident", verbose_name=_("incidents"), related_name="disputes", blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_note = models.TextField(_("outcome details"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["station", "number"], name="dispute_unique_number_per_station")]
        indexes = [models.Index(fields=["station", "outcome", "follow_up_on"], name="dispute_station_outcome")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN


class DisputeParty(StationOwned):
    """One side of a dispute: a resident on record, or a name as given."""

    station_field = "dispute__station"

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties")
    resident = models.ForeignKey("records.Resident", verbose_name=_("resident"), on_delete=models.PROTECT,
                                 related_name="dispute_parties", null=True, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=50, blank=True, help_text=_("e.g. 楼上住户, 房东, 欠款人"))

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.resident.name if self.resident_id else self.name


class MediationStep(StationOwned):
    """One mediation: who, when, how, and what came of it."""

    class Method(models.TextChoices):
        ON_SITE = "on_site", pgettext_lazy("mediation method", "On the spot")
        PHONE = "phone", _("By phone")
        MEDIATION_ROOM = "mediation_room", _("In the mediation room")
        JOINT = "joint", _("Jointly with the neighbourhood committee")
        HOME_VISIT = "home_visit", pgettext_lazy("mediation method", "Home visit")

    station_field = "dispute__station"

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("when"))
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT,
                                related_name="mediations", null=True, blank=True)
    mediator = models.CharField(_("people's mediator"), max_length=50, blank=True)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    result = models.TextField(_("result"))
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mediation step")
        verbose_name_plural = _("mediation steps")
        ordering = ["at"]


class VolunteerTeam(StationOwned):
    """A volunteer force (群防群治): a patrol team, the red armbands, a building watch."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol team")
        RED_ARMBAND = "red_armband", _("Red armbands")
        BUILDING_WATCH = "building_watch", _("Building watch")
        SECURITY_GUARDS = "security_guards", _("Security guards")
        ANTI_FRAUD = "anti_fraud", _("Anti-fraud volunteers")
        OTHER = "other", _("Other")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="volunteer_teams")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
                             related_name="volunteer_teams", null=True, blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("liaison officer"), on_delete=models.PROTECT,
                                related_name="volunteer_teams", null=True, blank=True)
    leader_name = models.CharField(_("team leader"), max_length=50, blank=True)
    leader_phone = models.CharField(_("team leader's phone"), max_length=20, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["station", "name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="volunteer_team_unique_name")]

    def __str__(self) -> str:
        return self.name


class VolunteerMember(StationOwned):
    station_field = "team__station"

    team = models.ForeignKey(VolunteerTeam, verbose_name=pgettext_lazy("volunteer team", "team"), on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey("records.Resident", verbose_name=_("resident"), on_delete=models.PROTECT,
                                 related_name="volunteering", null=True, blank=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return self.name


class VolunteerActivity(StationOwned):
    """A patrol or activity of a volunteer team."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol")
        PUBLICITY = "publicity", _("Publicity")
        EVENT_SECURITY = "event_security", _("Event security")
        MEDIATION = "mediation", _("Helping with mediation")
        OTHER = "other", _("Other")

    station_field = "team__station"

    team = models.ForeignKey(VolunteerTeam, verbose_name=pgettext_lazy("volunteer team", "team"), on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    area = models.CharField(_("area or route"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=1)
    members = models.ManyToManyField(VolunteerMember, verbose_name=_("members"), related_name="activities", blank=True)
    notes = models.TextField(_("what happened"), blank=True)
    officer = models.ForeignKey("organisation.Officer", verbose_name=_("officer"), on_delete=models.PROTECT,
                                related_name="volunteer_activities", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-started_at"]
