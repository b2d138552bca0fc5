from django.contrib import admin
from django.urls import include, path

from fengqiao.api import api

admin.site.site_header = admin.site.site_title = "枫桥 Fengqiao"

urlpatterns = [
    path("", include("fengqiao.core.urls")),
    path("accounts/", include("fengqiao.accounts.urls")),
    path("audit/", include("fengqiao.audit.urls")),
    path("intake/import/", include("fengqiao.intake.import_urls")),
    path("intake/", include("fengqiao.intake.urls")),
    path("incidents/", include("fengqiao.intake.incident_urls")),
    path("board/", include("fengqiao.dispatch.urls")),
    path("m/", include("fengqiao.dispatch.phone_urls")),
    path("records/import/", include("fengqiao.records.import_urls")),
    path("records/duplicates/", include("fengqiao.records.merge_urls")),
    path("records/", include("fengqiao.records.urls")),
    path("community/", include("fengqiao.community.urls")),
    path("cases/", include("fengqiao.cases.urls")),
    path("transfers/", include("fengqiao.transfers.urls")),
    path("portal/", include("fengqiao.transfers.portal_urls")),
    path("support/", include("fengqiao.support.urls")),
    path("unit/", include("fengqiao.support.unit_urls")),
    path("campaigns/", include("fengqiao.campaigns.urls")),
    path("m/campaigns/", include("fengqiao.campaigns.phone_urls")),
    path("analysis/", include("fengqiao.analysis.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
