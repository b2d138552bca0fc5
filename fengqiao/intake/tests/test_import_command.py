"""`fengqiao import_calls --station CODE FILE [--dry-run] [--user USERNAME]`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fengqiao.audit.models import AuditEntry
from fengqiao.intake.models import Call, Incident
from fengqiao.organisation.models import Station

pytestmark = pytest.mark.django_db

HEADER = "source,received_at,text,address,external_id"


def write_file(tmp_path: Path, rows: list[str], name: str = "calls.csv") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="gb18030")
    return path


def at(minutes_ago: int) -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(minutes=minutes_ago)).strftime("%Y/%m/%d %H:%M:%S")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_calls", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_good_file_as_the_named_user(
    tmp_path: Path, station_a: Station, addresses_a: Any, zhang_wei: Any,
) -> None:
    path = write_file(tmp_path, [f"电话,{at(9)},有人打架,江南大道8号1栋,C-1", f"来所,{at(5)},钱包丢了,学府大道66号,C-2"])
    output = run("--station", "NP", str(path), "--user", "zhangwei")
    assert "imported 2 calls" in output
    assert "row     3  warning" in output  # no confident address match
    calls = Call.objects.for_stations([station_a.pk])
    assert calls.count() == 2 and Incident.objects.for_stations([station_a.pk]).count() == 2
    assert set(calls.values_list("taken_by", flat=True)) == {zhang_wei.pk}
    for number in Incident.objects.for_stations([station_a.pk]).values_list("number", flat=True):
        assert number in output
    entry = AuditEntry.objects.get(object_repr="import of 2 calls from calls.csv")
    assert entry.user == zhang_wei and entry.path.startswith("fengqiao import_calls")


def test_a_dry_run_prints_the_report_and_records_nothing(tmp_path: Path, station_a: Station, addresses_a: Any) -> None:
    path = write_file(tmp_path, [f"电话,{at(9)},有人打架,江南大道8号1栋,C-1"])
    output = run("--station", "NP", str(path), "--dry-run")
    assert "row     2  ok" in output and "dry run" in output
    assert Call.objects.for_stations([station_a.pk]).count() == 0


def test_errors_are_printed_per_row_and_the_command_fails(tmp_path: Path, station_a: Station, addresses_a: Any) -> None:
    path = write_file(tmp_path, [f"电话,{at(9)},有人打架,江南大道8号1栋,C-1", "电话,明天,有人打架,,C-2", f"微博,{at(3)},,,C-1"])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_calls", "--station", "NP", str(path), stdout=out)
    output = out.getvalue()
    assert "row     3  error" in output and "received_at:" in output
    assert "row     4  error" in output and "source:" in output and "text:" in output and "external_id:" in output
    assert Call.objects.for_stations([station_a.pk]).count() == 0


def test_the_command_exits_nonzero(tmp_path: Path, station_a: Station, addresses_a: Any) -> None:
    from django.core.management import ManagementUtility

    path = write_file(tmp_path, ["电话,明天,有人打架,,C-2"])
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["fengqiao", "import_calls", "--station", "NP", str(path)]).execute()
    assert exit_.value.code == 1


@pytest.mark.parametrize(("args", "words"), [
    (["--station", "XX"], "no station 'XX'"),
    (["--station", "NP", "--user", "nobody"], "no user 'nobody'"),
    (["--station", "NP", "--user", "liuyang"], "may not take calls"),
    (["--station", "NP", "--user", "wangqiang"], "does not work at NP"),
])
def test_a_wrong_station_or_user_is_refused(
    tmp_path: Path, args: list[str], words: str, station_a: Station, addresses_a: Any, liu_yang: Any, wang_qiang: Any,
) -> None:
    path = write_file(tmp_path, [f"电话,{at(9)},有人打架,江南大道8号1栋,C-1"])
    with pytest.raises(CommandError, match=words):
        run(*args, str(path))
    assert Call.objects.for_stations([station_a.pk]).count() == 0


def test_a_missing_file_is_refused(tmp_path: Path, station_a: Station) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        run("--station", "NP", str(tmp_path / "nothing.csv"))
