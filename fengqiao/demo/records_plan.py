"""The demo's basic records and community work, drawn deterministically (pure, no Django).

`plan_records(demo, station_code, today=…, calls=…, incidents=…)` decides, for one station,
who lives at which standard address, which houses are let and to whom, the shops, firms,
schools and hotels, the care registry, the volunteer teams and their patrols, the dispute
ledger and a year of visits — as frozen dataclasses that `records_writer.py` writes.

What the station's past already holds is an input, so the records agree with it:

- **callers** of calls about home matters (a family quarrel, a burglary, a leak, a
  locked door) live at the flat they called about: their names and phones are those of
  residents there, so the context pack finds the people of an incident by phone;
- a flat that called about **domestic violence** has a woman on the care registry, and an
  elderly person at a flat that called about **fraud** is flagged as a likely target;
- every **dispute incident** is in the dispute ledger, the incidents of one quarrel at
  one address linked to one dispute, its risk higher the more often the address called,
  with the mediations of the beat officer and an outcome that follows the incident's;
- **visits** follow the beat's households, care subjects, shops and disputes: most
  households of a well-kept beat were visited in the last 90 days, a lagging beat's not.

Households follow the shape of an urban Chongqing station: owner families (户籍, region
500108 mostly) and tenants (mostly 流动人口 from elsewhere in Chongqing, Sichuan, Guizhou,
Hunan …), a tenth of the lets group rentals (群租房), landlords who live elsewhere in the
station or outside it, rental registrations some of which have lapsed. Identity numbers
are valid GB 11643 numbers whose birth date and sex are the person's.

Times are the station's local wall-clock time (naive datetimes), as in `history.py`.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from faker import Faker
from faker.providers.person.zh_CN import Provider as ChineseNames

from fengqiao.records import idcard

from . import records_texts as words
from .history import MARKET_COMMUNITIES, TAG_ESCALATED, TAG_REPEAT_DISPUTE, Draws
from .plan import AddressPlan, DemoPlan, OfficerPlan

# Resident.Registration / Relation, House.Use / Tenure, Organisation.Kind, CareSubject.Reason,
# Visit.Target / Purpose, Dispute.Kind / Risk / Outcome, MediationStep.Method,
# VolunteerTeam.Kind, VolunteerActivity.Kind values, as plain strings.
REGISTERED, MIGRANT = "registered", "migrant"
OWNER, FAMILY, TENANT, OTHER = "owner", "family", "tenant", "other"
RESIDENTIAL, COMMERCIAL, MIXED, DORMITORY, VACANT = "residential", "commercial", "mixed", "dormitory", "vacant"
OWNER_OCCUPIED, RENTED = "owner_occupied", "rented"

ELDERLY_ALONE, DEMENTIA, DOMESTIC_VIOLENCE, FRAUD_TARGET = "elderly_alone", "dementia", "domestic_violence", "fraud_target"
COMMUNITY_CORRECTION, MENTAL_ILLNESS, DRUG_REHABILITATION = "community_correction", "mental_illness", "drug_rehabilitation"
LEFT_BEHIND_CHILD, RELEASED_PRISONER, DISABILITY = "left_behind_child", "released_prisoner", "disability"

HOUSEHOLD, SHOP, ORGANISATION = "household", "shop", "organisation"
ANTI_FRAUD, DISPUTE_SCREENING, RECORD_CHECK, CARE_VISIT, FOLLOW_UP, OTHER_PURPOSE = (
    "anti_fraud", "dispute_screening", "record_check", "care_visit", "follow_up", "other")

OPEN, RESOLVED, AGREEMENT, COURT, DEPARTMENT, CASE = "open", "resolved", "agreement", "court", "department", "case"
LOW, MEDIUM, HIGH = "low", "medium", "high"
ON_SITE, PHONE, MEDIATION_ROOM, JOINT = "on_site", "phone", "mediation_room", "joint"

COMMUNITY_OFFICER = "社区民警"
NAME_POOL = 3000
GRID_WORKERS = 3  # per beat: the community's grid workers (网格员) who go along on visits
ON_LEAVE = "on_leave"
YEAR = 365

# -- shares -------------------------------------------------------------------------------------

UNSURVEYED_SHARE = 0.03  # flats on the map whose house the officers have not recorded yet
VACANT_SHARE = 0.04
STREET_SHOP_SHARE = 0.30  # ground-floor flats let as street-front shops (临街门面)
OFFICE_SHARE = 0.015  # upper-floor flats used as a small firm's office
GUESTHOUSE_SHARE = 0.004  # flats let by the day (日租房), registered as guesthouses
RENTED_SHARE = 0.40  # of occupied flats; old-town and market beats more
RENTED_SHARE_MARKET = 0.52
LIVE_IN_SHOP_SHARE = 0.12  # shopkeepers who live in the back of the shop
SPECIAL_COMPOUND_MAX = 32  # a compound this small may be a school, hotel, office block or dormitory
LANDLORD_IN_STATION_SHARE = 0.35
EXPIRED_RENEWAL_SHARE = 0.2  # lets whose registration lapsed at the last renewal
UNREGISTERED_SHARE = 0.07
UNREGISTERED_SHARE_GROUP = 0.35
MOVED_OUT_SHARE = 0.5  # lets taken this year whose earlier tenants are still on record, moved out
LAGGING_BEATS = {"NP": 2}  # beats per station whose visits fell behind (default 1)
DISPUTE_GAP_DAYS = 60  # incidents of one quarrel at one address this close are one dispute
FOLLOW_UP_WEIGHT = 0.2  # a finding that needs following up, against one that does not
COURT_SHARE = 0.4  # of disputes the officer told to go to law: the rest were mediated after all
OPEN_SHARE = 0.3  # of disputes referred to the mediation committee in the last 60 days: still open

OWNER_HOUSEHOLDS: dict[str, float] = {
    "couple_child": 27, "three_generations": 12, "elderly_couple": 14, "elderly_alone": 9, "couple": 12,
    "single": 8, "parents_adult_child": 12, "grandparents_child": 3, "single_parent": 3,
}
TENANT_HOUSEHOLDS: dict[str, float] = {
    "tenant_family": 36, "tenant_couple": 14, "tenant_single": 18, "tenant_share": 20, "group_rental": 12,
}
# Organisations at street-front (附N号) addresses and ground-floor shops, by kind.
STREET_KINDS: dict[str, float] = {
    "shop": 46, "restaurant": 30, "entertainment": 6, "hospital": 5, "finance": 3, "hotel": 4, "school": 2,
    "market": 1, "other": 3,
}
KEY_PLACE_KINDS = frozenset({"school", "hotel", "entertainment", "finance", "market", "construction"})
SPECIAL_COMPOUNDS = ("school", "hotel", "dormitory", "office")
EMPLOYEES: dict[str, tuple[int, int]] = {
    "shop": (1, 6), "restaurant": (3, 15), "firm": (5, 60), "school": (30, 120), "hotel": (5, 30),
    "hospital": (4, 40), "entertainment": (5, 25), "finance": (6, 20), "market": (10, 40),
    "construction": (30, 200), "other": (1, 10),
}
# Calls about these happen at home: the caller lives at the flat called about.
HOME_CATEGORIES = frozenset({
    "dispute.neighbour", "dispute.family", "dispute.romance", "dispute.property", "dispute.debt",
    "public_order.domestic_violence", "public_order.harassment", "criminal.threat", "criminal.burglary",
    "criminal.telecom_fraud", "criminal.fraud", "assistance.locked_out", "assistance.person_in_need",
    "assistance.missing_person", "non_police.leak", "non_police.noise", "non_police.utilities", "fire.gas_leak",
})
# Calls about these at a shop come from the shopkeeper.
SHOP_CATEGORIES = frozenset({
    "criminal.theft", "criminal.burglary", "dispute.consumer", "dispute.labour", "non_police.market",
    "public_order.disturbance", "public_order.property_damage", "criminal.fraud",
})
FRAUD_CATEGORIES = frozenset({"criminal.telecom_fraud", "criminal.fraud"})
DOMESTIC_VIOLENCE_CATEGORY = "public_order.domestic_violence"
DISPUTE_FAMILY = "dispute."
DISPUTE_KINDS = frozenset({"neighbour", "family", "debt", "romance", "property", "labour", "consumer", "traffic", "other"})
# What an escalated quarrel was about when it is the first the ledger hears of it.
ESCALATION_KIND: dict[str, str] = {
    "public_order.domestic_violence": "family", "public_order.fight": "neighbour", "criminal.assault": "neighbour",
    "criminal.threat": "debt", "public_order.harassment": "romance",
}
# The incident's outcome (the feedback's words, history.OUTCOMES) → the dispute's.
OUTCOME_OF: dict[str, str] = {
    "经民警调解，双方达成一致": RESOLVED,
    "双方协商一致，已签订调解协议": AGREEMENT,
    "告知双方通过法律途径解决": COURT,
    "已移交社区人民调解委员会": AGREEMENT,
}
OPEN_STATES = frozenset({"triaged", "dispatched", "acknowledged", "on_scene", "received"})


# -- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastCall:
    """A call of the station's past that opened an incident, as the records planner reads it."""

    address_code: str  # the call's standard address, else its incident's ("" for none)
    category: str
    received_at: dt.datetime
    caller_name: str
    caller_phone: str


@dataclass(frozen=True, slots=True)
class PastIncident:
    """An incident of the station's past, with how its order ended."""

    number: str
    category: str
    received_at: dt.datetime
    address_code: str
    beat_code: str
    state: str
    tags: tuple[str, ...] = ()
    callers: tuple[tuple[str, str], ...] = ()  # (name, phone) of its calls, in order
    outcome: str = ""  # the feedback's "what was done"
    officer_badge: str = ""  # the officer its order went to
    on_scene_at: dt.datetime | None = None


