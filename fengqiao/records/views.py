"""The basic-records pages (一标三实): the overview, the address hub, and what the list and
record pages of residents, houses, organisations and care flags share.

The pages of each kind live in `views_residents`, `views_houses`, `views_organisations`
and `views_care`. All of them read through `selectors` (the station, an auxiliary's
beat, the care registry's narrower circle), write through `services`, and show
identity and phone numbers masked; a person's page writes a personal-view audit row
each time it is opened, and a clear number is shown only by the reveal view, with a
reason, after its audit row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from fengqiao.audit.models import AuditEntry
from fengqiao.audit.services import record, record_personal_view
from fengqiao.core.access import get_for_user_or_404
from fengqiao.core.exporting import export_response
from fengqiao.organisation.models import Beat, Station
from fengqiao.organisation.selectors import beats_of, stations_for

from . import crypto, filters, selectors
from .models import Address, CareSubject, House, Organisation, Resident

# -- shared by the pages of every kind -----------------------------------------------------------


def station_of(request: HttpRequest) -> Station:
    """The station the page works for: the user's own, or the one chosen (?station=CODE) among theirs."""
    stations = list(stations_for(request.user))
    if not stations:
        raise PermissionDenied
    chosen = request.GET.get("station") or request.POST.get("station")
    return next((s for s in stations if s.code == chosen), stations[0])


def beats_for(user: Any, station: Station) -> list[Beat]:
    """The beats a filter offers: the station's, or an auxiliary's one beat."""
    beats = beats_of(user, station).order_by("code")
    limit = selectors.work_beat_id(user)
    if limit is not None:
        beats = beats.filter(pk=limit)
    return list(beats)


def address_asked_for(request: HttpRequest, station: Station) -> Address | None:
    """The standard address a "new …" link passed as `?address=<id>`, if the user may see it."""
    address_id = request.GET.get("address", "")
    if not address_id.isdigit():
        return None
    return selectors.addresses_for(request.user).filter(station=station, pk=int(address_id)).first()


def record_or_404(queryset: QuerySet[Any], user: Any, pk: int, *, visible: QuerySet[Any] | None = None) -> Any:
    """The record among the user's stations and, for an auxiliary, their beat; else 404.

    Another station's record is refused (and audited) by `get_for_user_or_404`; a record
    of the station outside the user's circle (an auxiliary's beat, the care registry's
    beat) is refused the same way, so neither learns it exists.
    """
    found = get_for_user_or_404(queryset, user, pk=pk)
    if visible is not None:
        inside = visible.filter(pk=found.pk).exists()
    else:
        limit = selectors.work_beat_id(user)
        inside = limit is None or getattr(found, "beat_id", None) == limit
    if not inside:
        record(AuditEntry.Action.ACCESS_REFUSED, obj=found, user=user, outcome=AuditEntry.Outcome.REFUSED,
               reason="record outside the user's beat")
        raise Http404("No such record.")
    return found


def query_without_page(request: HttpRequest, *, drop_q: bool = False) -> str:
    query = request.GET.copy()
    for name in ("page", "format", *(("q",) if drop_q else ())):
        query.pop(name, None)
    return query.urlencode()


def sensitive_query(raw: str) -> str:
    """The masked form of a query that is a whole identity or mobile number, else "".

    Such a query is not written back into the page (search box, page and export links):
    the page says what was searched for, masked, and offers no further pages of it.
    """
    query = selectors.read_query(raw)
    if query.kind == "id_number" or (query.kind == "phone" and len(query.text) >= 11):
        return query.for_the_log
    return ""


def seal_number_query(request: HttpRequest) -> HttpResponse | None:
    """A redirect that swaps a query that is a whole identity or mobile number (`?q=`) for
    its encrypted form (`?qx=`), so that the page, its links and the browser's history never
    hold the number in the clear; None for any other request."""
    raw = request.GET.get("q", "")
    if not raw or not sensitive_query(raw):
        return None
    query = request.GET.copy()
    query.pop("q")
    query.pop("page", None)
    query["qx"] = crypto.encrypt(selectors.read_query(raw).text)
    return redirect(f"{request.path}?{query.urlencode()}")


