"""What the basic records add to the dispatch context pack (情况包): "the community officer
arrives with the case file".

For the order's place and parties — the incident's standard address, and the callers of
its calls matched to residents by phone — the pack shows:

- the house (use, owner-occupied or rented, landlord with the phone masked);
- the residents at the address and the callers on record (name, masked identity and
  phone number, age — never the birth date, which is what the mask hides), each with a
  care-flag chip only when `care_subjects_for(user)` lets the viewer see it;
- the care flags the viewer may see;
- open disputes at the address, or with one of these people or the caller's phone as a
  party, or linked to the incident: kind, risk, the last mediation step, the follow-up date;
- visits at the address or to these people in the last 90 days.

Everything is computed here, masked, into plain values: the templates never touch a raw
phone number. Each opening that shows people writes one personal-view audit row per
person shown, all in one INSERT (`viewing.record_residents_viewed`), so the pack stays
cheap on a board that opens it many times an hour.

`records_context(incident, user)` is registered in `fengqiao.dispatch.selectors.
CONTEXT_PROVIDERS` by the records app's `ready()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core.masking import mask_identifiers_in, mask_phone
from fengqiao.intake.models import Call

from . import dedupe
from .models import CareSubject, House, Resident
from .selectors import care_subjects_for, residents_for, scoped
from .viewing import record_residents_viewed

RECENT_VISIT_DAYS = 90
MAX_RESIDENTS = 12
MAX_DISPUTES = 5
MAX_VISITS = 5
# What the pack shows of a person, as the audit rows list it.
SHOWN = ["name", "id_number_masked", "phone_masked", "age", "relation", "care_flags"]
TEMPLATE = "records/_context_pack.html"


def _url(name: str, pk: int | None) -> str:
    if pk is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _age(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _short(text: str, length: int = 80) -> str:
    text = " ".join(mask_identifiers_in(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def caller_phones(incident: Any) -> list[str]:
    """The phone numbers of the incident's callers, as digits."""
    phones = Call.objects.for_stations([incident.station_id]).filter(incident=incident).exclude(caller_phone="") \
        .values_list("caller_phone", flat=True)
    return sorted({digits for digits in (dedupe.normalise_phone(phone) for phone in phones) if digits})


def _house(incident: Any, user: Any) -> tuple[dict[str, Any] | None, Resident | None]:
    if not incident.address_id or not user.has_perm("records.view_house"):
        return None, None
    house = scoped(House, user).filter(address_id=incident.address_id).select_related("landlord").first()
    if house is None:
        return None, None
    landlord = house.landlord
    if landlord is not None:
        landlord_text = " · ".join(part for part in (landlord.name, mask_phone(landlord.phone)) if part)
    else:
        landlord_text = " · ".join(part for part in (house.landlord_name, mask_phone(house.landlord_phone)) if part)
    return {
        "id": house.pk, "url": _url("records:house_detail", house.pk),
        "use": str(house.get_use_display()), "tenure": str(house.get_tenure_display()),
        "rented": house.tenure == House.Tenure.RENTED, "landlord": landlord_text,
        "landlord_url": _url("records:resident_detail", landlord.pk) if landlord is not None else "",
        "rental_expires_on": house.rental_expires_on,
        "rental_expired": bool(house.rental_expires_on and house.rental_expires_on < timezone.localdate()),
    }, landlord


_RELATION_ORDER = Case(
    *(When(relation=relation, then=Value(index)) for index, relation in enumerate(
        (Resident.Relation.OWNER, Resident.Relation.FAMILY, Resident.Relation.TENANT))),
    default=Value(9), output_field=IntegerField(),
)


