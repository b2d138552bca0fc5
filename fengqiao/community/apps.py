from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "fengqiao.community"
    label = "community"
    verbose_name = _("Community work")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import Dispute, MediationStep, Visit, VolunteerTeam

        for model in (Dispute, MediationStep, Visit, VolunteerTeam):
            register_audited(model)
