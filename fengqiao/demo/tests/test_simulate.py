"""`fengqiao simulate` feeds calls to a running server; a retry after a lost answer adds nothing."""

from __future__ import annotations

import io
import random
import re
import urllib.request
from typing import Any

import pytest
from django.core.management import call_command

from fengqiao.accounts.models import ApiToken, User
from fengqiao.accounts.services import do_create_token
from fengqiao.demo.feed import FeedClient, gap_seconds
from fengqiao.intake.models import Call, IdempotencyRecord, Incident
from fengqiao.organisation.models import Beat, Station
from fengqiao.records.models import Address

pytestmark = pytest.mark.django_db(transaction=True)


def make_addresses(station: Station, beat: Beat) -> None:
    """A compound and a row of shops inside beat A's square."""
    rows = [("南坪西路", "18号", "3栋", "2单元", "501"), ("南坪西路", "20号附1号", "", "", ""),
            ("江南大道", "8号", "1栋", "1单元", "302"), ("南城大道", "199号", "", "", "")]
    for index, (road, number, building, unit, room) in enumerate(rows):
        Address.objects.create(
            station=station, beat=beat, code=f"SIM-{index}", district="南岸区", street="南坪街道", road=road,
            number=number, building=building, unit=unit, room=room,
            full_text=Address.compose(district="南岸区", street="南坪街道", road=road, number=number,
                                      building=building, unit=unit, room=room),
            latitude=29.531 + index * 0.0005, longitude=106.561 + index * 0.0005,
        )


@pytest.fixture
def feedable(station_a: Station, beat_a: Beat, zhang_wei: User) -> User:
    make_addresses(station_a, beat_a)
    return zhang_wei


def test_simulate_posts_five_calls_that_arrive_at_the_commanders_station(live_server: Any, feedable: User, station_a: Station) -> None:
    output = io.StringIO()

    call_command(
        "simulate", "--url", live_server.url, "--user", feedable.username, "--count", "5",
        "--speed", "3600", "--seed", "3", "--no-officers", stdout=output,
    )

    calls = Call.objects.for_stations([station_a.pk])
    assert calls.count() == 5
    assert Incident.objects.for_stations([station_a.pk]).exists()
    assert all(text for text in calls.values_list("text", flat=True))
    assert "5 calls received." in output.getvalue()
    assert len(re.findall(r"NP\d{12}", output.getvalue())) == 5  # one line per call, with its number
    # The token made for the run is revoked when it ends.
    assert ApiToken.objects.filter(user=feedable).count() == 1
    assert not ApiToken.objects.filter(user=feedable, revoked_at=None).exists()


def test_a_retry_after_a_lost_answer_creates_no_second_call(live_server: Any, feedable: User, station_a: Station) -> None:
    _token, plain = do_create_token(feedable, name="test")
    attempts: list[str] = []

    def answer_lost_once(request: Any, timeout: float = 10.0) -> Any:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
        attempts.append(request.get_header("Idempotency-key"))
        if len(attempts) == 1:
            response.read()
            response.close()
            raise ConnectionResetError("the answer was lost on the way back")
        return response

    client = FeedClient(live_server.url, plain, opener=answer_lost_once, sleep=lambda seconds: None)
    body = {"source": "feed_110", "text": "报警人称南坪西路18号门口有两伙人在打架", "address": "南坪西路18号3栋2单元501",
            "external_id": "110-retry-test"}

    answer = client.post_call(body)
    again = client.post_call(body, key=answer.key)

    assert answer.attempts == 2 and answer.status == 200  # the retry got the first answer back
    assert len(set(attempts)) == 1  # the same key each time
    assert again.status == 200 and again.receipt["call_id"] == answer.receipt["call_id"]
    assert Call.objects.for_stations([station_a.pk]).count() == 1
    assert IdempotencyRecord.objects.for_stations([station_a.pk]).count() == 1


def test_the_pace_follows_the_hour_and_the_speed() -> None:
    def mean_gap(hour: int, speed: float) -> float:
        rng = random.Random(1)
        return sum(gap_seconds(30, hour, speed, rng) for _ in range(4000)) / 4000

    assert mean_gap(20, 1) < mean_gap(4, 1) / 3  # busy evening, quiet small hours
    assert mean_gap(20, 60) == pytest.approx(mean_gap(20, 1) / 60, rel=0.01)
    assert 60 < mean_gap(11, 1) < 150  # ~30 an hour on an average hour: about two minutes apart
