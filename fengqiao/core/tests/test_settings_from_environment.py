"""Settings come from environment variables; a bad value stops start-up naming the variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fengqiao.conf import env_bool, env_choice, env_int, env_list, env_str

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on ", "True"])
def test_yes_values_read_as_true(raw: str) -> None:
    assert env_bool("FENGQIAO_DEBUG", False, environ={"FENGQIAO_DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_no_values_read_as_false(raw: str) -> None:
    assert env_bool("FENGQIAO_DEBUG", True, environ={"FENGQIAO_DEBUG": raw}) is False


def test_unset_yes_no_variable_gives_the_default() -> None:
    assert env_bool("FENGQIAO_DEBUG", True, environ={}) is True
    assert env_bool("FENGQIAO_DEBUG", False, environ={}) is False


def test_a_yes_no_variable_that_is_neither_names_itself() -> None:
    with pytest.raises(ImproperlyConfigured, match="FENGQIAO_DEBUG='maybe'"):
        env_bool("FENGQIAO_DEBUG", False, environ={"FENGQIAO_DEBUG": "maybe"})


def test_whole_numbers_are_read_within_their_bounds() -> None:
    environ = {"FENGQIAO_LOCKOUT_ATTEMPTS": " 7 "}
    assert env_int("FENGQIAO_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=100, environ=environ) == 7
    assert env_int("FENGQIAO_LOCKOUT_ATTEMPTS", 5, environ={}) == 5


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", "FENGQIAO_LOCKOUT_ATTEMPTS='ten' is not a whole number"),
        ("2.5", "is not a whole number"),
        ("0", "FENGQIAO_LOCKOUT_ATTEMPTS=0 is below the minimum of 1"),
        ("101", "FENGQIAO_LOCKOUT_ATTEMPTS=101 is above the maximum of 100"),
    ],
)
def test_a_bad_whole_number_names_the_variable_and_the_problem(raw: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env_int("FENGQIAO_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=100,
                environ={"FENGQIAO_LOCKOUT_ATTEMPTS": raw})


def test_a_choice_is_read_in_lower_case() -> None:
    choices = ("", "sqlite", "postgres")
    assert env_choice("FENGQIAO_DB", "", choices, environ={"FENGQIAO_DB": "Postgres"}) == "postgres"
    assert env_choice("FENGQIAO_DB", "sqlite", choices, environ={}) == "sqlite"


def test_a_choice_outside_the_list_names_the_variable_and_the_choices() -> None:
    with pytest.raises(ImproperlyConfigured, match="FENGQIAO_DB='mysql' is not one of: , sqlite, postgres"):
        env_choice("FENGQIAO_DB", "", ("", "sqlite", "postgres"), environ={"FENGQIAO_DB": "mysql"})


def test_a_list_drops_blanks_and_spaces() -> None:
    environ = {"FENGQIAO_ALLOWED_HOSTS": " np.police.local, ,10.1.2.3 ,"}
    assert env_list("FENGQIAO_ALLOWED_HOSTS", (), environ=environ) == ("np.police.local", "10.1.2.3")
    assert env_list("FENGQIAO_ALLOWED_HOSTS", ("localhost",), environ={}) == ("localhost",)
    assert env_list("FENGQIAO_ALLOWED_HOSTS", ("localhost",), environ={"FENGQIAO_ALLOWED_HOSTS": ""}) == ()


def test_text_variables_fall_back_to_the_default() -> None:
    assert env_str("FENGQIAO_TIME_ZONE", "Asia/Shanghai", environ={}) == "Asia/Shanghai"
    assert env_str("FENGQIAO_TIME_ZONE", "Asia/Shanghai", environ={"FENGQIAO_TIME_ZONE": "UTC"}) == "UTC"


def _import_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module in a fresh interpreter with only these FENGQIAO_ variables."""
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith("FENGQIAO_") and key != "DATABASE_URL"}
    environ.update({"FENGQIAO_DATA_DIR": str(tmp_path)}, **variables)
    return subprocess.run(
        [sys.executable, "-c", "import fengqiao.settings"],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )


def test_settings_load_with_no_configuration_at_all(tmp_path: Path) -> None:
    result = _import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret.key").exists()


def test_postgres_without_a_database_url_is_refused_naming_database_url(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, FENGQIAO_DB="postgres")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_a_database_url_that_is_not_postgres_is_refused(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, FENGQIAO_DB="postgres", DATABASE_URL="mysql://u:p@db/fengqiao")
    assert result.returncode != 0
    assert "DATABASE_URL must be a postgres:// URL" in result.stderr


def test_a_bad_idle_timeout_is_refused_naming_the_variable(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, FENGQIAO_IDLE_TIMEOUT_MINUTES="half an hour")
    assert result.returncode != 0
    assert "FENGQIAO_IDLE_TIMEOUT_MINUTES='half an hour' is not a whole number" in result.stderr


def test_an_idle_timeout_of_zero_is_refused(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, FENGQIAO_IDLE_TIMEOUT_MINUTES="0")
    assert result.returncode != 0
    assert "FENGQIAO_IDLE_TIMEOUT_MINUTES=0 is below the minimum of 1" in result.stderr


def test_a_short_secret_key_is_refused(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, FENGQIAO_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "FENGQIAO_SECRET_KEY must be at least 32 characters long" in result.stderr


def _database_settings(tmp_path: Path, **variables: str) -> dict[str, object]:
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith("FENGQIAO_") and key != "DATABASE_URL"}
    environ.update({"FENGQIAO_DATA_DIR": str(tmp_path)}, **variables)
    code = ("import json, fengqiao.settings as s; d = s.DATABASES['default']; "
            "print(json.dumps({k: d.get(k) for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')} | "
            "{'pool': d.get('OPTIONS', {}).get('pool')}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=environ, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_request_threads_keep_their_connections_unless_a_pool_is_asked_for(tmp_path: Path) -> None:
    assert _database_settings(tmp_path)["CONN_MAX_AGE"] == 600  # SQLite
    url = "postgres://u:p@127.0.0.1:5432/fengqiao"
    kept = _database_settings(tmp_path, FENGQIAO_DB="postgres", DATABASE_URL=url)
    assert kept == {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True, "pool": None}
    pooled = _database_settings(tmp_path, FENGQIAO_DB="postgres", DATABASE_URL=url, FENGQIAO_DB_POOL_SIZE="5")
    assert pooled["CONN_MAX_AGE"] == 0 and pooled["pool"] == {"min_size": 1, "max_size": 5, "timeout": 10}
