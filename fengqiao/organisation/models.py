"""The station and its people: bureaus, stations, beats, teams, officers, departments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.scoping import StationOwned, StationScopedManager


class Bureau(models.Model):
    """A sub-bureau (分局) that oversees several stations."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("sub-bureau")
        verbose_name_plural = _("sub-bureaus")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Station(StationOwned):
    """A police station (派出所): the unit whose data is its own."""

    station_field = "id"

    bureau = models.ForeignKey(
        Bureau, verbose_name=_("sub-bureau"), on_delete=models.PROTECT,
        related_name="stations", null=True, blank=True,
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"), max_length=12, unique=True,
        help_text=_("Short code used in incident and case numbers."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    urban = models.BooleanField(
        _("urban"), default=True,
        help_text=_("Urban stations answer to the urban response targets."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    objects = StationScopedManager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Team(StationOwned):
    """A team or room of the station (一室两队 plus leadership, desk and standby)."""

    class Kind(models.TextChoices):
        COMMAND = "command", _("Comprehensive Command Room")
        COMMUNITY = "community", _("Community Policing Team")
        CASE = "case", _("Case Handling Team")
        LEADERSHIP = "leadership", _("Leadership")
        DESK = "desk", _("Desk and clerks")
        STANDBY = "standby", _("Standby group")

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["station", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="team_unique_name_per_station"),
        ]

    def __str__(self) -> str:
        return self.name


class Officer(StationOwned):
    """A police officer (民警) or auxiliary (辅警) of a station."""

    class Rank(models.TextChoices):
        OFFICER = "officer", _("Police officer")
        AUXILIARY = "auxiliary", _("Auxiliary")

    class DutyStatus(models.TextChoices):
        OFF_DUTY = "off_duty", _("Off duty")
        ON_DUTY = "on_duty", _("On duty, free")
        BUSY = "busy", _("On duty, busy")
        STANDBY = "standby", _("Standby")
        ON_LEAVE = "on_leave", _("On leave")

    ON_DUTY_STATUSES = (DutyStatus.ON_DUTY, DutyStatus.BUSY, DutyStatus.STANDBY)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT,
        related_name="officer", null=True, blank=True,
    )
    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="officers")
    name = models.CharField(_("name"), max_length=50)
    badge_number = models.CharField(_("badge number"), max_length=20, unique=True)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.OFFICER)
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="members")
    beat = models.ForeignKey(
        "Beat", verbose_name=_("beat"), on_delete=models.SET_NULL, related_name="officers",
        null=True, blank=True,
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("supervising officer"), on_delete=models.PROTECT,
        related_name="auxiliaries", null=True, blank=True,
        help_text=_("Auxiliaries work under a police officer."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    duty_status = models.CharField(
        _("duty status"), max_length=20, choices=DutyStatus.choices, default=DutyStatus.OFF_DUTY
    )
    latitude = models.FloatField(_("last known latitude"), null=True, blank=True)
    longitude = models.FloatField(_("last known longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("position reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["station", "team", "badge_number"]
        permissions = [("reveal_officer_phone", _("Can reveal an officer's phone number"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.badge_number})"

    @property
    def on_duty(self) -> bool:
        return self.duty_status in self.ON_DUTY_STATUSES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.team_id and self.station_id and self.team.station_id != self.station_id:
            errors["team"] = _("The team belongs to another station.")
        if self.beat_id and self.station_id and self.beat.station_id != self.station_id:
            errors["beat"] = _("The beat belongs to another station.")
        if self.rank == self.Rank.AUXILIARY:
            if not self.supervisor_id:
                errors["supervisor"] = _("An auxiliary needs a supervising police officer.")
            elif self.supervisor.rank != self.Rank.OFFICER:
                errors["supervisor"] = _("The supervisor must be a police officer, not an auxiliary.")
            elif self.supervisor.station_id != self.station_id:
                errors["supervisor"] = _("The supervisor belongs to another station.")
        elif self.supervisor_id:
            errors["supervisor"] = _("Only auxiliaries have a supervising officer.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)


class Beat(StationOwned):
    """A community policing beat (警务区 / 责任区) with its boundary as GeoJSON."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="beats")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    community = models.CharField(_("community"), max_length=100, blank=True)
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon geometry in WGS84 longitude/latitude."),
    )
    office_address = models.CharField(_("community office"), max_length=200, blank=True)
    responsible_officer = models.ForeignKey(
        Officer, verbose_name=_("responsible community officer"), on_delete=models.SET_NULL,
        related_name="responsible_beats", null=True, blank=True,
    )

    class Meta:
        verbose_name = _("beat")
        verbose_name_plural = _("beats")
        ordering = ["station", "code"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="beat_unique_code_per_station"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from fengqiao.organisation.geo import GeometryError, check_polygon

        if self.boundary:
            try:
                check_polygon(self.boundary)
            except GeometryError as exc:
                raise ValidationError({"boundary": str(exc)}) from None
        if (
            self.responsible_officer_id
            and self.station_id
            and self.responsible_officer.station_id != self.station_id
        ):
            raise ValidationError({"responsible_officer": _("The officer belongs to another station.")})


class BureauMember(models.Model):
    """A member of a sub-bureau's staff: sees the data of every station of the bureau."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT,
        related_name="bureau_membership",
    )
    bureau = models.ForeignKey(Bureau, verbose_name=_("sub-bureau"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("sub-bureau staff member")
        verbose_name_plural = _("sub-bureau staff")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A partner department (职能部门) that receives non-police matters, e.g. the 12345 hotline."""

    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("Government hotline (12345)")
        URBAN_MANAGEMENT = "urban_management", _("Urban management")
        MARKET_REGULATION = "market_regulation", _("Market regulation")
        HOUSING = "housing", _("Housing and property")
        EMERGENCY = "emergency", _("Emergency management")
        UTILITIES = "utilities", _("Water, power and gas")
        ENVIRONMENT = "environment", _("Ecology and environment")
        STREET_OFFICE = "street_office", _("Street office")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner department")
        verbose_name_plural = _("partner departments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
