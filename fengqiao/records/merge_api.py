"""Duplicate residents over the API: the likely pairs, and merging one record into another.

`GET /residents/duplicates` lists the station's likely pairs, best first, masked like
everything else (an age, never the birth date). `POST /residents/{id}/merge-into/{kept_id}`
with `{"reason": ...}` merges resident `id` into `kept_id`. Both need the permission to
merge (leaders and desk officers: 403 otherwise); a resident of another station is 404;
a merge that cannot be done (already merged, into itself, different identity numbers)
is 409 with the reason, a missing reason 422.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_phone
from fengqiao.intake.api import require, station_for

from . import duplicates, merge
from .merge_views import PAGE_SIZE, SHOWN, age_of
from .models import Resident
from .viewing import record_residents_viewed

router = Router(tags=["records"])


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    sex: str
    age: int | None = Field(None, description="whole years; the birth date is not given out (it is what the mask hides)")
    phone_masked: str
    address_id: int | None
    address: str
    beat_id: int | None


class CodeText(Schema):
    code: str
    text: str


class PairOut(Schema):
    score: int = Field(..., description="0–100: how likely the two are one person")
    reasons: list[CodeText]
    doubts: list[CodeText] = Field(default_factory=list, description="evidence against the pair")
    first: PersonOut
    second: PersonOut
    compare_url: str


class PairPage(Schema):
    items: list[PairOut]
    count: int
    page: int
    pages: int


class DuplicateQuery(Schema):
    station: str = Field("", max_length=20, description="station code; default: yours")
    beat: int | None = Field(None, description="only pairs with a resident of this beat")
    page: int = Field(1, ge=1, le=100_000)


def _person(resident: Resident) -> dict[str, Any]:
    return {
        "id": resident.pk, "name": resident.name, "id_number_masked": resident.id_number_masked,
        "sex": resident.sex, "age": age_of(resident.birth_date), "phone_masked": mask_phone(resident.phone),
        "address_id": resident.address_id, "address": resident.address.full_text if resident.address_id else "",
        "beat_id": resident.beat_id,
    }


@router.get("/residents/duplicates", response=PairPage, summary="Likely duplicate residents, best first (masked)")
def list_duplicates(request: HttpRequest, filters: Query[DuplicateQuery]) -> dict[str, Any]:
    require(request, merge.MERGE_PERMISSION)
    station = station_for(request, filters.station)
    found = duplicates.station_candidates(station.pk)
    candidates = found.candidates
    if filters.beat is not None:
        candidates = [c for c in candidates if filters.beat in (found.beats.get(c.first), found.beats.get(c.second))]
    page = Paginator(candidates, PAGE_SIZE).get_page(filters.page)
    ids = {c.first for c in page} | {c.second for c in page}
    people = {resident.pk: resident for resident in Resident.objects.for_stations([station.pk])
              .filter(pk__in=ids, merged_into__isnull=True).select_related("address")}
    items = []
    for candidate in page:
        first, second = people.get(candidate.first), people.get(candidate.second)
        if first is None or second is None:
            continue
        items.append({
            "score": candidate.score,
            "reasons": [{"code": code, "text": duplicates.reason_text(code)} for code in candidate.reasons],
            "doubts": [{"code": code, "text": duplicates.doubt_text(code)} for code in candidate.doubts],
            "first": _person(first), "second": _person(second),
            "compare_url": reverse("records_merge:compare", args=[candidate.first, candidate.second]),
        })
    record_residents_viewed(((pk, person.name) for pk, person in people.items()), user=request.user,
                            station_id=station.pk, fields=SHOWN, reason="duplicate list (API)")
    return {"items": items, "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages}


class MergeIn(Schema):
    reason: str = Field(..., min_length=2, max_length=200, description="why the two are one person")


class MergeOut(Schema):
    merge_id: int
    kept_id: int
    merged_id: int
    filled: list[str] = Field(..., description="fields of the kept record filled from the merged one")
    moved: dict[str, int] = Field(..., description="references moved to the kept record, per relation")
    ended_care_flags: list[int] = Field(..., description="care flags ended because the kept person had the same one open")


@router.post("/residents/{int:resident_id}/merge-into/{int:kept_id}", response=MergeOut,
             summary="Merge a duplicate resident into the record kept")
def merge_into(request: HttpRequest, resident_id: int, kept_id: int, payload: MergeIn) -> dict[str, Any]:
    require(request, merge.MERGE_PERMISSION)
    rows = Resident.objects.select_related("address")
    merged = get_for_user_or_404(rows, request.user, pk=resident_id)
    kept = get_for_user_or_404(rows, request.user, pk=kept_id)
    try:
        result = merge.merge_residents(kept, merged, user=request.user, reason=payload.reason)
    except merge.MergeRefused as refused:
        raise HttpError(422 if refused.code == "reason" else 409, refused.message) from None
    return {
        "merge_id": result.merge.pk, "kept_id": kept.pk, "merged_id": merged.pk, "filled": result.filled,
        "moved": result.moved, "ended_care_flags": result.ended_care_flags,
    }
