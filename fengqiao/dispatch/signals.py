"""Every station gets its dispatch settings and deadline table when it is created."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from fengqiao.organisation.models import Station


@receiver(post_save, sender=Station, dispatch_uid="dispatch-seed-new-station")
def seed_new_station(sender: Any, instance: Station, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from .services import seed_station_dispatch

        seed_station_dispatch(instance)
