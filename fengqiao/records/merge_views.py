"""The duplicate pages (重复人员), at /records/duplicates/: likely pairs, a side-by-side
comparison with the merge button, and the merges done.

Only leaders and desk officers (`records.merge_resident`) see them; a resident of another
station answers 404. Every page that shows people writes one personal-view audit row per
person shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.masking import mask_identifiers_in, mask_phone
from fengqiao.intake.views import station_of
from fengqiao.organisation.models import Beat

from . import dedupe, duplicates, merge
from .models import Resident, ResidentMerge
from .viewing import record_residents_viewed

PAGE_SIZE = 50
PERMISSION = merge.MERGE_PERMISSION
# What the pages show of a person, as their audit rows list it.
SHOWN = ["name", "id_number_masked", "sex", "age", "phone_masked", "address", "beat"]


def age_of(birth_date: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth_date is None:
        return None
    today = today or timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def resident_url(pk: int) -> str:
    """The resident's page, once the records pages are there."""
    try:
        return reverse("records:resident_detail", args=[pk])
    except NoReverseMatch:
        return ""


def years_text(age: int | None) -> str:
    if age is None:
        return ""
    return ngettext("%(years)s year", "%(years)s years", age) % {"years": age}


def _card(resident: Resident) -> dict[str, Any]:
    """What the pages show of one resident: masked, and the age rather than the birth date
    (the masked number with the birth date would give the whole number back)."""
    age = age_of(resident.birth_date)
    sex = str(resident.get_sex_display()) if resident.sex else ""
    beat = resident.beat.name if resident.beat_id else ""
    return {
        "meta": " · ".join(part for part in (sex, years_text(age), beat) if part),
        "id": resident.pk, "name": resident.name, "url": resident_url(resident.pk),
        "id_number": resident.id_number_masked, "sex": sex, "age": age, "phone": mask_phone(resident.phone),
        "registration": resident.get_registration_display(), "relation": resident.get_relation_display(),
        "address": resident.address.full_text if resident.address_id else "",
        "beat": beat,
        "moved_in_on": resident.moved_in_on, "moved_out_on": resident.moved_out_on,
        "notes": mask_identifiers_in(resident.notes), "merged_into": resident.merged_into_id,
        "created_at": resident.created_at,
    }


def _residents(station_id: int) -> Any:
    return Resident.objects.for_stations([station_id]).select_related("address", "beat")


# -- the list ------------------------------------------------------------------------------------


@login_required
@permission_required(PERMISSION, raise_exception=True)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    beats = list(Beat.objects.for_stations([station.pk]).order_by("code"))
    beat_id = _int(request.GET.get("beat"))
    found = duplicates.station_candidates(station.pk)
    candidates = found.candidates
    if beat_id is not None:
        candidates = [c for c in candidates if beat_id in (found.beats.get(c.first), found.beats.get(c.second))]
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {c.first for c in page} | {c.second for c in page}
    people = {resident.pk: resident for resident in _residents(station.pk).filter(pk__in=ids, merged_into__isnull=True)}
    pairs = []
    for candidate in page:
        first, second = people.get(candidate.first), people.get(candidate.second)
        if first is None or second is None:  # merged since the list was worked out
            continue
        pairs.append({
            "score": candidate.score, "first": _card(first), "second": _card(second),
            "reasons": [duplicates.reason_text(code) for code in candidate.reasons],
            "doubts": [duplicates.doubt_text(code) for code in candidate.doubts],
            "compare_url": reverse("records_merge:compare", args=[candidate.first, candidate.second]),
        })
    record_residents_viewed(((pk, person.name) for pk, person in people.items()), user=request.user,
                            station_id=station.pk, fields=SHOWN, reason="duplicate list")
    query = "&".join(part for part in (f"station={station.code}", f"beat={beat_id}" if beat_id else "") if part)
    return render(request, "records/merge_list.html", {
        "station": station, "beats": beats, "beat_id": beat_id, "page": page, "pairs": pairs,
        "total": len(candidates), "query": query,
    })


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- comparing two and merging ---------------------------------------------------------------------


def reference_counts(resident: Resident) -> list[tuple[str, int]]:
    """(what, how many) of every kind of record that points at the resident."""
    counts = []
    for relation in merge._references():
        model = relation.related_model
        if relation.many_to_many:
            count = relation.through._base_manager.filter(**{relation.field.m2m_reverse_field_name(): resident}).count()
        else:
            count = model._base_manager.filter(**{relation.field.name: resident}).count()
        if count:
            label = _("merged duplicates") if relation.name == "merged_from" else str(model._meta.verbose_name_plural)
            counts.append((label, count))
    return counts


def _suggested_kept(first: Resident, second: Resident, counts: dict[int, int]) -> int:
    """Keep the record with an identity number, else the one more records point at, else the older."""
    for a, b in ((first, second), (second, first)):
        if a.id_number_hash and not b.id_number_hash:
            return a.pk
    if counts[first.pk] != counts[second.pk]:
        return first.pk if counts[first.pk] > counts[second.pk] else second.pk
    return min(first.pk, second.pk)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def compare(request: HttpRequest, first: int, second: int) -> HttpResponse:
    queryset = Resident.objects.select_related("address", "beat", "merged_into", "station")
    one = get_for_user_or_404(queryset, request.user, pk=first)
    two = get_for_user_or_404(queryset, request.user, pk=second)
    error = ""
    status = 200
    reason = ""
    kept_id: int | None = None
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        kept_id = _int(request.POST.get("kept"))
        if kept_id not in (one.pk, two.pk):
            error, status = _("Choose the record to keep."), 422
        else:
            kept, merged = (one, two) if kept_id == one.pk else (two, one)
            try:
                result = merge.merge_residents(kept, merged, user=request.user, reason=reason)
            except merge.MergeRefused as refused:
                error = refused.message
                status = 422 if refused.code == "reason" else 409
            else:
                messages.success(request, _("%(merged)s (No. %(merged_id)s) was merged into %(kept)s (No. %(kept_id)s).")
                                 % {"merged": merged.name, "merged_id": merged.pk, "kept": kept.name, "kept_id": kept.pk})
                return redirect(reverse("records_merge:history") + f"#merge-{result.merge.pk}")
    return _compare_page(request, one, two, error=error, reason=reason, kept_id=kept_id, status=status)


