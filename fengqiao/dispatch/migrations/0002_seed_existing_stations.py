"""Stations that existed before dispatch get its settings and the default deadline table."""

from django.db import migrations


def seed(apps, schema_editor):
    from fengqiao.dispatch.clocks import DEFAULT_POLICIES, DEFAULT_SHIFT_STARTS

    Station = apps.get_model("organisation", "Station")
    DispatchSettings = apps.get_model("dispatch", "DispatchSettings")
    DeadlinePolicy = apps.get_model("dispatch", "DeadlinePolicy")
    for station in Station.objects.all():
        DispatchSettings.objects.get_or_create(
            station=station, defaults={"shift_starts": list(DEFAULT_SHIFT_STARTS), "follow_up_days": {"dispute": 2, "assistance": 2}})
        if not DeadlinePolicy.objects.filter(station=station).exists():
            DeadlinePolicy.objects.bulk_create([
                DeadlinePolicy(station=station, step=p.step, category=p.category, priority=p.priority, area=p.area,
                               warning_minutes=p.warning_minutes, alert_minutes=p.alert_minutes, until_shift_end=p.until_shift_end)
                for p in DEFAULT_POLICIES
            ])


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial"), ("organisation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
