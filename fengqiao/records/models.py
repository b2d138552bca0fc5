"""Basic records (一标三实). This issue starts with the standard address; houses, residents
and organisations follow in the records issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.scoping import StationOwned


class Address(StationOwned):
    """A standard address (标准地址): the one spelling of a place that every record points to."""

    station = models.ForeignKey("organisation.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="addresses")
    beat = models.ForeignKey(
        "organisation.Beat", verbose_name=_("beat"), on_delete=models.PROTECT,
        related_name="addresses", null=True, blank=True,
    )
    code = models.CharField(_("address code"), max_length=40)
    district = models.CharField(_("district"), max_length=50)
    street = models.CharField(_("sub-district"), max_length=50, help_text=_("街道 / 镇"))
    community = models.CharField(_("community"), max_length=50, blank=True)
    road = models.CharField(_("road"), max_length=50)
    number = models.CharField(_("number"), max_length=20, help_text=_("门牌号, e.g. 18号"))
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    full_text = models.CharField(_("full address"), max_length=200, db_index=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        ordering = ["station", "road", "number", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="address_unique_code_per_station"),
        ]

    def __str__(self) -> str:
        return self.full_text

    @staticmethod
    def compose(*, district: str, street: str, road: str, number: str, building: str = "", unit: str = "", room: str = "") -> str:
        """The full written form: 南岸区南坪街道南坪西路18号3栋2单元501."""
        return f"{district}{street}{road}{number}{building}{unit}{room}"
