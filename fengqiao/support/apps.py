from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "fengqiao.support"
    label = "support"
    verbose_name = _("Support requests")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import SupportRequest, Unit, UnitMember

        for model in (SupportRequest, Unit, UnitMember):
            register_audited(model)
