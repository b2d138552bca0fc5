from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "fengqiao.records"
    label = "records"
    verbose_name = _("Basic records")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import Address, CareSubject, House, Organisation, Resident

        for model in (Address, House, Organisation, CareSubject):
            register_audited(model, secret=("landlord_phone", "contact_phone"))
        # The identity number is never written to the audit log, not even encrypted.
        register_audited(Resident, exclude=("id_number_cipher", "id_number_hash"), secret=("phone",))

        # The dispatch context pack shows the house, residents, care flags, disputes and visits.
        from fengqiao.dispatch.selectors import CONTEXT_PROVIDERS

        from .context import records_context

        if records_context not in CONTEXT_PROVIDERS:
            CONTEXT_PROVIDERS.append(records_context)
