"""Merging a duplicate resident into the record kept (合并重复人员), keeping history.

`merge_residents(kept, merged, user=, reason=)` does it in one transaction:

1. lock both rows (in id order, so two merges of the same pair cannot deadlock) and
   refuse a merge across stations, into itself, of an already-merged record or of two
   records with different identity numbers (two papers, two people);
2. fill the kept record's empty fields from the merged one — never overwrite;
3. move every reference to the merged resident onto the kept one. The references are
   found through the model's related objects, so a reference added by a later issue is
   moved too without a change here. A care flag whose reason the kept person already has
   open is ended first (one open flag per person and reason), then moved;
4. mark the merged record `merged_into` the kept one and clear its identity-number hash
   (the partial unique constraint allows one current record per number); the record
   itself stays, and its page says "merged into …";
5. write a `ResidentMerge` row with both records as they were, identifiers masked, and
   one audit row `MERGED`.

Rows are changed with `QuerySet.update()`, which sends no save signals: the one audit
row written here says everything that changed, instead of a dozen automatic ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record
from fengqiao.core.masking import mask_identifiers_in, mask_phone

from .models import CareSubject, Resident, ResidentMerge

MERGE_PERMISSION = "records.merge_resident"

# Filled into the kept record when it has none (the identity number goes as a whole).
FILLED_FIELDS = ("phone", "sex", "birth_date", "address", "moved_in_on", "notes")
IDENTITY_FIELDS = ("id_number_cipher", "id_number_hash", "id_number_masked")

# References that are the merge history itself, not uses of the person.
_HISTORY = {("records.residentmerge", "kept"), ("records.residentmerge", "merged")}


class MergeRefused(Exception):
    """The two records cannot be merged; `message` says why, in the user's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class MergeResult:
    merge: ResidentMerge
    filled: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)
    ended_care_flags: list[int] = field(default_factory=list)


def masked_state(resident: Resident) -> dict[str, Any]:
    """A record as it was, fit to keep in the merge history: identifiers masked, and the
    birth year only (with the masked number the full birth date would give the number back)."""
    return {
        "id": resident.pk,
        "name": resident.name,
        "id_number": resident.id_number_masked,
        "sex": resident.sex,
        "birth_year": resident.birth_date.year if resident.birth_date else None,
        "phone": mask_phone(resident.phone),
        "registration": resident.registration,
        "address_id": resident.address_id,
        "address": resident.address.full_text if resident.address_id and resident.address else "",
        "beat_id": resident.beat_id,
        "relation": resident.relation,
        "moved_in_on": resident.moved_in_on.isoformat() if resident.moved_in_on else None,
        "moved_out_on": resident.moved_out_on.isoformat() if resident.moved_out_on else None,
        "notes": mask_identifiers_in(resident.notes)[:500],
        "created_at": resident.created_at.isoformat() if resident.created_at else None,
    }


def refusal(kept: Resident, merged: Resident) -> MergeRefused | None:
    """Why these two cannot be merged, or None. The pages ask before offering the button."""
    if kept.pk == merged.pk:
        return MergeRefused("same_record", _("A record cannot be merged into itself."))
    if kept.station_id != merged.station_id:
        return MergeRefused("other_station", _("The two records belong to different stations."))
    if merged.merged_into_id is not None:
        return MergeRefused("already_merged", _("%(name)s (No. %(id)s) has already been merged.")
                            % {"name": merged.name, "id": merged.pk})
    if kept.merged_into_id is not None:
        return MergeRefused("kept_merged", _("%(name)s (No. %(id)s) has been merged into another record; keep that one instead.")
                            % {"name": kept.name, "id": kept.pk})
    if kept.id_number_hash and merged.id_number_hash and kept.id_number_hash != merged.id_number_hash:
        return MergeRefused("different_id_numbers",
                            _("The two records have different identity numbers: they are two people."))
    return None


def _locked_pair(kept: Resident, merged: Resident) -> tuple[Resident, Resident]:
    if kept.station_id != merged.station_id:
        raise MergeRefused("other_station", _("The two records belong to different stations."))
    rows = {
        resident.pk: resident
        for resident in Resident.objects.for_stations([kept.station_id]).select_for_update(of=("self",))
        .filter(pk__in=[kept.pk, merged.pk]).select_related("address").order_by("pk")
    }
    if kept.pk not in rows or merged.pk not in rows:
        raise Resident.DoesNotExist
    return rows[kept.pk], rows[merged.pk]


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _fill(kept: Resident, merged: Resident) -> dict[str, Any]:
    """The kept record's empty fields that the merged one can fill, as update() arguments."""
    values: dict[str, Any] = {}
    if not kept.id_number_hash and merged.id_number_hash:
        for name in IDENTITY_FIELDS:
            values[name] = getattr(merged, name)
    for name in FILLED_FIELDS:
        attname = Resident._meta.get_field(name).attname
        if _empty(getattr(kept, attname)) and not _empty(getattr(merged, attname)):
            values[attname] = getattr(merged, attname)
    if "address_id" in values:
        values["beat_id"] = merged.beat_id
    return values


