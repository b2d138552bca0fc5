"""The REST API under /api/v1/, with its OpenAPI schema and docs served from this machine."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer, django_auth

from fengqiao.accounts.services import user_for_token
from fengqiao.audit.context import set_acting_user


class BearerToken(HttpBearer):
    """`Authorization: Bearer fq_…` with a token from `fengqiao token create`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        set_acting_user(user)
        return user


api = NinjaAPI(
    title="Fengqiao API",
    version="1",
    description="The working system of a grassroots police station. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `fengqiao token create USERNAME`) or a logged-in session.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _field_of(location: Any) -> str:
    """`["body", "payload", "lat"]` → `lat`; the request part alone when there is no field."""
    parts = [str(part) for part in location if part not in ("body", "payload", "query", "filters", "header", "path")]
    return ".".join(parts) or (str(location[0]) if location else "body")


@api.exception_handler(SchemaError)
def field_errors(request: HttpRequest, exc: SchemaError) -> Any:
    """422 whose `detail` names each bad field first (`lat: …`), and `errors` field by field."""
    errors = []
    for error in exc.errors:
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        errors.append({"field": _field_of(error.get("loc", ())), "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


class HealthOut(Schema):
    status: str
    database: str
    detail: str | None = None


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request: HttpRequest) -> Status[dict[str, Any]]:
    """200 when the database answers; 503 with the reason when it does not."""
    vendor = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, OSError) as exc:
        return Status(503, {"status": "unavailable", "database": vendor, "detail": f"database unreachable: {exc}"})
    return Status(200, {"status": "ok", "database": vendor})


from fengqiao.analysis import api_repeats as analysis_repeats_api  # noqa: E402
from fengqiao.analysis import api_reports as analysis_reports_api  # noqa: E402
from fengqiao.analysis import api_stats as analysis_stats_api  # noqa: E402
from fengqiao.campaigns import api as campaigns_api  # noqa: E402
from fengqiao.cases import api as cases_api  # noqa: E402
from fengqiao.community import api as community_api  # noqa: E402
from fengqiao.dispatch import api as dispatch_api  # noqa: E402
from fengqiao.intake import api as intake_api  # noqa: E402
from fengqiao.organisation import api as organisation_api  # noqa: E402
from fengqiao.records import api as records_api  # noqa: E402
from fengqiao.records import import_api as records_import_api  # noqa: E402
from fengqiao.records import merge_api as records_merge_api  # noqa: E402
from fengqiao.support import api as support_api  # noqa: E402
from fengqiao.transfers import api as transfers_api  # noqa: E402

api.add_router("/", organisation_api.router)
api.add_router("/", intake_api.router)
api.add_router("/", dispatch_api.router)
api.add_router("/", records_api.router)
api.add_router("/", records_import_api.router)
api.add_router("/", records_merge_api.router)
api.add_router("/", community_api.router)
api.add_router("/", cases_api.router)
api.add_router("/", support_api.router)
api.add_router("/", transfers_api.router)
api.add_router("/", campaigns_api.router)
api.add_router("/", analysis_repeats_api.router)
api.add_router("/", analysis_reports_api.router)
api.add_router("/", analysis_stats_api.router)