# -- outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonPlan:
    station_code: str
    id_number: str  # the natural key: one record per identity number per station
    name: str
    sex: str
    birth_date: dt.date
    phone: str
    registration: str
    address_code: str
    beat_code: str
    relation: str
    moved_in_on: dt.date | None
    moved_out_on: dt.date | None = None
    notes: str = ""

    def age_on(self, day: dt.date) -> int:
        return age(self.birth_date, day)

    def lives_there_on(self, day: dt.date) -> bool:
        return ((self.moved_in_on is None or self.moved_in_on <= day)
                and (self.moved_out_on is None or self.moved_out_on > day))


@dataclass(frozen=True, slots=True)
class HousePlan:
    station_code: str
    address_code: str
    beat_code: str
    use: str
    tenure: str
    kind: str  # the household's shape (couple_child, group_rental …) or the premises' (shop, office …)
    landlord_id_number: str = ""  # a resident of the station
    landlord_name: str = ""  # a landlord who lives outside the station
    landlord_phone: str = ""
    rental_registered_on: dt.date | None = None
    rental_expires_on: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class OrganisationPlan:
    station_code: str
    key: int  # its place in the station's list: how visits refer to it
    name: str
    kind: str
    address_code: str
    beat_code: str
    contact_name: str
    contact_phone: str
    credit_code: str
    key_place: bool
    employees: int
    notes: str = ""


@dataclass(frozen=True, slots=True)
class CarePlan:
    station_code: str
    id_number: str
    reason: str
    beat_code: str
    officer_badge: str
    started_on: dt.date
    review_on: dt.date
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ActivityPlan:
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime
    area: str
    members: tuple[int, ...]  # indexes into the team's members
    notes: str
    officer_badge: str = ""


@dataclass(frozen=True, slots=True)
class MemberPlan:
    id_number: str
    name: str
    phone: str
    joined_on: dt.date
    left_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class TeamPlan:
    station_code: str
    name: str
    kind: str
    beat_code: str
    officer_badge: str
    leader_name: str
    leader_phone: str
    founded_on: dt.date
    members: tuple[MemberPlan, ...]
    activities: tuple[ActivityPlan, ...]


@dataclass(frozen=True, slots=True)
class PartyPlan:
    id_number: str  # "" for a party who is not on record
    name: str
    phone: str
    role: str


@dataclass(frozen=True, slots=True)
class StepPlan:
    at: dt.datetime
    officer_badge: str
    mediator: str
    method: str
    result: str
    next_follow_up_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DisputePlan:
    station_code: str
    number: str
    kind: str
    risk: str
    summary: str
    address_code: str
    beat_code: str
    officer_badge: str
    mediator: str
    incident_numbers: tuple[str, ...]
    outcome: str
    outcome_note: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    follow_up_on: dt.date | None
    parties: tuple[PartyPlan, ...]
    steps: tuple[StepPlan, ...]


@dataclass(frozen=True, slots=True)
class VisitPlan:
    officer_badge: str
    companions: str
    visited_at: dt.datetime
    target: str
    address_code: str
    beat_code: str
    purpose: str
    findings: str
    follow_up_needed: bool = False
    follow_up_note: str = ""
    house: bool = False  # the house at the address
    organisation_key: int | None = None
    residents: tuple[str, ...] = ()  # id numbers of the people met
    care: tuple[str, str] | None = None  # (id number, reason) of the care subject visited
    dispute_number: str = ""


@dataclass(frozen=True)
class StationRecords:
    station_code: str
    today: dt.date
    people: tuple[PersonPlan, ...]
    houses: tuple[HousePlan, ...]
    organisations: tuple[OrganisationPlan, ...]
    care: tuple[CarePlan, ...]
    teams: tuple[TeamPlan, ...]
    disputes: tuple[DisputePlan, ...]
    visits: tuple[VisitPlan, ...]
    lagging_beats: tuple[str, ...]

    def current_people(self) -> list[PersonPlan]:
        return [person for person in self.people if person.moved_out_on is None]


# -- small helpers ------------------------------------------------------------------------------


def age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def floor_of(address: AddressPlan) -> int:
    """The floor of a flat (room 1502 → 15); 0 for an address without a room."""
    return int(address.room[:-2]) if len(address.room) > 2 and address.room.isdigit() else 0


def dispute_number(opened: dt.datetime, sequence: int) -> str:
    """The ledger's number as the community app gives it (community.services._save_numbered):
    纠, the year opened, the year's sequence — so a dispute opened live takes the next one."""
    return f"纠{opened.year}-{sequence:04d}"


_FEMALE_GIVEN = frozenset(ChineseNames.first_names_female)
_MALE_GIVEN = frozenset(ChineseNames.first_names_male)
_SURNAMES = frozenset(ChineseNames.last_names)


def sex_of_name(name: str) -> str:
    """The sex a Chinese given name suggests ("" when it does not)."""
    given = name[2:] if name[:2] in _SURNAMES and len(name) > 2 else name[1:]
    if given in _FEMALE_GIVEN:
        return "F"
    if given in _MALE_GIVEN:
        return "M"
    return ""