def _end_clashing_care_flags(kept: Resident, merged: Resident, today: dt.date) -> list[int]:
    """End the merged person's open flags whose reason the kept person already has open."""
    open_flags = CareSubject.objects.for_stations([kept.station_id]).filter(ended_on__isnull=True)
    kept_reasons = set(open_flags.filter(resident=kept).values_list("reason", flat=True))
    clashing = list(open_flags.filter(resident=merged, reason__in=kept_reasons).values_list("pk", flat=True))
    if clashing:
        CareSubject.objects.for_stations([kept.station_id]).filter(pk__in=clashing).update(ended_on=today)
    return clashing


def _references() -> list[Any]:
    """Every relation that points at a resident, except the merge history's own."""
    found = []
    for relation in Resident._meta.related_objects:
        label = relation.related_model._meta.label_lower
        if (label, relation.field.name) in _HISTORY:
            continue
        found.append(relation)
    return found


def _move_references(kept: Resident, merged: Resident) -> dict[str, int]:
    """Point every reference to `merged` at `kept`; the count moved per relation."""
    moved: dict[str, int] = {}
    for relation in _references():
        model: type[models.Model] = relation.related_model
        key = f"{model._meta.label_lower}.{relation.field.name}"
        if relation.many_to_many:
            count = _move_many_to_many(relation, kept, merged)
        elif relation.one_to_one:
            if model._base_manager.filter(**{relation.field.name: kept}).exists() and \
                    model._base_manager.filter(**{relation.field.name: merged}).exists():
                raise MergeRefused("one_to_one", _("Both records have a %(what)s; resolve that first.")
                                   % {"what": model._meta.verbose_name})
            count = model._base_manager.filter(**{relation.field.name: merged}).update(**{relation.field.name: kept})
        else:
            # The plain base manager: the rows are reached through the merged resident,
            # who is of the station already checked, so no station scope is needed here.
            count = model._base_manager.filter(**{relation.field.name: merged}).update(**{relation.field.name: kept})
        if count:
            moved[key] = count
    return moved


def _move_many_to_many(relation: Any, kept: Resident, merged: Resident) -> int:
    """Move the rows of a many-to-many table; where the other side already has `kept`,
    drop the merged person's row instead of making a second one."""
    through = relation.through
    m2m_field = relation.field
    own = m2m_field.m2m_field_name()            # e.g. "visit"
    person = m2m_field.m2m_reverse_field_name()  # e.g. "resident"
    rows = through._base_manager.filter(**{person: merged})
    already = set(through._base_manager.filter(**{person: kept}).values_list(f"{own}_id", flat=True))
    count = 0
    if already:
        count += rows.filter(**{f"{own}_id__in": already}).delete()[0]
    count += rows.update(**{person: kept})
    return count


def _field_names(values: dict[str, Any]) -> list[str]:
    """The fields filled, as a person would name them (the identity number once, no beat)."""
    names = set()
    for attname in values:
        if attname in IDENTITY_FIELDS:
            names.add("id_number")
        elif attname != "beat_id":
            names.add(attname.removesuffix("_id"))
    return sorted(names)


def merge_residents(kept: Resident, merged: Resident, *, user: Any, reason: str) -> MergeResult:
    """Merge the duplicate `merged` into `kept`. MergeRefused says why it cannot be done."""
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise MergeRefused("reason", _("Say why these are the same person."))
    if not user.has_perm(MERGE_PERMISSION):
        raise MergeRefused("permission", _("Your role may not merge records."))
    with transaction.atomic():
        kept, merged = _locked_pair(kept, merged)
        refused = refusal(kept, merged)
        if refused is not None:
            raise refused
        before = {"kept": masked_state(kept), "merged": masked_state(merged)}
        now = timezone.now()
        today = timezone.localdate(now)
        station_residents = Resident.objects.for_stations([kept.station_id])

        # The duplicate gives up its identity-number hash first, so the kept record may take it.
        station_residents.filter(pk=merged.pk).update(merged_into=kept, id_number_hash="", updated_at=now)
        filled = _fill(kept, merged)
        if filled:
            station_residents.filter(pk=kept.pk).update(**filled, updated_at=now)
        ended = _end_clashing_care_flags(kept, merged, today)
        moved = _move_references(kept, merged)

        merge = ResidentMerge.objects.create(station_id=kept.station_id, kept=kept, merged=merged, merged_by=user,
                                             reason=reason[:200], before=before)
        filled_names = _field_names(filled)
        record(AuditEntry.Action.MERGED, obj=kept, user=user, reason=reason, changes={
            "kept": kept.pk, "merged": merged.pk, "merge": merge.pk,
            "filled": filled_names, "moved": moved, "ended_care_flags": ended,
        })
    for name, value in filled.items():
        setattr(kept, name, value)
    merged.merged_into = kept
    merged.id_number_hash = ""
    return MergeResult(merge=merge, filled=filled_names, moved=moved, ended_care_flags=ended)
