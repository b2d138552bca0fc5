"""Analysis (研判): what the command room keeps of its analysis.

Most analysis is computed when asked (statistics, hot spots, forecasts) and kept nowhere.
What is kept: each station's settings; the near-repeat alerts raised on new incidents; the
briefings and situation reports as they were issued (page and PDF, archived, never
changed); and the messages that carried them to the teams' inboxes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.core.scoping import StationOwned

DEFAULT_REPEAT_PRONE = ["criminal.burglary", "criminal.theft_from_vehicle"]


class AnalysisSettings(StationOwned):
    """One row per station (made with defaults when first needed)."""

    station = models.OneToOneField("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT,
                                   related_name="analysis_settings")
    near_repeat_metres = models.PositiveIntegerField(_("near-repeat radius (m)"), default=200)
    near_repeat_days = models.PositiveIntegerField(_("near-repeat period (days)"), default=14)
    repeat_prone = models.JSONField(_("repeat-prone categories"), default=list,
                                    help_text=_("Category codes whose new incidents raise a near-repeat alert."))
    briefing_time = models.TimeField(_("briefing ready by"), default="08:30",
                                     help_text=_("The morning briefing is built at this time each day (before the 09:00 meeting)."))
    cell_metres = models.PositiveIntegerField(_("hot-spot cell (m)"), default=150)
    bandwidth_metres = models.PositiveIntegerField(_("kernel bandwidth (m)"), default=300)

    class Meta:
        verbose_name = _("analysis settings")
        verbose_name_plural = _("analysis settings")
        permissions = [("view_analysis", "Can see the station's analysis")]

    def __str__(self) -> str:
        return str(self.station)


class NearRepeatAlert(StationOwned):
    """A new incident of a repeat-prone kind: the area around it is at raised risk for a while."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField("intake.Incident", verbose_name=_("incident"), on_delete=models.PROTECT,
                                    related_name="near_repeat_alert")
    category = models.ForeignKey("intake.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    beat = models.ForeignKey("organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT, related_name="+",
                             null=True, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    radius_metres = models.PositiveIntegerField(_("radius (m)"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), db_index=True)
    earlier = models.PositiveIntegerField(_("earlier incidents nearby"), default=0,
                                          help_text=_("Incidents of the same kind within the radius and period before this one."))
    created_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("near-repeat alert")
        verbose_name_plural = _("near-repeat alerts")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["station", "ends_at"], name="near_repeat_open")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.radius_metres} m"


class Report(StationOwned):
    """A briefing or situation report as issued: its page and PDF, never changed."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", _("Morning briefing")
        WEEKLY = "weekly", _("Weekly situation report")
        MONTHLY = "monthly", _("Monthly situation report")

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period to"))
    title = models.CharField(pgettext_lazy("report", "title"), max_length=200)
    figures = models.JSONField(_("figures"), default=dict, help_text=_("The numbers the report shows, as computed."))
    html = models.TextField(_("page"), help_text=_("The report's page as issued."))
    pdf = models.BinaryField(_("PDF"), editable=False)
    created_at = models.DateTimeField(_("issued at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("report", "issued by"), on_delete=models.PROTECT,
                                   related_name="+", null=True, blank=True, help_text=_("Empty: built automatically."))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["station", "kind", "period_start", "period_end"],
                                               name="report_once_per_period")]

    def __str__(self) -> str:
        return self.title


class InboxMessage(StationOwned):
    """A message to a team's inbox (a report issued, a summary for the community team …)."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("organisation.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="inbox")
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="messages",
                               null=True, blank=True)
    title = models.CharField(pgettext_lazy("message", "title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("sent at"), db_index=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["team", "report"], name="report_once_per_team")]

    def __str__(self) -> str:
        return self.title


class InboxRead(models.Model):
    """Who has read which message (a team's message is read by each member)."""

    message = models.ForeignKey(InboxMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("message read")
        verbose_name_plural = _("messages read")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_read_once")]

    def __str__(self) -> str:
        return f"{self.message_id} read by {self.user_id}"
