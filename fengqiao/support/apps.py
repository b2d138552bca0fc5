from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "fengqiao.support"
    label = "support"
    verbose_name = _("Support requests")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited
        from fengqiao.dispatch.services import register_loop_deadlines

        from .deadlines import support_deadlines
        from .models import SupportRequest, Unit, UnitMember

        for model in (SupportRequest, Unit, UnitMember):
            register_audited(model)
        # Support deadlines are raised on the board like overdue orders; a breached step
        # the unit owes is chased by the system.
        register_loop_deadlines(support_deadlines)
