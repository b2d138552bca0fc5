"""A leader sets the station's near-repeat radius, period and kinds in the admin; a code
that is not one of the station's categories is refused; another station's settings are 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fengqiao.analysis.models import AnalysisSettings
from fengqiao.analysis.nearrepeat import settings_for

pytestmark = pytest.mark.django_db


def _form(settings: AnalysisSettings, **changes: Any) -> dict[str, Any]:
    data = {"station": settings.station_id, "near_repeat_metres": 300, "near_repeat_days": 21,
            "repeat_prone": '["criminal.burglary", "criminal.vehicle_theft"]', "briefing_time": "08:15",
            "cell_metres": 150, "bandwidth_metres": 300}
    return data | changes


def test_li_na_sets_the_near_repeat_rules_and_a_wrong_code_is_refused(li_na: Any, zhao_min: Any, station_a: Any) -> None:
    settings = settings_for(station_a.pk)
    client = Client()
    client.force_login(li_na)
    url = f"/admin/analysis/analysissettings/{settings.pk}/change/"
    bad = client.post(url, _form(settings, repeat_prone='["criminal.burglary", "criminal.teleportation"]'))
    assert bad.status_code == 200 and "criminal.teleportation" in str(bad.context["adminform"].form.errors["repeat_prone"])
    too_small = client.post(url, _form(settings, near_repeat_metres=0))
    assert too_small.status_code == 200 and too_small.context["adminform"].form.errors["near_repeat_metres"]
    assert client.post(url, _form(settings)).status_code == 302
    settings.refresh_from_db()
    assert (settings.near_repeat_metres, settings.near_repeat_days) == (300, 21)
    assert settings.repeat_prone == ["criminal.burglary", "criminal.vehicle_theft"]
    other = Client()
    other.force_login(zhao_min)
    assert other.get(url).status_code == 404
