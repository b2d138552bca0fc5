"""ASGI entry point, served by uvicorn (`fengqiao serve`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
application = get_asgi_application()
