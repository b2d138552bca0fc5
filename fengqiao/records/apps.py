from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "fengqiao.records"
    label = "records"
    verbose_name = _("Basic records")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import Address

        register_audited(Address)