def unsealed(request: HttpRequest) -> QueryDict | None:
    """The request's GET parameters with an encrypted query (`qx`) read back into `q`."""
    if not request.GET:
        return None
    data = request.GET.copy()
    sealed = data.pop("qx", [""])[0]
    if sealed:
        try:
            data["q"] = crypto.decrypt(sealed)
        except Exception:  # noqa: BLE001 - a stale or forged token searches for nothing
            data["q"] = ""
    return data


def list_context(request: HttpRequest, form: Any, q: str) -> dict[str, Any]:
    """What every list page's filters, pager and export links need, with a number query kept out."""
    masked = sensitive_query(q)
    if masked:
        data = form.data.copy()
        data["q"] = ""
        form.data = data
    return {"form": form, "masked_query": masked, "query": query_without_page(request, drop_q=bool(masked))}


def export_or_none(
    request: HttpRequest, *, what: str, filename: str, rows: QuerySet[Any],
    table: Callable[[Any], tuple[Sequence[str], list[list[Any]]]], logged: dict[str, Any],
) -> HttpResponse | None:
    """The list as CSV or XLSX when `?format=` asks for it (same filters, masked values, audited)."""
    fmt = request.GET.get("format", "")
    if fmt not in ("csv", "xlsx"):
        return None
    headers, body = table(rows)
    return export_response(user=request.user, what=what, headers=headers, rows=body, fmt=fmt,
                           filename=filename, filters=logged)


def show_flags(items: list[Any], flags: dict[int, list[CareSubject]], *, key: Callable[[Any], int]) -> None:
    for item in items:
        item.visible_flags = flags.get(key(item), [])


# -- the overview ------------------------------------------------------------------------------------


def _by_beat(rows: QuerySet[Any], **counts: Any) -> dict[int | None, dict[str, int]]:
    """{beat id: {name: count}} in one grouped query."""
    found: dict[int | None, dict[str, int]] = {}
    for row in rows.order_by().values("beat_id").annotate(**counts):
        beat_id = row.pop("beat_id")
        found[beat_id] = row
    return found


def _total(grouped: dict[int | None, dict[str, int]], name: str) -> int:
    return sum(counts.get(name, 0) for counts in grouped.values())


