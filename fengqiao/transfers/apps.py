from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "fengqiao.transfers"
    label = "transfers"
    verbose_name = _("Transfers to departments")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited
        from fengqiao.dispatch.services import register_loop_deadlines

        from .deadlines import transfer_deadlines
        from .models import (
            DepartmentEndpoint,
            DepartmentMember,
            RoutingRule,
            Transfer,
            TransferSettings,
        )

        register_audited(Transfer, secret=("caller_phone",))  # the phone never in the audit log
        register_audited(DepartmentEndpoint, secret=("token",))
        for model in (RoutingRule, TransferSettings, DepartmentMember):
            register_audited(model)
        # Receipt, result and confirmation deadlines are raised on the board; a department's
        # passed deadline is chased by the system.
        register_loop_deadlines(transfer_deadlines)