def _compare_page(request: HttpRequest, one: Resident, two: Resident, *, error: str, reason: str,
                  kept_id: int | None, status: int) -> HttpResponse:
    candidate = dedupe.match(duplicates.person_of(one), duplicates.person_of(two), min_score=0)
    refused = merge.refusal(one, two) or merge.refusal(two, one)
    counts = {one.pk: reference_counts(one), two.pk: reference_counts(two)}
    totals = {pk: sum(count for _label, count in rows) for pk, rows in counts.items()}
    record_residents_viewed([(one.pk, one.name), (two.pk, two.name)], user=request.user, station_id=one.station_id,
                            fields=SHOWN + ["registration", "relation", "moved_in_on", "moved_out_on", "notes"],
                            reason="comparing duplicates")
    sides = []
    cards = [_card(one), _card(two)]
    facts = _facts(cards)
    for index, resident in enumerate((one, two)):
        card = cards[index]
        card["facts"] = [(label, values[index], differs, mono) for label, values, differs, mono in facts]
        card["references"] = counts[resident.pk]
        card["merged_into_url"] = resident_url(resident.merged_into_id) if resident.merged_into_id else ""
        card["merged_into_name"] = resident.merged_into.name if resident.merged_into_id else ""
        sides.append(card)
    return render(request, "records/merge_compare.html", {
        "station": one.station, "sides": sides, "any_differs": any(differs for _label, _values, differs, _mono in facts),
        "score": candidate.score if candidate else None,
        "reasons": [duplicates.reason_text(code) for code in candidate.reasons] if candidate else [],
        "doubts": [duplicates.doubt_text(code) for code in candidate.doubts] if candidate else [],
        "refused": refused.message if refused else "",
        "kept_id": kept_id or _suggested_kept(one, two, totals),
        "reason": reason, "error": error,
        "filled_fields": _fillable(one, two),
    }, status=status)


def _facts(cards: list[dict[str, Any]]) -> list[tuple[str, list[str], bool, bool]]:
    """(label, [value of each], do they differ, numbers?) for the comparison; values already masked.
    Two values differ when both are given and not the same: an empty one is filled, not a clash."""
    def text(card: dict[str, Any], key: str) -> str:
        value = card.get(key)
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    rows = []
    for key, label, mono in (
        ("id_number", _("Identity number"), True), ("sex", _("Sex"), False), ("age", _("Age"), False),
        ("phone", _("Phone"), True), ("registration", _("Registered or migrant"), False),
        ("address", _("Address"), False), ("beat", _("Beat"), False), ("relation", _("Relation"), False),
        ("moved_in_on", _("Moved in"), False), ("moved_out_on", _("Moved out"), False), ("notes", _("Notes"), False),
    ):
        values = [text(card, key) for card in cards]
        differs = all(values) and values[0] != values[1]
        rows.append((label, [value or "—" for value in values], differs, mono))
    return rows


def _fillable(one: Resident, two: Resident) -> dict[int, list[str]]:
    """For each record if kept: the fields the other would fill, by their labels."""
    labels = {name: str(Resident._meta.get_field(name).verbose_name) for name in merge.FILLED_FIELDS}
    labels["id_number"] = str(Resident._meta.get_field("id_number_masked").verbose_name)
    result = {}
    for kept, merged in ((one, two), (two, one)):
        names = merge._field_names(merge._fill(kept, merged))
        result[kept.pk] = [labels.get(name, name) for name in names]
    return result


# -- the history ---------------------------------------------------------------------------------


@login_required
@permission_required(PERMISSION, raise_exception=True)
def history(request: HttpRequest) -> HttpResponse:
    station = station_of(request)
    merges = (ResidentMerge.objects.for_stations([station.pk]).select_related("kept", "merged", "merged_by")
              .order_by("-merged_at", "-pk"))
    page = Paginator(merges, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    shown: dict[int, str] = {}
    for item in page:
        before = item.before if isinstance(item.before, dict) else {}
        rows.append({
            "id": item.pk, "at": item.merged_at, "sides": None, "by": getattr(item.merged_by, "display_name", "") or item.merged_by.get_username(),
            "reason": item.reason,
            "kept": {"id": item.kept_id, "name": item.kept.name, "url": resident_url(item.kept_id),
                     "before": before.get("kept", {})},
            "merged": {"id": item.merged_id, "name": item.merged.name, "url": resident_url(item.merged_id),
                       "before": before.get("merged", {})},
        })
        rows[-1]["sides"] = [rows[-1]["kept"], rows[-1]["merged"]]
        shown[item.kept_id] = item.kept.name
        shown[item.merged_id] = item.merged.name
    record_residents_viewed(shown.items(), user=request.user, station_id=station.pk,
                            fields=["name", "id_number_masked", "phone_masked", "address"], reason="merge history")
    return render(request, "records/merge_history.html", {
        "station": station, "page": page, "rows": rows, "query": f"station={station.code}",
    })

