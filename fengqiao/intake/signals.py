"""Keep every station supplied with intake rules, and every process's caches fresh."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address

from .models import Category, CategoryFamily, IntakeSettings


@receiver(post_save, sender=Station, dispatch_uid="intake-seed-new-station")
def seed_new_station(sender: Any, instance: Station, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from .services import seed_station_intake

        seed_station_intake(instance)


@receiver(post_save, sender=Category, dispatch_uid="intake-category-saved")
@receiver(post_delete, sender=Category, dispatch_uid="intake-category-deleted")
@receiver(post_save, sender=CategoryFamily, dispatch_uid="intake-family-saved")
@receiver(post_delete, sender=CategoryFamily, dispatch_uid="intake-family-deleted")
def touch_settings(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A changed category changes the rules: bump the settings' stamp so that every
    process rebuilds them on its next call."""
    if raw:
        return
    from .services import forget_station_caches

    IntakeSettings.objects.for_stations([instance.station_id]).update(updated_at=timezone.now())
    forget_station_caches(instance.station_id)


@receiver(post_save, sender=IntakeSettings, dispatch_uid="intake-settings-saved")
def forget_rules(sender: Any, instance: IntakeSettings, raw: bool = False, **kwargs: Any) -> None:
    """Other processes notice the new stamp within FRESH_SECONDS; this one at once."""
    if raw:
        return
    from .services import forget_station_caches

    forget_station_caches(instance.station_id)


@receiver(post_save, sender=Address, dispatch_uid="intake-address-saved")
@receiver(post_save, sender=Beat, dispatch_uid="intake-beat-saved")
def forget_places(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from .services import forget_station_caches

    forget_station_caches(instance.station_id)
