from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "fengqiao.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from . import models

        for model in (models.Bureau, models.Station, models.Beat, models.Team, models.Officer,
                      models.Department, models.BureauMember):
            register_audited(model)
