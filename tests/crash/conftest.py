"""The `crash` marker: tests that start real servers in subprocesses and kill them.

They run in the normal suite; `-m "not crash"` leaves them out when iterating quickly.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "crash: kills real server processes (SIGKILL) while calls arrive")