@login_required
@permission_required("records.view_resident", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The station's (or the auxiliary's beat's) records at a glance, by beat, with the search box."""
    user = request.user
    station = station_of(request)
    today = filters.today()
    residents = _by_beat(
        selectors.residents_for(user).filter(station=station, moved_out_on__isnull=True),
        residents=Count("id"), migrants=Count("id", filter=Q(registration=Resident.Registration.MIGRANT)),
    )
    houses = _by_beat(
        selectors.houses_for(user).filter(station=station),
        houses=Count("id"), rented=Count("id", filter=Q(tenure=House.Tenure.RENTED)),
        expired=Count("id", filter=Q(rental_expires_on__lt=today)),
    )
    organisations = _by_beat(
        selectors.organisations_for(user).filter(station=station, closed_on__isnull=True),
        organisations=Count("id"), key_places=Count("id", filter=Q(key_place=True)),
    )
    may_see_care = user.has_perm("records.view_caresubject")
    care = _by_beat(
        selectors.care_subjects_for(user).filter(station=station, ended_on__isnull=True),
        care=Count("id"), care_due=Count("id", filter=Q(review_on__lte=today)),
    ) if may_see_care else {}
    beats = beats_for(user, station)
    rows = []
    for beat in [*beats, None]:
        key = beat.pk if beat is not None else None
        row = {"beat": beat, **residents.get(key, {}), **houses.get(key, {}), **organisations.get(key, {}),
               **care.get(key, {})}
        if beat is None and len(row) == 1:
            continue  # nothing without a beat: no row for it
        rows.append(row)
    totals = {name: _total(group, name) for group, names in (
        (residents, ("residents", "migrants")), (houses, ("houses", "rented", "expired")),
        (organisations, ("organisations", "key_places")), (care, ("care", "care_due")),
    ) for name in names}
    return render(request, "records/home.html", {
        "station": station, "stations": list(stations_for(user)), "rows": rows, "totals": totals,
        "may_see_care": may_see_care, "own_beat_id": selectors.own_beat_id(user),
        "limited_to_beat": selectors.work_beat_id(user) is not None,
    })


# -- the address hub -------------------------------------------------------------------------------


def community_at(user: Any, address: Address, *, house: House | None = None,
                 organisation: Organisation | None = None, limit: int = 10) -> dict[str, Any]:
    """Recent visits and open disputes at the address (read-only; the community app owns them)."""
    from fengqiao.community.models import Dispute, Visit

    found: dict[str, Any] = {"visits": [], "disputes": []}
    if user.has_perm("community.view_visit"):
        visits = selectors.scoped(Visit, user).filter(address=address)
        if organisation is not None:
            visits = visits.filter(organisation=organisation)
        found["visits"] = list(visits.select_related("officer").order_by("-visited_at")[:limit])
    if user.has_perm("community.view_dispute") and organisation is None:
        found["disputes"] = list(
            selectors.scoped(Dispute, user).filter(address=address, outcome=Dispute.Outcome.OPEN)
            .order_by("-opened_at")[:limit]
        )
    return found


def incidents_at(user: Any, address: Address, *, limit: int = 20) -> list[Any]:
    if not user.has_perm("intake.view_incident"):
        return []
    from fengqiao.intake.forms import category_label
    from fengqiao.intake.models import Incident

    incidents = list(
        Incident.objects.for_user(user).filter(address=address).select_related("category")
        .order_by("-received_at")[:limit]
    )
    for incident in incidents:
        incident.category_name = category_label(incident.category)
    return incidents


def people_at(user: Any, address: Address) -> tuple[list[Resident], list[Resident]]:
    """(current, moved out) residents at the address, each with the care flags the user may see."""
    everyone = list(selectors.residents_for(user).filter(address=address).select_related("beat")
                    .order_by("moved_out_on", "relation", "name", "pk"))
    flags = selectors.open_care_flags(user, [person.pk for person in everyone])
    for person in everyone:
        person.visible_flags = flags.get(person.pk, [])
        person.age = filters.age_of(person.birth_date)
    current = [person for person in everyone if person.moved_out_on is None]
    moved_out = [person for person in everyone if person.moved_out_on is not None]
    return current, moved_out


@login_required
@permission_required("records.view_address", raise_exception=True)
def address_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One standard address and everything on record there: the hub the other pages link to."""
    user = request.user
    address = record_or_404(Address.objects.select_related("beat", "station"), user, pk)
    house = selectors.houses_for(user).filter(address=address).select_related("landlord").first()
    current, moved_out = people_at(user, address)
    if current or moved_out:
        record_personal_view(address, fields=["residents"], user=user)
    organisations = list(selectors.organisations_for(user).filter(address=address).order_by("name"))
    return render(request, "records/address_detail.html", {
        "station": address.station, "address": address, "house": house, "residents": current,
        "moved_out": moved_out, "organisations": organisations, "incidents": incidents_at(user, address),
        **community_at(user, address),
    })


@login_required
@permission_required("records.view_address", raise_exception=True)
@require_GET
def address_options(request: HttpRequest) -> HttpResponse:
    """Standard addresses matching what was typed, as <option>s for a form's address list."""
    from fengqiao.intake.services import station_address_index

    station = station_of(request)
    query = (request.GET.get("address_text") or request.GET.get("q") or "").strip()
    candidates = station_address_index(station.pk).match(query, limit=8) if len(query) >= 2 else []
    return render(request, "records/_address_options.html", {"candidates": candidates})
