"""Running a benchmark in a throwaway data directory and database.

`fengqiao bench records|campaigns|analysis` build their own station: the measuring part
runs again in a subprocess (`fengqiao bench NAME --here --migrate --json …`) pointed at a
fresh data directory and, when `DATABASE_URL` names a PostgreSQL server, a fresh database
on it, both removed afterwards unless kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any


def run_in_throwaway(name: str, arguments: list[str], *, data_parent: str | None = None, keep: bool = False,
                     timeout: float = 3600) -> dict[str, Any]:
    """The JSON figures of `fengqiao bench NAME --here --migrate --json ARGUMENTS` run in a fresh
    data directory and database, with `data_dir` and `database_name` added."""
    from fengqiao.bench.intake import _admin_sql, _drop_database, _postgres_url, _with_database

    data_dir = Path(tempfile.mkdtemp(prefix=f"fengqiao-bench-{name}-", dir=data_parent))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FENGQIAO_DB", "DATABASE_URL"))}
    env.update(FENGQIAO_DATA_DIR=str(data_dir), FENGQIAO_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="fengqiao.settings")
    url = _postgres_url()
    database_name = ""
    try:
        if url:
            database_name = f"fengqiao_bench_{uuid.uuid4().hex[:10]}"
            _admin_sql(url, f'CREATE DATABASE "{database_name}"')
            env.update(FENGQIAO_DB="postgres", DATABASE_URL=_with_database(url, database_name))
        else:
            env["FENGQIAO_DB"] = "sqlite"
        command = [sys.executable, "-m", "fengqiao.cli", "bench", name, "--here", "--migrate", "--json", *arguments]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"the benchmark run failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        figures: dict[str, Any] = json.loads(done.stdout)
        figures["data_dir"] = str(data_dir)
        figures["database_name"] = database_name
        return figures
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if database_name:
                _drop_database(url, database_name)
