"""Campaign fixtures: campaigns and items made directly with the ORM (not through loading).

| fixture          | what                                                                          |
| ---------------- | ----------------------------------------------------------------------------- |
| (records)        | `flat_a`, `flat_a2`, `flat_b`, `beat_a2`, `sun_li`, `make_resident`, `wang_xiuying` |
| `make_campaign`  | factory: a campaign (open, due in 4 h, loaded 1 h ago by 张伟 unless told)     |
| `make_item`      | factory: an item of a campaign, its original row encrypted as loading keeps it |
| `campaign_a`     | 核2026-0001 at 南坪: three items for 刘洋 (王秀英 matched; an address; nobody) |
| `campaign_b`     | 核2026-0001 at 海棠溪 with one item for 王强                                 |
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.campaigns import plan
from fengqiao.campaigns.models import Campaign, CampaignItem
from fengqiao.core.masking import mask_id_number, mask_phone
from fengqiao.organisation.models import Officer, Station
from fengqiao.records import crypto
from fengqiao.records.models import Address, Resident
from fengqiao.records.tests.conftest import (  # noqa: F401 - fixtures
    NUMBER_A,
    PHONE_A,
    addresses_a,
    beat_a2,
    flat_a,
    flat_a2,
    flat_b,
    make_address,
    make_resident,
    sun_li,
    wang_xiuying,
)

COLUMNS = ["序号", "姓名", "身份证号", "联系电话", "户籍地址"]
MAPPING = {"name": 1, "id_number": 2, "phone": 3, "address": 4}
_numbers = itertools.count(1)


@pytest.fixture
def make_campaign(zhang_wei: User) -> Callable[..., Campaign]:
    """make_campaign(station, title=…, deadline=…, created_at=…, remind_before=60, state="open")."""

    def make(station: Station, *, title: str = "涉诈高风险人员电话核查", issuer: str = "分局治安大队",
             deadline: dt.datetime | None = None, created_at: dt.datetime | None = None, remind_before: int = 60,
             state: str = Campaign.State.OPEN, user: Any = None, instructions: str = "逐一电话核查，打不通的上门。") -> Campaign:
        now = timezone.now()
        created_at = created_at or now - dt.timedelta(hours=1)
        return Campaign.objects.create(
            station=station, number=f"核{created_at.year}-{next(_numbers):04d}", title=title, issuer=issuer,
            instructions=instructions, deadline=deadline or created_at + dt.timedelta(hours=4),
            remind_before=remind_before, state=state, filename="list.xlsx", columns=COLUMNS, mapping=MAPPING,
            created_by=user or zhang_wei, created_at=created_at,
        )

    return make


@pytest.fixture
def make_item() -> Callable[..., CampaignItem]:
    """make_item(campaign, name=…, id_number=…, phone=…, address_text=…, resident=, address=, officer=, how=)."""
    rows: dict[int, itertools.count[int]] = {}

    def make(campaign: Campaign, *, name: str = "李四", id_number: str = "", phone: str = "", address_text: str = "",
             resident: Resident | None = None, address: Address | None = None, officer: Officer | None = None,
             how: str | None = None, state: str = plan.OPEN, late: bool = False, **fields: Any) -> CampaignItem:
        row = next(rows.setdefault(campaign.pk, itertools.count(2)))
        cells = [str(row - 1), name, id_number, phone, address_text]
        if resident is not None:
            match = CampaignItem.Match.ID_NUMBER if id_number else CampaignItem.Match.NAME_PHONE
        elif address is not None:
            match = CampaignItem.Match.ADDRESS
        else:
            match = CampaignItem.Match.NONE
        address = address if address is not None else (resident.address if resident is not None else None)
        beat_id = address.beat_id if address is not None else None
        if how is None:
            how = plan.BY_BEAT if officer is not None and beat_id else (plan.ROUND_ROBIN if officer else plan.UNASSIGNED)
        return CampaignItem.objects.create(
            station_id=campaign.station_id, campaign=campaign, row=row,
            original=crypto.encrypt(json.dumps(cells, ensure_ascii=False)), name=name,
            id_number_masked=mask_id_number(id_number), id_number_hash=crypto.search_hash(id_number) if id_number else "",
            phone=crypto.encrypt(phone) if phone else "", phone_masked=mask_phone(phone), address_text=address_text,
            match=match, resident=resident, address=address, beat_id=beat_id, officer=officer, assigned_how=how,
            state=state, late=late, **fields,
        )

    return make


@pytest.fixture
def campaign_a(station_a: Station, make_campaign: Callable[..., Campaign]) -> Campaign:
    return make_campaign(station_a)


@pytest.fixture
def items_a(
    campaign_a: Campaign, make_item: Callable[..., CampaignItem], liu_yang: User,
    wang_xiuying: Resident,  # noqa: F811 - the imported fixture
    addresses_a: list[Address],  # noqa: F811 - the imported fixture
) -> list[CampaignItem]:
    """刘洋's three items: 王秀英 (matched by identity number, listed with a new phone), someone at
    南坪西路20号 (address only), and an unknown person with no phone."""
    officer = liu_yang.officer
    return [
        make_item(campaign_a, name="王秀英", id_number=NUMBER_A, phone="13987654321", address_text="南坪西路18号3栋2单元501",
                  resident=wang_xiuying, officer=officer),
        make_item(campaign_a, name="张三", phone="13511112222", address_text="南坪西路20号", address=addresses_a[1],
                  officer=officer),
        make_item(campaign_a, name="无名氏", address_text="不详", officer=officer, how=plan.ROUND_ROBIN),
    ]


@pytest.fixture
def campaign_b(station_b: Station, make_campaign: Callable[..., Campaign], wang_qiang: User,
               make_item: Callable[..., CampaignItem]) -> Campaign:
    campaign = make_campaign(station_b, user=wang_qiang)
    make_item(campaign, name="赵五", phone="13633334444", address_text="海棠溪正街9号", officer=wang_qiang.officer)
    return campaign


# -- the command room (views, burn-down, return) ---------------------------------------------------------


@pytest.fixture
def worked_a(campaign_a: Campaign, items_a: list[CampaignItem], make_item: Callable[..., CampaignItem],
             sun_li: User, flat_a2: Address) -> Campaign:  # noqa: F811 - the imported fixtures
    """`campaign_a` part worked: 刘洋 has 3 items (王秀英 verified 30 min ago, two open), 孙丽 has
    2 in beat A2 (one waiting for a door visit, one open and late); 5 items, 1 done."""
    now = timezone.now()
    first = items_a[0]
    first.state, first.outcome, first.outcome_at = plan.DONE, plan.VERIFIED, now - dt.timedelta(minutes=30)
    first.outcome_by, first.attempts, first.notes = first.officer, 1, "本人接听，信息无误"
    first.save()
    officer = sun_li.officer
    make_item(campaign_a, name="钱七", phone="13600001111", address_text="江南大道66号2栋1单元302", address=flat_a2,
              officer=officer, state=plan.VISIT, outcome=plan.DOOR_VISIT, outcome_at=now - dt.timedelta(minutes=10),
              outcome_by=officer, attempts=1, visit_officer="孙丽", visit_worker="周红", visit_medic="吴医生",
              visit_at=now + dt.timedelta(hours=1))
    make_item(campaign_a, name="孙八", address_text="江南大道66号", address=flat_a2, officer=officer, late=True)
    return campaign_a