def _residents(incident: Any, user: Any, phones: list[str]) -> tuple[list[Resident], int]:
    """Residents now at the address, and the callers on record; (the first ones, how many in all)."""
    if not user.has_perm("records.view_resident"):
        return [], 0
    here = Q(address_id=incident.address_id, moved_out_on__isnull=True) if incident.address_id else Q(pk__in=[])
    callers = Q(phone__in=phones) if phones else Q(pk__in=[])
    if not incident.address_id and not phones:
        return [], 0
    rows = list(
        residents_for(user).filter(station_id=incident.station_id).filter(here | callers)
        .select_related("address")
        .annotate(is_caller=Case(When(callers, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-is_caller", _RELATION_ORDER, "name", "pk")[: MAX_RESIDENTS * 3]
    )
    return rows[:MAX_RESIDENTS], len(rows)


def _care(user: Any, resident_ids: list[int]) -> list[CareSubject]:
    if not resident_ids or not user.has_perm("records.view_caresubject"):
        return []
    return list(care_subjects_for(user).filter(resident_id__in=resident_ids, ended_on__isnull=True)
                .select_related("officer").order_by("review_on"))


def _disputes(incident: Any, user: Any, resident_ids: list[int], phones: list[str]) -> list[Any]:
    if not user.has_perm("community.view_dispute"):
        return []
    from fengqiao.community.models import Dispute, DisputeParty, MediationStep

    concerns = Q(incidents=incident)
    if incident.address_id:
        concerns |= Q(address_id=incident.address_id)
    if resident_ids:
        concerns |= Q(parties__resident_id__in=resident_ids)
    if phones:
        concerns |= Q(parties__phone__in=phones)
    matching = scoped(Dispute, user).filter(station_id=incident.station_id, outcome=Dispute.Outcome.OPEN).filter(concerns)
    risk_order = Case(When(risk=Dispute.Risk.HIGH, then=Value(0)), When(risk=Dispute.Risk.MEDIUM, then=Value(1)),
                      default=Value(2), output_field=IntegerField())
    station = [incident.station_id]
    return list(
        scoped(Dispute, user).filter(pk__in=matching.values("pk"))
        .select_related("officer")
        .prefetch_related(
            Prefetch("parties", queryset=DisputeParty.objects.for_stations(station).select_related("resident")),
            Prefetch("steps", queryset=MediationStep.objects.for_stations(station).select_related("officer").order_by("at")),
        )
        .order_by(risk_order, "follow_up_on", "-opened_at")[:MAX_DISPUTES]
    )


def _visits(incident: Any, user: Any, resident_ids: list[int], now: dt.datetime) -> list[Any]:
    if not user.has_perm("community.view_visit"):
        return []
    from fengqiao.community.models import Visit

    concerns = Q(pk__in=[])
    if incident.address_id:
        concerns |= Q(address_id=incident.address_id)
    if resident_ids:
        concerns |= Q(residents__in=resident_ids)
    recent = scoped(Visit, user).filter(station_id=incident.station_id, visited_at__gte=now - dt.timedelta(days=RECENT_VISIT_DAYS))
    return list(scoped(Visit, user).filter(pk__in=recent.filter(concerns).values("pk")).select_related("officer")
                .order_by("-visited_at")[:MAX_VISITS])


def _dispute_view(dispute: Any, callers: set[int], phones: set[str]) -> dict[str, Any]:
    steps = list(dispute.steps.all())
    last = steps[-1] if steps else None
    parties = []
    for party in dispute.parties.all():
        name = party.resident.name if party.resident_id else party.name
        if name:
            parties.append(name)
    return {
        "id": dispute.pk, "number": dispute.number, "url": _url("community:dispute_detail", dispute.pk),
        "kind": str(dispute.get_kind_display()), "risk": dispute.risk, "risk_label": str(dispute.get_risk_display()),
        "summary": _short(dispute.summary, 60), "opened_on": timezone.localtime(dispute.opened_at).date(),
        "follow_up_on": dispute.follow_up_on,
        "overdue": bool(dispute.follow_up_on and dispute.follow_up_on < timezone.localdate()),
        "parties": parties, "steps": len(steps),
        "last_step": {
            "on": timezone.localtime(last.at).date(), "method": str(last.get_method_display()),
            "by": last.officer.name if last.officer_id else last.mediator, "result": _short(last.result, 60),
        } if last else None,
        "involves_caller": any(party.resident_id in callers or (party.phone and dedupe.normalise_phone(party.phone) in phones)
                               for party in dispute.parties.all()),
    }


def records_context(incident: Any, user: Any = None) -> list[dict[str, Any]]:
    """The records' entry of the context pack of `incident`, as `user` may see it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    phones = caller_phones(incident)
    house, landlord = _house(incident, user)
    people, total = _residents(incident, user, phones)
    ids = [person.pk for person in people]
    flags = _care(user, ids)
    flags_of: dict[int, list[str]] = {}
    for flag in flags:
        flags_of.setdefault(flag.resident_id, []).append(str(flag.get_reason_display()))
    phone_set = set(phones)
    callers = {person.pk for person in people if person.phone in phone_set}
    disputes = _disputes(incident, user, ids, phones)
    visits = _visits(incident, user, ids, now)

    residents = [{
        "id": person.pk, "name": person.name, "url": _url("records:resident_detail", person.pk),
        "id_number": person.id_number_masked, "phone": mask_phone(person.phone),
        "age": _age(person.birth_date, today), "sex": str(person.get_sex_display()) if person.sex else "",
        "relation": str(person.get_relation_display()), "caller": person.pk in callers,
        "elsewhere": person.address_id != incident.address_id,
        "address": person.address.full_text if person.address_id and person.address_id != incident.address_id else "",
        "care": flags_of.get(person.pk, []),
    } for person in people]
    names = {person.pk: person.name for person in people}
    care = [{
        "name": names.get(flag.resident_id, ""), "reason": str(flag.get_reason_display()),
        "officer": flag.officer.name if flag.officer_id else "", "review_on": flag.review_on,
        "notes": _short(flag.notes, 60),
    } for flag in flags]
    dispute_rows = [_dispute_view(dispute, callers, phone_set) for dispute in disputes]
    visit_rows = [{
        "id": visit.pk, "url": _url("community:visit_detail", visit.pk),
        "on": timezone.localtime(visit.visited_at).date(), "officer": visit.officer.name,
        "purpose": str(visit.get_purpose_display()), "findings": _short(visit.findings, 60),
        "follow_up": visit.follow_up_needed,
    } for visit in visits]

    seen = dict(names)
    if landlord is not None:
        seen[landlord.pk] = landlord.name
    for dispute in disputes:
        for party in dispute.parties.all():
            if party.resident_id:
                seen[party.resident_id] = party.resident.name
    if seen:
        record_residents_viewed(seen.items(), user=user, station_id=incident.station_id, fields=SHOWN,
                                reason=f"context pack of incident {incident.number}")

    summary = []
    if house is not None:
        summary.append(f"{house['use']} · {house['tenure']}")
    if residents:
        summary.append(_("%(count)s people on record") % {"count": total})
    if care:
        summary.append(_("%(count)s care flags") % {"count": len(care)})
    if dispute_rows:
        summary.append(_("%(count)s open disputes") % {"count": len(dispute_rows)})
    return [{
        "kind": "records",
        "title": _("People and records of the place"),
        "text": " · ".join(summary) or _("Nothing on record."),
        "template": TEMPLATE,
        "data": {
            "has_address": bool(incident.address_id),
            "address_url": _url("records:address_detail", incident.address_id),
            "house": house, "residents": residents, "more_residents": max(0, total - len(residents)),
            "care": care, "disputes": dispute_rows, "visits": visit_rows, "visit_days": RECENT_VISIT_DAYS,
            "callers_unmatched": len(phones) > 0 and not callers,
        },
    }]
