from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "fengqiao.campaigns"
    label = "campaigns"
    verbose_name = _("Verification campaigns")

    def ready(self) -> None:
        from fengqiao.audit.registry import register_audited

        from .models import Campaign

        # Items and log rows are written in bulk and audited by the services (one row per
        # load, per outcome, per re-assignment); the campaign itself through the registry.
        register_audited(Campaign, exclude=("reminded_at", "deadline_marked_at", "returned_at"))

        from fengqiao.dispatch.services import register_tick_task

        from .services import remind_and_mark

        # Reminders as the deadline nears and the items still open at the deadline, each once.
        register_tick_task(remind_and_mark)