def surname_of(name: str) -> str:
    return name[:2] if name[:2] in _SURNAMES and len(name) > 2 else name[:1]


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(prefix: str, region: str, body: str) -> str:
    """A unified social credit code (GB 32100) with its check character."""
    first17 = f"{prefix}{region}{body}"
    total = sum(_CREDIT_CHARS.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def _weighted(rng: Draws, table: dict[str, float]) -> str:
    keys = list(table)
    cumulative = list(itertools.accumulate(table[key] for key in keys))
    return keys[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


# -- the planner ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    name: str
    sex: str
    birth: dt.date
    region: str
    registration: str
    relation: str
    phone: str = ""
    moved_in: dt.date | None = None
    moved_out: dt.date | None = None
    notes: str = ""
    id_number: str = ""
    caller: bool = False


@dataclass(slots=True)
class _Household:
    address: AddressPlan
    tenure: str
    kind: str
    moved_in: dt.date
    members: list[_Person] = field(default_factory=list)
    former: list[_Person] = field(default_factory=list)  # tenants who moved out

    def adults(self, on: dt.date, *, minimum: int = 18) -> list[_Person]:
        return [person for person in self.members if age(person.birth, on) >= minimum]


@dataclass(slots=True)
class _Premises:
    """A non-residential use of an address: a shop, an office, a school …"""

    address: AddressPlan
    kind: str  # organisation kind, or "office"/"guesthouse"/"dormitory"/"school"/"hotel"
    house_use: str
    tenure: str
    compound: bool = False  # one of a whole compound's addresses


def plan_records(
    demo: DemoPlan, station_code: str, *, today: dt.date, calls: Sequence[PastCall] = (),
    incidents: Sequence[PastIncident] = (), seed: int | str | None = None,
) -> StationRecords:
    """Everything the station's basic records and community work hold, decided by the seed
    (by default the demo's), `today`, and the station's past `calls` and `incidents`."""
    return _Planner(demo, station_code, today=today, calls=calls, incidents=incidents,
                    seed=demo.seed if seed is None else seed).plan()


class _Planner:
    def __init__(self, demo: DemoPlan, station_code: str, *, today: dt.date, calls: Sequence[PastCall],
                 incidents: Sequence[PastIncident], seed: int | str) -> None:
        self.code = station_code
        self.today = today
        self.start = today - dt.timedelta(days=YEAR)
        self.end = dt.datetime.combine(today, dt.time())  # midnight: the past ends here
        self.rng = Draws(f"{seed}:records:{station_code}")
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(f"{seed}:residents:{station_code}")
        # Names drawn by Faker once, as pools as common as Faker makes each name; people draw from them.
        self.surnames = [str(self.fake.last_name()) for _ in range(NAME_POOL)]
        self.given_names = {
            "M": [str(self.fake.first_name_male()) for _ in range(NAME_POOL)],
            "F": [str(self.fake.first_name_female()) for _ in range(NAME_POOL)],
        }
        self.addresses = [address for address in demo.addresses if address.station_code == station_code]
        self.by_code = {address.code: address for address in self.addresses}
        self.beats = {beat.code: beat for beat in demo.beats if beat.station_code == station_code}
        self.officers = [officer for officer in demo.officers if officer.station_code == station_code]
        self.beat_officers: dict[str, list[OfficerPlan]] = defaultdict(list)
        self.companions: dict[str, list[str]] = defaultdict(list)
        for officer in self.officers:
            if officer.title == COMMUNITY_OFFICER and officer.beat_code:
                self.beat_officers[officer.beat_code].append(officer)
            if officer.rank == "auxiliary" and officer.supervisor_badge:
                self.companions[officer.supervisor_badge].append(officer.name)
        self.calls = sorted(calls, key=lambda call: (call.received_at, call.address_code, call.caller_phone))
        self.incidents = sorted(incidents, key=lambda incident: (incident.received_at, incident.number))
        self.used_numbers: set[str] = set()
        self.used_phones: set[str] = {officer.phone for officer in demo.officers}
        self.households: dict[str, _Household] = {}
        self.grid_workers = {
            code: [self.surname() + self.given_name(self.rng.choice("MF")) for _ in range(GRID_WORKERS)]
            for code in sorted(self.beats)
        }
        self.premises: dict[str, _Premises] = {}
        self.unsurveyed: set[str] = set()
        self.vacant: set[str] = set()

    # -- people ---------------------------------------------------------------------------------

    def phone(self) -> str:
        while True:
            phone = str(self.fake.phone_number())
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def given_name(self, sex: str) -> str:
        return self.rng.choice(self.given_names[sex])

    def surname(self) -> str:
        return self.rng.choice(self.surnames)

    def birth(self, years: float) -> dt.date:
        """A birth date `years` (fractional: the rest of the year is drawn) before today."""
        days = int((years + self.rng.random()) * 365.2425)
        return self.today - dt.timedelta(days=max(days, 0))

    def person(self, *, sex: str, years: int, region: str, registration: str, relation: str,
               surname: str = "", household: list[_Person] | None = None) -> _Person:
        names = {member.name for member in household or ()}
        while True:
            name = (surname or self.surname()) + self.given_name(sex)
            if name not in names:
                break
        person = _Person(name=name, sex=sex, birth=self.birth(years), region=region,
                         registration=registration, relation=relation)
        if household is not None:
            household.append(person)
        return person

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def region(self, registration: str) -> str:
        roll = self.rng.random()
        if registration == REGISTERED:
            if roll < 0.65:
                return words.NAN_AN
            if roll < 0.95:
                return self.rng.choice(words.CHONGQING)
        elif roll < 0.55:
            return self.rng.choice(words.CHONGQING)
        province = self.rng.random()
        for _name, share, codes in words.PROVINCES:
            province -= share
            if province <= 0:
                return self.rng.choice(codes)
        return self.rng.choice(words.PROVINCES[0][2])

    def id_number(self, person: _Person) -> str:
        for _attempt in range(2000):
            number = idcard.make(person.region, person.birth, self.rng.randint(0, 499), person.sex)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number
        raise RuntimeError(f"no free identity number for {person.region} {person.birth}")

    def finding(self, texts: Sequence[str]) -> str:
        """A visit's finding: one that needs following up is the exception (FOLLOW_UP_WEIGHT)."""
        if all("||" in text for text in texts) or not any("||" in text for text in texts):
            return self.rng.choice(texts)
        weights = {text: FOLLOW_UP_WEIGHT if "||" in text else 1.0 for text in texts}
        return _weighted(self.rng, weights)

    def before_end(self, moment: dt.datetime) -> dt.datetime:
        """`moment`, or a minute before the past ends if it would fall after."""
        return min(moment, self.end - dt.timedelta(minutes=1))

    # -- the plan ---------------------------------------------------------------------------------

    def plan(self) -> StationRecords:
        self._index_past()
        self._decide_uses()
        for address in self.addresses:
            if address.code in self.households:
                self._fill_household(self.households[address.code])
        self._callers_move_in()
        self._former_tenants()
        self._live_in_shopkeepers()
        self._dormitories()
        for household in self.households.values():
            for person in (*household.members, *household.former):
                if person.moved_in is None:
                    person.moved_in = max(household.moved_in, person.birth)
                self._phone_for(person)
                person.id_number = self.id_number(person)
        houses = self._houses()
        self.house_at = {house.address_code: house for house in houses}
        self.shop_codes = {address.code for address in self.addresses if not address.room}
        organisations = self._organisations()
        people = self._people()
        care = self._care()
        teams = self._teams(people)
        disputes = self._disputes(organisations)
        visits = self._visits(houses, organisations, care, disputes)
        return StationRecords(
            station_code=self.code, today=self.today, people=tuple(people), houses=tuple(houses),
            organisations=tuple(organisations), care=tuple(care), teams=tuple(teams),
            disputes=tuple(disputes), visits=tuple(visits), lagging_beats=tuple(sorted(self.lagging)),
        )

    # -- the past -----------------------------------------------------------------------------------

    def _index_past(self) -> None:
        """Who called from home (one home per phone: where it called from most), who called
        from a shop, and which flats called about domestic violence or fraud."""
        homes: dict[str, Counter[str]] = defaultdict(Counter)
        first: dict[tuple[str, str], PastCall] = {}
        self.shop_callers: dict[str, tuple[str, str]] = {}
        self.violence: dict[str, dt.date] = {}
        self.fraud: dict[str, dt.date] = {}
        self.incidents_at: Counter[str] = Counter()
        for call in self.calls:
            address = self.by_code.get(call.address_code)
            if address is None:
                continue
            if call.category == DOMESTIC_VIOLENCE_CATEGORY:
                self.violence.setdefault(address.code, call.received_at.date())
            if call.category in FRAUD_CATEGORIES and address.room:
                self.fraud.setdefault(address.code, call.received_at.date())
            if call.caller_phone:
                self.used_phones.add(call.caller_phone)  # no drawn phone may pass for a caller's
            if not call.caller_phone or not call.caller_name:
                continue
            if address.room and call.category in HOME_CATEGORIES:
                homes[call.caller_phone][address.code] += 1
                first.setdefault((call.caller_phone, address.code), call)
            elif not address.room and call.category in SHOP_CATEGORIES:
                self.shop_callers.setdefault(address.code, (call.caller_name, call.caller_phone))
        for incident in self.incidents:
            if incident.address_code:
                self.incidents_at[incident.address_code] += 1
            if TAG_ESCALATED in incident.tags and incident.category == DOMESTIC_VIOLENCE_CATEGORY:
                self.violence.setdefault(incident.address_code, incident.received_at.date())
        # A repeat address: four incidents a year, or more where the whole station calls more often.
        counts = sorted(self.incidents_at.values())
        self.repeat_threshold = max(4, counts[int(len(counts) * 0.95)] if counts else 0)
        # Each flat's callers, the most frequent first (a regular caller, a party to a quarrel).
        ranked: dict[str, list[tuple[int, PastCall]]] = defaultdict(list)
        for phone, places in homes.items():
            code = max(places, key=lambda place: (places[place], place))
            ranked[code].append((places[code], first[(phone, code)]))
        self.home_callers: dict[str, list[PastCall]] = {
            code: [call for _count, call in sorted(found, key=lambda item: (-item[0], item[1].received_at, item[1].caller_phone))]
            for code, found in ranked.items()
        }

    # -- what each address is ---------------------------------------------------------------------------

    def _decide_uses(self) -> None:
        compounds: dict[tuple[str, str], list[AddressPlan]] = defaultdict(list)
        for address in self.addresses:
            if address.room:
                compounds[(address.road, address.number)].append(address)
        special = self._special_compounds(compounds)
        for address in self.addresses:
            code = address.code
            if not address.room:
                kind = _weighted(self.rng, STREET_KINDS)
                tenure = RENTED if self.rng.random() < 0.7 else OWNER_OCCUPIED
                self.premises[code] = _Premises(address, kind, COMMERCIAL, tenure)
                continue
            if (address.road, address.number) in special:
                self._special_use(address, special[(address.road, address.number)])
                continue
            called = code in self.home_callers or code in self.violence or code in self.fraud
            roll = self.rng.random()
            floor = floor_of(address)
            if not called:
                if floor == 1 and roll < STREET_SHOP_SHARE:
                    kind = _weighted(self.rng, STREET_KINDS)
                    self.premises[code] = _Premises(address, kind, COMMERCIAL, RENTED)
                    continue
                if floor > 1 and roll < OFFICE_SHARE:
                    self.premises[code] = _Premises(address, "firm", COMMERCIAL, RENTED)
                    continue
                if floor > 1 and roll < OFFICE_SHARE + GUESTHOUSE_SHARE:
                    self.premises[code] = _Premises(address, "hotel", COMMERCIAL, RENTED)
                    continue
                roll = self.rng.random()
                if roll < UNSURVEYED_SHARE:
                    self.unsurveyed.add(code)
                    continue
                if roll < UNSURVEYED_SHARE + VACANT_SHARE:
                    self.vacant.add(code)
                    continue
            market = self.beats[address.beat_code].community in MARKET_COMMUNITIES
            rented = self.rng.random() < (RENTED_SHARE_MARKET if market else RENTED_SHARE)
            if rented:
                kind = _weighted(self.rng, TENANT_HOUSEHOLDS)
                moved_in = self.today - dt.timedelta(days=self.between(10, 4 * YEAR if kind != "group_rental" else 2 * YEAR))
            else:
                kind = _weighted(self.rng, OWNER_HOUSEHOLDS)
                moved_in = self.today - dt.timedelta(days=self.between(YEAR, 25 * YEAR))
            self.households[code] = _Household(address, RENTED if rented else OWNER_OCCUPIED, kind, moved_in)

    def _special_compounds(self, compounds: dict[tuple[str, str], list[AddressPlan]]) -> dict[tuple[str, str], str]:
        """Some small compounds are not homes: a school, a hotel, an office block, a workers' dormitory."""
        small = sorted(key for key, flats in compounds.items()
                       if len(flats) <= SPECIAL_COMPOUND_MAX
                       and not any(flat.code in self.home_callers for flat in flats))
        wanted = max(1, len(self.beats) // 2)
        chosen: dict[tuple[str, str], str] = {}
        for index, key in enumerate(small[:wanted]):
            chosen[key] = SPECIAL_COMPOUNDS[index % len(SPECIAL_COMPOUNDS)]
        return chosen

    def _special_use(self, address: AddressPlan, kind: str) -> None:
        if kind == "dormitory":
            self.premises[address.code] = _Premises(address, "construction", DORMITORY, RENTED, compound=True)
        elif kind == "office":
            self.premises[address.code] = _Premises(address, "firm", COMMERCIAL, RENTED, compound=True)
        else:
            self.premises[address.code] = _Premises(address, kind, COMMERCIAL, OWNER_OCCUPIED, compound=True)

    # -- households ----------------------------------------------------------------------------------------

    def _fill_household(self, household: _Household) -> None:
        if household.tenure == RENTED:
            self._tenants(household)
        else:
            self._owners(household)

    def _owners(self, household: _Household) -> None:
        kind, members = household.kind, household.members
        registration = REGISTERED if self.rng.random() < 0.88 else MIGRANT
        region = self.region(registration)

        def add(sex: str, years: int, relation: str, surname: str = "") -> _Person:
            person_region = region if self.rng.random() < 0.8 else self.region(registration)
            return self.person(sex=sex, years=years, region=person_region, registration=registration,
                               relation=relation, surname=surname, household=members)

        def couple(low: int, high: int) -> tuple[_Person, _Person]:
            husband_age = self.between(low, high)
            husband = add("M", husband_age, OWNER)
            wife = add("F", max(low - 2, husband_age + self.between(-5, 2)), FAMILY)
            return husband, wife

        def children(mother_age: int, count: int, surname: str, oldest: int = 24) -> None:
            for _child in range(count):
                add(self.rng.choice("MF"), self.between(0, min(oldest, mother_age - 22)), FAMILY, surname)

        if kind == "couple_child":
            husband, wife = couple(28, 52)
            children(age(wife.birth, self.today), 1 if self.rng.random() < 0.7 else 2, surname_of(husband.name))
        elif kind == "three_generations":
            husband, wife = couple(30, 50)
            husband_age = age(husband.birth, self.today)
            children(age(wife.birth, self.today), 1 if self.rng.random() < 0.6 else 2, surname_of(husband.name), 20)
            elder = self.between(husband_age + 22, min(husband_age + 35, 92))
            paternal = self.rng.random() < 0.6
            if self.rng.random() < 0.6:
                add("M", elder, FAMILY, surname_of(husband.name) if paternal else "")
                add("F", elder + self.between(-5, 1), FAMILY)
            else:
                add("F" if self.rng.random() < 0.7 else "M", elder, FAMILY, "" if paternal else "")
        elif kind == "elderly_couple":
            couple(60, 88)
        elif kind == "elderly_alone":
            add("F" if self.rng.random() < 0.65 else "M", self.between(65, 96), OWNER)
        elif kind == "couple":
            couple(25, 62)
        elif kind == "single":
            add(self.rng.choice("MF"), self.between(22, 64), OWNER)
        elif kind == "parents_adult_child":
            husband, _wife = couple(48, 68)
            husband_age = age(husband.birth, self.today)
            add(self.rng.choice("MF"), self.between(20, min(36, husband_age - 22)), FAMILY, surname_of(husband.name))
        elif kind == "grandparents_child":
            grandfather = add("M", self.between(55, 78), OWNER)
            if self.rng.random() < 0.7:
                add("F", age(grandfather.birth, self.today) + self.between(-5, 1), FAMILY)
            add(self.rng.choice("MF"), self.between(3, 15), FAMILY, surname_of(grandfather.name))
        else:  # single_parent
            parent = add("F" if self.rng.random() < 0.75 else "M", self.between(30, 52), OWNER)
            children(age(parent.birth, self.today), 1, surname_of(parent.name) if parent.sex == "M" else "", 22)

    def _tenants(self, household: _Household) -> None:
        kind, members = household.kind, household.members
        registration = MIGRANT if self.rng.random() < 0.8 else REGISTERED
        region = self.region(registration)

        def add(sex: str, years: int, surname: str = "", same_region: bool = True) -> _Person:
            person_region = region if same_region and self.rng.random() < 0.85 else self.region(registration)
            return self.person(sex=sex, years=years, region=person_region, registration=registration,
                               relation=TENANT, surname=surname, household=members)

        if kind == "tenant_family":
            husband = add("M", self.between(24, 46))
            wife = add("F", max(21, age(husband.birth, self.today) + self.between(-5, 2)))
            for _child in range(self.rng.choice((0, 1, 1, 1, 2))):
                add(self.rng.choice("MF"), self.between(0, min(14, age(wife.birth, self.today) - 21)), surname_of(husband.name))
            if self.rng.random() < 0.2:
                add("F", self.between(50, 72))
        elif kind == "tenant_couple":
            husband = add("M", self.between(22, 40))
            add("F", max(20, age(husband.birth, self.today) + self.between(-4, 2)))
        elif kind == "tenant_single":
            add(self.rng.choice("MF"), self.between(20, 55))
        elif kind == "tenant_share":
            sex = self.rng.choice("MF")
            for _mate in range(self.rng.randint(2, 4)):
                add(sex, self.between(19, 34), same_region=False)
        else:  # group_rental
            for _lodger in range(self.rng.randint(6, 12)):
                add("M" if self.rng.random() < 0.7 else "F", self.between(18, 48), same_region=self.rng.random() < 0.4)
            household.members[0].notes = "群租房住户"

    def _callers_move_in(self) -> None:
        """Each home caller is a grown-up of the flat they called from, under their own name
        and phone; a household with more callers than grown-ups takes them in."""
        for code, ranked in self.home_callers.items():
            household = self.households.get(code)
            if household is None:
                continue
            # A flat that called very often (the past packs many calls into few flats) keeps its
            # household's size: its most frequent callers live there, at most one more grown-up.
            room = len(household.adults(self.today)) + (1 if self.rng.random() < 0.3 else 0)
            calls = sorted(ranked[:max(room, 1)], key=lambda call: call.received_at)
            self.home_callers[code] = calls
            for call in calls:
                if any(person.name == call.caller_name for person in household.members):
                    continue  # two callers of one name at one flat would read as a duplicate record
                on = call.received_at.date()
                sex = sex_of_name(call.caller_name)
                adults = [person for person in household.adults(on) if not person.caller]
                fitting = [person for person in adults if not sex or person.sex == sex] or ([] if sex else adults)
                if fitting:
                    person = fitting[0]
                    person.name = call.caller_name
                else:
                    person = self._newcomer(household, call.caller_name, sex or self.rng.choice("MF"), on)
                person.phone = call.caller_phone
                person.caller = True
                self.used_phones.add(call.caller_phone)
                if person.moved_in is None or person.moved_in > on:
                    person.moved_in = min(household.moved_in, on - dt.timedelta(days=self.between(30, 400)))
            earliest = min(person.moved_in or household.moved_in for person in household.members)
            household.moved_in = min(household.moved_in, earliest)

    def _newcomer(self, household: _Household, name: str, sex: str, on: dt.date) -> _Person:
        head = household.members[0] if household.members else None
        registration = head.registration if head else REGISTERED
        relation = TENANT if household.tenure == RENTED else FAMILY
        years = self.between(25, 62) + (self.today - on).days // 365
        person = _Person(name=name, sex=sex, birth=self.birth(years), region=head.region if head else self.region(registration),
                         registration=registration, relation=relation)
        household.members.append(person)
        return person

    def _former_tenants(self) -> None:
        """Earlier tenants of some lets stay on record, moved out when the present ones moved in."""
        for household in self.households.values():
            if household.tenure != RENTED or household.moved_in < self.start or self.rng.random() >= MOVED_OUT_SHARE:
                continue
            for _lodger in range(self.rng.randint(1, 2)):
                registration = MIGRANT
                person = self.person(sex=self.rng.choice("MF"), years=self.between(20, 45),
                                     region=self.region(registration), registration=registration, relation=TENANT)
                person.moved_in = household.moved_in - dt.timedelta(days=self.between(120, 2 * YEAR))
                person.moved_out = household.moved_in - dt.timedelta(days=self.between(1, 20))
                household.former.append(person)

    def _live_in_shopkeepers(self) -> None:
        """Some shopkeepers live in the back of their shop."""
        for code, premises in self.premises.items():
            if premises.compound or premises.kind not in ("shop", "restaurant") or self.rng.random() >= LIVE_IN_SHOP_SHARE:
                continue
            premises.house_use = MIXED
            household = _Household(premises.address, premises.tenure, "shopkeeper",
                                   self.today - dt.timedelta(days=self.between(200, 8 * YEAR)))
            registration = MIGRANT if self.rng.random() < 0.6 else REGISTERED
            region = self.region(registration)
            owner = self.person(sex="M", years=self.between(28, 58), region=region, registration=registration,
                                relation=OWNER if premises.tenure == OWNER_OCCUPIED else TENANT, household=household.members)
            if self.rng.random() < 0.7:
                self.person(sex="F", years=max(24, age(owner.birth, self.today) + self.between(-5, 2)), region=region,
                            registration=registration, relation=owner.relation if owner.relation == TENANT else FAMILY,
                            household=household.members)
            self.households[code] = household

    def _dormitories(self) -> None:
        """Workers of the building site sleep four to eight to a room in its dormitory."""
        for code, premises in self.premises.items():
            if premises.house_use != DORMITORY:
                continue
            household = _Household(premises.address, RENTED, "dormitory",
                                   self.today - dt.timedelta(days=self.between(30, 300)))
            for _worker in range(self.rng.randint(4, 8)):
                self.person(sex="M" if self.rng.random() < 0.9 else "F", years=self.between(20, 58),
                            region=self.region(MIGRANT), registration=MIGRANT, relation=OTHER,
                            household=household.members)
            household.members[0].notes = "工地务工人员"
            self.households[code] = household

    def _phone_for(self, person: _Person) -> None:
        if person.phone:
            return
        years = age(person.birth, self.today)
        share = 0.0 if years < 12 else 0.5 if years < 16 else 0.6 if years >= 80 else 0.95
        if self.rng.random() < share:
            person.phone = self.phone()

    # -- houses ----------------------------------------------------------------------------------------

    def _houses(self) -> list[HousePlan]:
        owners = [household for household in self.households.values()
                  if household.tenure == OWNER_OCCUPIED and household.kind in OWNER_HOUSEHOLDS]
        investors = self._investors(owners)
        outside = self._outside_landlords()
        houses: list[HousePlan] = []
        for address in self.addresses:
            code = address.code
            if code in self.unsurveyed:
                continue
            beat = address.beat_code
            if code in self.vacant:
                houses.append(HousePlan(self.code, code, beat, VACANT, VACANT, "vacant",
                                        notes="空置" if self.rng.random() < 0.5 else ""))
                continue
            household = self.households.get(code)
            premises = self.premises.get(code)
            use = premises.house_use if premises else RESIDENTIAL
            tenure = household.tenure if household else premises.tenure if premises else OWNER_OCCUPIED
            kind = household.kind if household else premises.kind if premises else "home"
            if tenure != RENTED:
                houses.append(HousePlan(self.code, code, beat, use, tenure, kind))
                continue
            landlord_id = landlord_name = landlord_phone = ""
            if investors and self.rng.random() < LANDLORD_IN_STATION_SHARE:
                landlord_id = self.rng.choice(investors).id_number
            else:
                landlord_name, landlord_phone = self.rng.choice(outside)
            moved_in = household.moved_in if household else self.today - dt.timedelta(days=self.between(60, 6 * YEAR))
            registered, expires = self._registration(moved_in, group=kind == "group_rental")
            notes = "群租房，已告知房东整改" if kind == "group_rental" else ""
            houses.append(HousePlan(self.code, code, beat, use, RENTED, kind, landlord_id, landlord_name, landlord_phone,
                                    registered, expires, notes))
        return houses

    def _investors(self, owners: Sequence[_Household]) -> list[_Person]:
        """Owner-occupiers who let flats elsewhere in the station; some let several."""
        pool = []
        for household in owners:
            grown = [person for person in household.members if age(person.birth, self.today) >= 35]
            if grown and self.rng.random() < 0.12:
                landlord = max(grown, key=lambda person: (person.relation == OWNER, person.birth))
                pool.extend([landlord] * (1 if self.rng.random() < 0.7 else self.rng.randint(2, 5)))
        return pool

    def _outside_landlords(self) -> list[tuple[str, str]]:
        landlords = []
        for _landlord in range(max(20, len(self.households) // 5)):
            sex = "M" if self.rng.random() < 0.55 else "F"
            entry = (self.surname() + self.given_name(sex), self.phone())
            landlords.extend([entry] * (1 if self.rng.random() < 0.8 else self.rng.randint(2, 6)))
        return landlords

    def _registration(self, moved_in: dt.date, *, group: bool) -> tuple[dt.date | None, dt.date | None]:
        """The let's registration: made around moving in, renewed each lease — or lapsed, or never made."""
        if self.rng.random() < (UNREGISTERED_SHARE_GROUP if group else UNREGISTERED_SHARE):
            return None, None
        lease = 365 if self.rng.random() < 0.7 else 730
        registered = min(self.today, moved_in + dt.timedelta(days=self.between(-15, 40)))
        renewals = max(0, (self.today - registered).days // lease)
        if renewals and self.rng.random() < EXPIRED_RENEWAL_SHARE:
            renewals -= 1  # the last renewal was never made
        registered += dt.timedelta(days=renewals * lease)
        return registered, registered + dt.timedelta(days=lease)

    # -- organisations ---------------------------------------------------------------------------------------

    def _organisations(self) -> list[OrganisationPlan]:
        found: list[OrganisationPlan] = []
        compounds_done: set[tuple[str, str]] = set()
        for address in self.addresses:
            premises = self.premises.get(address.code)
            if premises is None:
                continue
            if premises.compound:
                key = (address.road, address.number)
                if premises.kind == "firm":
                    if self.rng.random() < 0.5:  # an office block: a firm in every other room
                        found.append(self._organisation(len(found), premises))
                    continue
                if key in compounds_done:
                    continue
                compounds_done.add(key)
            found.append(self._organisation(len(found), premises))
        return found

    def _organisation(self, key: int, premises: _Premises) -> OrganisationPlan:
        address, kind = premises.address, premises.kind
        name = self._organisation_name(kind, address, premises.compound)
        contact = self.shop_callers.get(address.code)
        household = self.households.get(address.code)
        if contact is None and household is not None and household.members:
            keeper = household.members[0]
            contact = (keeper.name, keeper.phone)
        if contact is None:
            sex = "M" if self.rng.random() < 0.6 else "F"
            contact = (self.surname() + self.given_name(sex), self.phone())
        low, high = EMPLOYEES.get(kind, (1, 10))
        prefix = {"shop": "92", "restaurant": "92", "school": "52", "hospital": "52", "market": "91"}.get(kind, "91")
        body = "MA" + "".join(self.rng.choice(_CREDIT_CHARS) for _ in range(7))
        return OrganisationPlan(
            station_code=self.code, key=key, name=name, kind=kind, address_code=address.code,
            beat_code=address.beat_code, contact_name=contact[0], contact_phone=contact[1],
            credit_code=credit_code(prefix, "500108", body), key_place=kind in KEY_PLACE_KINDS or premises.compound,
            employees=self.rng.randint(low, high),
            notes="员工宿舍在本址" if kind == "construction" else "",
        )

    def _organisation_name(self, kind: str, address: AddressPlan, compound: bool) -> str:
        lead = self.rng.choice(words.LUCKY) if self.rng.random() < 0.6 else self.surname() + "记"
        road = address.road[:2]
        community = self.beats[address.beat_code].community.removesuffix("社区")
        if kind == "shop":
            return lead + self.rng.choice(words.SHOP_WORDS)
        if kind == "restaurant":
            return lead + self.rng.choice(words.RESTAURANT_WORDS)
        if kind == "entertainment":
            return self.rng.choice(words.LUCKY) + self.rng.choice(words.ENTERTAINMENT_WORDS)
        if kind == "hotel":
            return (self.rng.choice(words.LUCKY) + road) + self.rng.choice(words.HOTEL_WORDS)
        if kind == "hospital":
            word = self.rng.choice(words.CLINIC_WORDS)
            return f"{community}{word}" if word == "社区卫生服务站" else lead.removesuffix("记") + word
        if kind == "finance":
            return f"{self.rng.choice(words.BANKS)}{road}支行"
        if kind == "market":
            return f"{community}农贸市场"
        if kind == "school":
            if compound:
                return f"重庆市南岸区{community}小学"
            return community + self.rng.choice(words.SCHOOL_WORDS)
        if kind == "construction":
            return f"重庆{self.fake.company_prefix()}建筑工程有限公司{road}项目部"
        if kind == "firm":
            return "重庆" + str(self.fake.company())
        return lead + "服务部"

    # -- people as the records hold them ----------------------------------------------------------------------

    def _people(self) -> list[PersonPlan]:
        people: list[PersonPlan] = []
        self.person_plans: dict[str, PersonPlan] = {}
        self.at_address: dict[str, list[PersonPlan]] = defaultdict(list)
        for address in self.addresses:
            household = self.households.get(address.code)
            if household is None:
                continue
            for person in (*household.members, *household.former):
                plan = PersonPlan(
                    station_code=self.code, id_number=person.id_number, name=person.name, sex=person.sex,
                    birth_date=person.birth, phone=person.phone, registration=person.registration,
                    address_code=address.code, beat_code=address.beat_code, relation=person.relation,
                    moved_in_on=person.moved_in, moved_out_on=person.moved_out, notes=person.notes,
                )
                people.append(plan)
                self.person_plans[plan.id_number] = plan
                if plan.moved_out_on is None:
                    self.at_address[address.code].append(plan)
        return people

    # -- care -------------------------------------------------------------------------------------------------

    def _responsible(self, beat_code: str) -> str:
        return self.beats[beat_code].responsible_badge

    def _care(self) -> list[CarePlan]:
        care: list[CarePlan] = []
        flagged: set[tuple[str, str]] = set()

        def flag(person: PersonPlan, reason: str, started: dt.date | None = None) -> None:
            if (person.id_number, reason) in flagged:
                return
            flagged.add((person.id_number, reason))
            since = started or self.today - dt.timedelta(days=self.between(30, 5 * YEAR))
            since = max(since, person.moved_in_on or since)
            review = self.today + dt.timedelta(days=self.between(-12, 90))
            notes = self.rng.choice(words.CARE_NOTES[reason])
            care.append(CarePlan(self.code, person.id_number, reason, person.beat_code,
                                 self._responsible(person.beat_code), since, review, notes))

        today = self.today
        for address in self.addresses:
            household = self.households.get(address.code)
            people = self.at_address.get(address.code, [])
            if household is None or not people:
                continue
            if household.kind == "elderly_alone" and len(people) == 1 and people[0].age_on(today) >= 70:
                person = people[0]
                seventy = person.birth_date + dt.timedelta(days=int(70 * 365.2425) + 1)
                flag(person, ELDERLY_ALONE, max(seventy, today - dt.timedelta(days=self.between(60, 6 * YEAR))))
            elderly = [person for person in people if person.age_on(today) >= 60]
            if address.code in self.fraud and elderly:
                flag(self.rng.choice(elderly), FRAUD_TARGET, self.fraud[address.code])
            if address.code in self.violence:
                women = [person for person in people if person.sex == "F" and person.age_on(today) >= 18]
                callers = [person for person in women if person.phone and person.phone in {
                    call.caller_phone for call in self.home_callers.get(address.code, ())}]
                if women:
                    flag((callers or women)[0], DOMESTIC_VIOLENCE, self.violence[address.code])
            for person in people:
                years = person.age_on(today)
                roll = self.rng.random()
                if years >= 75 and len(people) > 1 and roll < 0.02:
                    flag(person, DEMENTIA)
                elif years >= 65 and roll < 0.03:
                    flag(person, FRAUD_TARGET)
                elif 20 <= years <= 60 and roll < 0.0006 * (4 if person.sex == "M" else 0.5):
                    flag(person, COMMUNITY_CORRECTION, today - dt.timedelta(days=self.between(20, 700)))
                elif 20 <= years <= 60 and roll < 0.0025:
                    flag(person, MENTAL_ILLNESS)
                elif 22 <= years <= 55 and roll < 0.0029:
                    flag(person, RELEASED_PRISONER, today - dt.timedelta(days=self.between(30, 3 * YEAR)))
                elif 20 <= years <= 50 and roll < 0.0033:
                    flag(person, DRUG_REHABILITATION, today - dt.timedelta(days=self.between(30, 3 * YEAR)))
                elif years >= 18 and roll < 0.0073:
                    flag(person, DISABILITY)
                if household.kind == "grandparents_child" and 3 <= years <= 15 and roll < 0.7:
                    flag(person, LEFT_BEHIND_CHILD)
        return care

    # -- volunteers ------------------------------------------------------------------------------------------

    def _teams(self, people: Sequence[PersonPlan]) -> list[TeamPlan]:
        candidates: dict[str, list[PersonPlan]] = defaultdict(list)
        for person in people:
            if (person.moved_out_on is None and 40 <= person.age_on(self.today) <= 72
                    and person.registration == REGISTERED and person.phone):
                candidates[person.beat_code].append(person)
        teams: list[TeamPlan] = []
        taken: set[str] = set()
        for code in sorted(self.beats):
            beat = self.beats[code]
            kinds = ["patrol", "red_armband"]
            if beat.community in MARKET_COMMUNITIES:
                kinds.append("security_guards")
            if int(code) % 2 == 1:
                kinds.append("anti_fraud")
            pool = [person for person in candidates.get(code, []) if person.id_number not in taken]
            for kind in kinds:
                size = min(len(pool), self.rng.randint(8, 20))
                if size < 3:
                    continue
                members = []
                founded = self.today - dt.timedelta(days=self.between(2 * YEAR, 8 * YEAR))
                for _member in range(size):
                    person = pool.pop(int(self.rng.random() * len(pool)))
                    taken.add(person.id_number)
                    joined = founded + dt.timedelta(days=self.between(0, (self.today - founded).days - 30))
                    left = None
                    if self.rng.random() < 0.08:
                        left = joined + dt.timedelta(days=self.between(60, max(61, (self.today - joined).days - 1)))
                        left = min(left, self.today - dt.timedelta(days=1))
                    members.append(MemberPlan(person.id_number, person.name, person.phone, joined, left))
                members.sort(key=lambda member: (member.joined_on, member.id_number))
                leader = members[0]
                teams.append(TeamPlan(
                    station_code=self.code, name=words.TEAM_NAMES[kind].format(community=beat.community), kind=kind,
                    beat_code=code, officer_badge=beat.responsible_badge, leader_name=leader.name,
                    leader_phone=leader.phone, founded_on=founded, members=tuple(members),
                    activities=tuple(self._activities(kind, beat.roads, beat.community, members, beat.responsible_badge)),
                ))
        return teams

    def _activities(self, kind: str, roads: Sequence[str], community: str, members: Sequence[MemberPlan],
                    officer: str) -> list[ActivityPlan]:
        share, start_hour, hours = {
            "patrol": (0.35, 19, 2), "red_armband": (0.15, 9, 2), "security_guards": (0.3, 20, 2),
            "anti_fraud": (0.07, 9, 3),
        }[kind]
        activities = []
        for offset in range(YEAR):
            day = self.start + dt.timedelta(days=offset)
            holiday = (day.month, day.day) in {(1, 1), (5, 1), (10, 1), (10, 2)} or (day.month == 2 and day.day <= 10)
            if self.rng.random() >= share and not (holiday and kind == "red_armband"):
                continue
            active = [index for index, member in enumerate(members)
                      if member.joined_on <= day and (member.left_on is None or member.left_on > day)]
            if len(active) < 2:
                continue
            count = min(len(active), self.rng.randint(3, 8))
            chosen = tuple(sorted(active[index] for index in self._sample(len(active), count)))
            started = dt.datetime.combine(day, dt.time(start_hour, self.rng.choice((0, 0, 30))))
            if kind == "anti_fraud":
                activity_kind, notes = "publicity", self.rng.choice(words.PUBLICITY_NOTES)
            elif holiday and kind == "red_armband":
                activity_kind, notes = "event_security", self.rng.choice(words.EVENT_NOTES)
            elif kind == "red_armband" and self.rng.random() < 0.15:
                activity_kind, notes = "mediation", self.rng.choice(words.MEDIATION_HELP_NOTES)
            else:
                activity_kind, notes = "patrol", self.rng.choice(words.PATROL_NOTES)
            area = f"{self.rng.choice(roads)}沿线及{community}各小区" if activity_kind == "patrol" else f"{community}"
            activities.append(ActivityPlan(
                kind=activity_kind, started_at=started, ended_at=started + dt.timedelta(hours=hours), area=area,
                members=chosen, notes=notes, officer_badge=officer if self.rng.random() < 0.25 else "",
            ))
        return activities

    def _sample(self, size: int, count: int) -> list[int]:
        chosen: list[int] = []
        seen: set[int] = set()
        while len(chosen) < count:
            index = int(self.rng.random() * size)
            if index not in seen:
                seen.add(index)
                chosen.append(index)
        return chosen

    # -- the dispute ledger ------------------------------------------------------------------------------------

    def _dispute_incidents(self) -> list[list[PastIncident]]:
        """The incidents of each dispute: one quarrel at one address, calls less than two months apart."""
        groups: list[list[PastIncident]] = []
        latest: dict[tuple[str, str], list[PastIncident]] = {}
        latest_at: dict[str, list[PastIncident]] = {}
        gap = dt.timedelta(days=DISPUTE_GAP_DAYS)
        for incident in self.incidents:
            if incident.state == "invalid":
                continue
            is_dispute = incident.category.startswith(DISPUTE_FAMILY)
            escalated = not is_dispute and TAG_REPEAT_DISPUTE in incident.tags
            if not is_dispute and not escalated:
                continue
            kind = self._kind_of(incident)
            group = None
            if incident.address_code:
                if escalated:
                    group = latest_at.get(incident.address_code)
                else:
                    group = latest.get((incident.address_code, kind))
                if group is not None and incident.received_at - group[-1].received_at > gap:
                    group = None
            if group is None:
                group = []
                groups.append(group)
            group.append(incident)
            if incident.address_code:
                latest[(incident.address_code, kind)] = group
                latest_at[incident.address_code] = group
        return groups

    def _kind_of(self, incident: PastIncident) -> str:
        if incident.category.startswith(DISPUTE_FAMILY):
            kind = incident.category.removeprefix(DISPUTE_FAMILY)
            return kind if kind in DISPUTE_KINDS else "other"
        return ESCALATION_KIND.get(incident.category, "other")

    def _disputes(self, organisations: Sequence[OrganisationPlan]) -> list[DisputePlan]:
        mediators = {code: self.surname() + self.given_name(self.rng.choice("MF")) for code in sorted(self.beats)}
        shops = {organisation.address_code: organisation for organisation in organisations}
        planned = [self._dispute(group, mediators, shops) for group in self._dispute_incidents()]
        planned.sort(key=lambda dispute: (dispute.opened_at, dispute.incident_numbers))
        sequences: Counter[int] = Counter()
        numbered = []
        for dispute in planned:
            sequences[dispute.opened_at.year] += 1
            numbered.append(dataclasses.replace(dispute, number=dispute_number(dispute.opened_at, sequences[dispute.opened_at.year])))
        return numbered

    def _dispute(self, group: list[PastIncident], mediators: dict[str, str],
                 shops: dict[str, OrganisationPlan]) -> DisputePlan:
        """The dispute of `group`'s incidents, opened in the ledger on the spot, at the first mediation."""
        first = group[0]
        kind = self._kind_of(first)
        beat_code = first.beat_code if first.beat_code in self.beats else sorted(self.beats)[0]
        officer = self._responsible(beat_code)
        mediator = mediators[beat_code]
        escalated = any(TAG_ESCALATED in incident.tags or not incident.category.startswith(DISPUTE_FAMILY)
                        for incident in group)
        risk = self._risk(kind, group, escalated)
        parties = self._parties(kind, group, shops)
        steps: list[StepPlan] = []
        for index, incident in enumerate(group):
            at = incident.on_scene_at or incident.received_at + dt.timedelta(minutes=self.between(10, 40))
            at = self.before_end(at + dt.timedelta(minutes=self.between(5, 40)))
            texts = words.MEDIATION_FIRST if index == 0 else words.MEDIATION_REPEAT
            result = incident.outcome or self.rng.choice(texts)
            if incident.outcome and index:
                result = self.rng.choice(words.MEDIATION_REPEAT) + "；" + incident.outcome
            steps.append(StepPlan(at, incident.officer_badge or officer, "", ON_SITE, result))
        opened = max(first.received_at, steps[0].at - dt.timedelta(minutes=self.between(1, 5)))
        outcome, note, closed, follow_up = self._outcome(kind, group, escalated, steps, officer, mediator)
        if closed is not None and closed < steps[-1].at:
            closed = steps[-1].at
        summary = words.DISPUTE_SUMMARY[kind].format(party=parties[-1].role if parties else "对方")
        address = self.by_code.get(first.address_code)
        if address is not None:
            summary = f"{address.road}{address.number}{address.building}{address.unit}{address.room}：{summary}"
        if len(group) > 1:
            summary += f"，{len(group)}次报警"
        return DisputePlan(
            station_code=self.code, number="", kind=kind, risk=risk, summary=summary,
            address_code=first.address_code, beat_code=beat_code, officer_badge=officer,
            mediator=mediator if any(step.mediator for step in steps) else "",
            incident_numbers=tuple(incident.number for incident in group), outcome=outcome, outcome_note=note,
            opened_at=opened, closed_at=closed, follow_up_on=follow_up, parties=tuple(parties), steps=tuple(steps),
        )

    def _risk(self, kind: str, group: Sequence[PastIncident], escalated: bool) -> str:
        level = 1 if kind in ("family", "romance", "neighbour") and self.rng.random() < 0.35 else 0
        if len(group) >= 2:
            level += 1
        if len(group) >= 3 or escalated:
            level = 2
        if self.incidents_at.get(group[0].address_code, 0) >= self.repeat_threshold:
            level += 1
        return (LOW, MEDIUM, HIGH)[min(level, 2)]

    def _outcome(self, kind: str, group: Sequence[PastIncident], escalated: bool, steps: list[StepPlan], officer: str,
                 mediator: str) -> tuple[str, str, dt.datetime | None, dt.date | None]:
        """How the dispute stands today; adds the mediations after the last call to `steps`."""
        last = group[-1]
        after = steps[-1].at
        end = self.end
        if last.state == "converted":
            return CASE, self.rng.choice(words.OUTCOME_NOTES[CASE]), after, None
        recent = (self.today - last.received_at.date()).days
        referred = last.outcome == "已移交社区人民调解委员会" and recent <= 60 and self.rng.random() < OPEN_SHARE
        if last.state in OPEN_STATES or recent <= 10 or (len(group) >= 3 and recent <= 40) or referred:
            follow_up = self.today + dt.timedelta(days=self.between(1, 12))
            if self.rng.random() < 0.12:
                follow_up = self.today - dt.timedelta(days=self.between(1, 6))
            pending = after + dt.timedelta(days=self.between(1, 5), hours=self.between(1, 6))
            if pending < end and last.state not in OPEN_STATES:
                steps.append(StepPlan(pending, officer, mediator, self.rng.choice((PHONE, MEDIATION_ROOM)),
                                      self.rng.choice(words.MEDIATION_PENDING), follow_up))
            return OPEN, "", None, follow_up
        outcome = OUTCOME_OF.get(last.outcome, RESOLVED)
        unsettled = outcome == COURT or last.outcome in ("", "已移交社区人民调解委员会")
        if unsettled and kind in words.DEPARTMENT_REFERRALS and self.rng.random() < (0.7 if kind == "labour" else 0.3):
            outcome = DEPARTMENT  # a matter for the labour inspectors, the market regulator, the estate office
        elif outcome == COURT and self.rng.random() >= COURT_SHARE:
            outcome = AGREEMENT  # told to go to law, they settled in the mediation room instead
        if escalated and outcome == RESOLVED and self.rng.random() < 0.4:
            outcome = AGREEMENT
        closed = after + dt.timedelta(days=self.between(0, 6), hours=self.between(1, 8))
        closed = min(closed, end - dt.timedelta(hours=1))
        if outcome == AGREEMENT:
            steps.append(StepPlan(closed, officer, mediator, self.rng.choice((MEDIATION_ROOM, JOINT)),
                                  self.rng.choice(words.MEDIATION_ROOM)))
            note = self.rng.choice(words.OUTCOME_NOTES[AGREEMENT])
        elif outcome == DEPARTMENT:
            note = words.DEPARTMENT_REFERRALS[kind]
            steps.append(StepPlan(closed, officer, "", PHONE, note))
        elif outcome == COURT:
            note = self.rng.choice(words.OUTCOME_NOTES[COURT])
        else:
            note = self.rng.choice(words.OUTCOME_NOTES[RESOLVED])
            closed = after
        return outcome, note, closed, None

    def _parties(self, kind: str, group: Sequence[PastIncident], shops: dict[str, OrganisationPlan]) -> list[PartyPlan]:
        code = group[0].address_code
        here = self.at_address.get(code, [])
        by_phone = {person.phone: person for person in here if person.phone}
        parties: list[PartyPlan] = []
        seen: set[str] = set()
        for incident in group:
            for name, phone in incident.callers:
                key = phone or name
                if not key or key in seen or len(parties) >= 2:
                    continue
                seen.add(key)
                person = by_phone.get(phone)
                if person is not None:
                    parties.append(PartyPlan(person.id_number, person.name, "", "报警人"))
                else:
                    parties.append(PartyPlan("", name, phone, "报警人"))
        first_id = parties[0].id_number if parties else ""
        if not parties and here:
            grown = [person for person in here if person.age_on(self.today) >= 18]
            if grown:
                parties.append(PartyPlan(grown[0].id_number, grown[0].name, "", "当事人"))
                first_id = grown[0].id_number
        other = self._other_party(kind, code, here, first_id, shops)
        if other is not None and all(other.id_number != party.id_number or not other.id_number for party in parties):
            parties.append(other)
        return parties

    def _other_party(self, kind: str, code: str, here: Sequence[PersonPlan], first_id: str,
                     shops: dict[str, OrganisationPlan]) -> PartyPlan | None:
        today = self.today
        if kind == "family":
            first = self.person_plans.get(first_id)
            grown = [person for person in here if person.age_on(today) >= 18 and person.id_number != first_id]
            if first is not None:
                grown.sort(key=lambda person: person.sex == first.sex)
            if grown:
                person = grown[0]
                role = ("丈夫" if person.sex == "M" else "妻子") if first is not None and person.sex != first.sex else "家庭成员"
                return PartyPlan(person.id_number, person.name, "", role)
        if kind == "neighbour":
            neighbour = self._neighbour(code)
            if neighbour is not None:
                person, role = neighbour
                return PartyPlan(person.id_number, person.name, "", role)
        if kind == "consumer" and code in shops:
            shop = shops[code]
            return PartyPlan("", shop.name[:50], "", "商家")
        if kind == "property":
            house_landlord = self._landlord_party(code)
            if house_landlord is not None:
                return house_landlord
        role = self.rng.choice(words.PARTY_ROLES.get(kind, words.PARTY_ROLES["other"]))
        sex = "F" if role in ("前女友", "妻子") else "M" if role in ("前男友", "男朋友", "丈夫") else self.rng.choice("MF")
        return PartyPlan("", self.surname() + self.given_name(sex), self.phone(), role)

    def _neighbour(self, code: str) -> tuple[PersonPlan, str] | None:
        address = self.by_code.get(code)
        if address is None or not address.room:
            return None
        floor, room = floor_of(address), address.room[-2:]
        for other_floor, other_room, role in ((floor + 1, room, "楼上住户"), (floor - 1, room, "楼下住户")):
            for candidate in self._flats_near(address, other_floor, other_room):
                grown = [person for person in self.at_address.get(candidate, []) if person.age_on(self.today) >= 18]
                if grown:
                    return grown[0], role
        for candidate in self._flats_near(address, floor, ""):
            if candidate == code:
                continue
            grown = [person for person in self.at_address.get(candidate, []) if person.age_on(self.today) >= 18]
            if grown:
                return grown[0], "对门住户"
        return None

    def _flats_near(self, address: AddressPlan, floor: int, room: str) -> Iterable[str]:
        key = (address.road, address.number, address.building, address.unit)
        index = self._flat_index()
        for candidate in index.get(key, ()):
            if floor_of(candidate) == floor and (not room or candidate.room.endswith(room)):
                yield candidate.code

    def _flat_index(self) -> dict[tuple[str, str, str, str], list[AddressPlan]]:
        found = getattr(self, "_flats", None)
        if found is None:
            found = defaultdict(list)
            for address in self.addresses:
                if address.room:
                    found[(address.road, address.number, address.building, address.unit)].append(address)
            self._flats = found
        return found

    def _landlord_party(self, code: str) -> PartyPlan | None:
        house = self.house_at.get(code)
        if house is None or house.tenure != RENTED:
            return None
        if house.landlord_id_number:
            landlord = self.person_plans.get(house.landlord_id_number)
            if landlord is not None:
                return PartyPlan(landlord.id_number, landlord.name, "", "房东")
        if house.landlord_name:
            return PartyPlan("", house.landlord_name, house.landlord_phone, "房东")
        return None

    # -- visits ---------------------------------------------------------------------------------------------------

    def _visits(self, houses: Sequence[HousePlan], organisations: Sequence[OrganisationPlan], care: Sequence[CarePlan],
                disputes: Sequence[DisputePlan]) -> list[VisitPlan]:
        households_of: dict[str, list[HousePlan]] = defaultdict(list)
        for house in houses:
            if self.at_address.get(house.address_code):
                households_of[house.beat_code].append(house)
        self.lagging = self._lagging_beats(households_of)
        visits: list[VisitPlan] = []
        for code in sorted(self.beats):
            quality = self.rng.uniform(75, 110) if code not in self.lagging else self.rng.uniform(160, 240)
            for house in households_of.get(code, []):
                visits.extend(self._household_visits(house, quality, code in self.lagging))
        for organisation in organisations:
            visits.extend(self._organisation_visits(organisation))
        for subject in care:
            visits.extend(self._care_visits(subject))
        for dispute in disputes:
            visits.extend(self._dispute_visits(dispute))
        visits.sort(key=lambda visit: (visit.visited_at, visit.address_code, visit.purpose))
        return visits

    def _lagging_beats(self, households_of: dict[str, list[HousePlan]]) -> set[str]:
        """Beats whose visits fell behind: an officer on leave, else the most households per officer."""
        wanted = LAGGING_BEATS.get(self.code, 1)
        on_leave = sorted({officer.beat_code for officer in self.officers
                           if officer.title == COMMUNITY_OFFICER and officer.duty_status == ON_LEAVE and officer.beat_code})
        by_load = sorted(self.beats, key=lambda code: (-len(households_of.get(code, [])) / max(1, len(self.beat_officers[code])), code))
        lagging: list[str] = []
        for code in [*on_leave, *by_load]:
            if code not in lagging and len(lagging) < wanted:
                lagging.append(code)
        return set(lagging)

    def _visit_moment(self, day: dt.date, *, evening_share: float = 0.15) -> dt.datetime:
        """An officer's working hour of `day` (most weekend visits move to a weekday)."""
        if day.weekday() >= 5 and self.rng.random() < 0.85:
            day += dt.timedelta(days=7 - day.weekday() + self.rng.randint(0, 4))  # to a weekday of the next week
        if day >= self.today:
            day = self.today - dt.timedelta(days=self.rng.randint(1, 5))
        roll = self.rng.random()
        if roll < evening_share:
            hour, minute = 19, self.rng.randint(0, 100)
        elif roll < 0.55:
            hour, minute = 9, self.rng.randint(0, 160)
        else:
            hour, minute = 14, self.rng.randint(30, 200)
        return dt.datetime.combine(day, dt.time(hour)) + dt.timedelta(minutes=minute)

    def _who_goes(self, beat_code: str, *, prefer: str = "") -> tuple[str, str]:
        """The officer (one of the beat's community officers) and who went along."""
        officers = self.beat_officers.get(beat_code) or []
        if prefer and (self.rng.random() < 0.8 or len(officers) < 2):
            badge = prefer
        elif officers:
            badge = officers[0].badge if self.rng.random() < 0.6 else self.rng.choice(officers).badge
        else:
            badge = self._responsible(beat_code)
        helpers = self.companions.get(badge, [])
        roll = self.rng.random()
        if helpers and roll < 0.7:
            companions = "辅警" + self.rng.choice(helpers)
        elif roll < 0.85:
            companions = "网格员" + self.rng.choice(self.grid_workers[beat_code])
        else:
            companions = ""
        return badge, companions

    def _met(self, code: str, day: dt.date, *, elderly_first: bool = False) -> tuple[str, ...]:
        present = [person for person in self.at_address.get(code, []) if person.lives_there_on(day)]
        grown = [person for person in present if person.age_on(day) >= 16] or present
        if not grown:
            return ()
        if elderly_first:
            grown.sort(key=lambda person: -person.age_on(day))
            first = grown[0]
        else:
            first = self.rng.choice(grown)
        met = [first.id_number]
        if len(grown) > 1 and self.rng.random() < 0.35:
            other = self.rng.choice([person for person in grown if person.id_number != first.id_number])
            met.append(other.id_number)
        return tuple(met)

    def _household_visits(self, house: HousePlan, cycle: float, lagging: bool) -> list[VisitPlan]:
        if self.rng.random() < (0.08 if lagging else 0.02):
            return []  # never visited
        visits: list[VisitPlan] = []
        day = self.start + dt.timedelta(days=self.rng.random() * cycle)
        code = house.address_code
        late = self.today - dt.timedelta(days=75)
        while day < self.today:
            skipped = lagging and day >= late and self.rng.random() < 0.6
            present = any(person.lives_there_on(day) for person in self.at_address.get(code, ()))
            if present and not skipped:
                visits.append(self._household_visit(house, day))
            day += dt.timedelta(days=cycle * self.rng.uniform(0.8, 1.2))
        return visits

    def _household_visit(self, house: HousePlan, day: dt.date) -> VisitPlan:
        code = house.address_code
        rented = house.tenure == RENTED
        people = [person for person in self.at_address.get(code, []) if person.lives_there_on(day)]
        elderly = any(person.age_on(day) >= 65 for person in people)
        roll = self.rng.random()
        if rented:
            purpose = RECORD_CHECK if roll < 0.6 else ANTI_FRAUD if roll < 0.85 else DISPUTE_SCREENING
        elif elderly:
            purpose = ANTI_FRAUD if roll < 0.6 else DISPUTE_SCREENING if roll < 0.8 else RECORD_CHECK
        else:
            purpose = ANTI_FRAUD if roll < 0.4 else RECORD_CHECK if roll < 0.75 else DISPUTE_SCREENING
        at = self._visit_moment(day, evening_share=0.3 if rented else 0.1)
        text = self._household_finding(house, purpose, at.date(), len(people), elderly)
        finding, follow_up = words.split_follow_up(text)
        officer, companions = self._who_goes(house.beat_code)
        return VisitPlan(
            officer_badge=officer, companions=companions, visited_at=at, target=HOUSEHOLD, address_code=code,
            beat_code=house.beat_code, purpose=purpose, findings=finding, follow_up_needed=bool(follow_up),
            follow_up_note=follow_up, house=True, residents=self._met(code, at.date(), elderly_first=elderly),
        )

    def _household_finding(self, house: HousePlan, purpose: str, day: dt.date, count: int, elderly: bool) -> str:
        if purpose == ANTI_FRAUD:
            return self.finding(words.ANTI_FRAUD_ELDERLY if elderly and self.rng.random() < 0.6 else words.ANTI_FRAUD)
        if purpose == DISPUTE_SCREENING:
            return self.finding(words.DISPUTE_SCREENING)
        if house.tenure != RENTED:
            return words.fill(self.rng.choice(words.RECORD_CHECK_HOME), self.rng, n=max(count, 1))
        if house.kind == "group_rental":
            texts = words.RECORD_CHECK_GROUP
        elif house.rental_registered_on is None or house.rental_registered_on > day:
            texts = words.RECORD_CHECK_UNREGISTERED
        elif house.rental_expires_on is not None and house.rental_expires_on < day:
            texts = words.RECORD_CHECK_EXPIRED
        else:
            texts = words.RECORD_CHECK_RENTED
        return words.fill(self.finding(texts), self.rng, n=max(count, 1))

    def _organisation_visits(self, organisation: OrganisationPlan) -> list[VisitPlan]:
        cycle = self.rng.uniform(25, 45) if organisation.key_place else self.rng.uniform(80, 160)
        if organisation.beat_code in self.lagging:
            cycle *= 1.6
        target = SHOP if organisation.kind in ("shop", "restaurant", "market", "entertainment") else ORGANISATION
        visits = []
        day = self.start + dt.timedelta(days=self.rng.random() * cycle)
        while day < self.today:
            at = self._visit_moment(day, evening_share=0.25 if organisation.kind == "entertainment" else 0.05)
            texts = words.KEY_PLACE_CHECK.get(organisation.kind) if organisation.key_place else None
            if texts:
                purpose = RECORD_CHECK if organisation.kind in ("hotel", "construction") else OTHER_PURPOSE
            elif target == SHOP:
                texts = words.SHOP_CHECK
                purpose = OTHER_PURPOSE if self.rng.random() < 0.6 else ANTI_FRAUD
            else:
                texts = words.ORGANISATION_CHECK
                purpose = RECORD_CHECK if self.rng.random() < 0.5 else ANTI_FRAUD
            finding, follow_up = words.split_follow_up(self.finding(texts))
            officer, companions = self._who_goes(organisation.beat_code)
            visits.append(VisitPlan(
                officer_badge=officer, companions=companions, visited_at=at, target=target,
                address_code=organisation.address_code, beat_code=organisation.beat_code, purpose=purpose,
                findings=finding, follow_up_needed=bool(follow_up), follow_up_note=follow_up, house=True,
                organisation_key=organisation.key,
            ))
            day += dt.timedelta(days=cycle * self.rng.uniform(0.8, 1.2))
        return visits

    def _care_visits(self, subject: CarePlan) -> list[VisitPlan]:
        """Monthly, by the responsible officer (a lagging beat misses some)."""
        person = self.person_plans[subject.id_number]
        visits = []
        day = max(self.start, subject.started_on) + dt.timedelta(days=self.between(1, 30))
        lagging = subject.beat_code in self.lagging
        while day < self.today:
            if not (lagging and self.rng.random() < 0.35):
                at = self._visit_moment(day, evening_share=0.05)
                finding, follow_up = words.split_follow_up(self.finding(words.CARE[subject.reason]))
                officer, companions = self._who_goes(subject.beat_code, prefer=subject.officer_badge)
                met = (person.id_number,) if person.lives_there_on(at.date()) else ()
                visits.append(VisitPlan(
                    officer_badge=officer, companions=companions, visited_at=at, target=HOUSEHOLD,
                    address_code=person.address_code, beat_code=subject.beat_code, purpose=CARE_VISIT,
                    findings=finding, follow_up_needed=bool(follow_up), follow_up_note=follow_up,
                    house=person.address_code in self.house_at, residents=met,
                    care=(subject.id_number, subject.reason),
                ))
            day += dt.timedelta(days=self.between(25, 35))
        return visits

    def _dispute_visits(self, dispute: DisputePlan) -> list[VisitPlan]:
        """A follow-up a few days after each call, and monthly screening while a repeated quarrel lasts."""
        if not dispute.address_code or dispute.beat_code not in self.beats:
            return []
        met_ids = tuple(party.id_number for party in dispute.parties if party.id_number)
        visits = []
        days: list[tuple[dt.date, str]] = []
        for step in dispute.steps:
            if step.method == ON_SITE:
                days.append((step.at.date() + dt.timedelta(days=self.between(2, 7)), FOLLOW_UP))
        if len(dispute.incident_numbers) >= 2:
            until = (dispute.closed_at.date() if dispute.closed_at else self.today) + dt.timedelta(days=60)
            day = dispute.opened_at.date() + dt.timedelta(days=self.between(20, 35))
            while day < min(until, self.today):
                days.append((day, DISPUTE_SCREENING))
                day += dt.timedelta(days=self.between(25, 40))
        party = next((party.role for party in dispute.parties if party.role != "报警人"), "对方")
        for day, purpose in days:
            if day >= self.today:
                continue
            at = self._visit_moment(day, evening_share=0.3)
            texts = words.FOLLOW_UP if purpose == FOLLOW_UP else words.DISPUTE_SCREENING_REPEAT
            finding, follow_up = words.split_follow_up(words.fill(self.finding(texts), self.rng, party=party))
            officer, companions = self._who_goes(dispute.beat_code, prefer=dispute.officer_badge)
            met = tuple(number for number in met_ids
                        if self.person_plans[number].address_code == dispute.address_code
                        and self.person_plans[number].lives_there_on(at.date()))
            target = SHOP if dispute.address_code in self.shop_codes else HOUSEHOLD
            visits.append(VisitPlan(
                officer_badge=officer, companions=companions, visited_at=at, target=target,
                address_code=dispute.address_code, beat_code=dispute.beat_code, purpose=purpose,
                findings=finding, follow_up_needed=bool(follow_up), follow_up_note=follow_up,
                house=dispute.address_code in self.house_at, residents=met, dispute_number=dispute.number,
            ))
        return visits
