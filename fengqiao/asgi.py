"""ASGI entry point, served by uvicorn (`fengqiao serve`)."""

import gc
import logging
import os
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402
from django.db import DatabaseError, connections  # noqa: E402

from fengqiao.core.handler import PooledThreadsASGIHandler  # noqa: E402
from fengqiao.intake.services import warm_station_caches  # noqa: E402

application = PooledThreadsASGIHandler(threads=settings.REQUEST_THREADS)



def _warm() -> None:
    try:
        warm_station_caches()
    except DatabaseError as error:  # not migrated yet: the caches fill on first use
        logging.getLogger(__name__).warning("intake caches not warmed: %s", error)
    finally:
        connections.close_all()


# A worker of `--workers N` imports this module inside its running event loop, where
# Django refuses database work: warm the caches in a thread of their own.
warming = threading.Thread(target=_warm, name="fengqiao-warm-caches")
warming.start()
warming.join()
# What is loaded now (Django, the station caches) lives as long as the process. Frozen,
# the collector stops walking it: a full collection of those ~120,000 objects took about
# 80 ms, a pause that some unlucky request waited through.
gc.collect()
gc.freeze()
