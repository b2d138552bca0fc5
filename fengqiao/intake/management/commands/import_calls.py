"""`fengqiao import_calls --station CODE FILE [--dry-run] [--user USERNAME]`

Checks every row of a CSV or XLSX file of calls and prints the per-row report; unless a
row has an error or `--dry-run` is given, imports all rows in one transaction (all or
none). Exits with status 1 when anything is wrong, so scripts can tell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.audit.context import acting_as
from fengqiao.intake import importing
from fengqiao.organisation.models import Station
from fengqiao.organisation.selectors import station_ids_for


class Command(BaseCommand):
    help = "Import calls from a CSV or XLSX file: a report per row, and all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--station", required=True, help="code of the station the calls belong to")
        parser.add_argument("--dry-run", action="store_true", help="check and report only; record nothing")
        parser.add_argument("--user", default="", help="user name recorded as taking the calls (must be of the station)")

    def handle(self, *args: Any, file: str, station: str, dry_run: bool, user: str, **options: Any) -> None:
        chosen = Station.objects.unscoped("command line: the operator names the station").filter(code=station).first()
        if chosen is None:
            known = ", ".join(Station.objects.unscoped("command line: listing stations").values_list("code", flat=True)) or "none"
            raise CommandError(f"no station {station!r}; known: {known}")
        acting = self._user(user, chosen)
        path = Path(file)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        if size > importing.MAX_BYTES:
            raise CommandError(f"{file} is larger than {importing.MAX_BYTES // (1024 * 1024)} MB; split it into smaller files")
        data = path.read_bytes()
        with acting_as(user=acting, path=f"fengqiao import_calls {path.name}"):
            report = importing.import_calls(chosen, data, path.name, user=acting, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        summary = (f"{report.filename} → {chosen.code}: {report.total} rows, {report.valid_count} ready "
                   f"({report.warning_count} with warnings), {report.error_count} with errors")
        self.stdout.write(summary)
        if report.has_errors:
            raise CommandError("nothing imported: the file has errors (see the rows above)")
        if dry_run:
            self.stdout.write("dry run: nothing recorded")
            return
        self.stdout.write(self.style.SUCCESS(f"imported {len(report.incident_numbers)} calls as incidents "
                                             f"{report.incident_numbers[0]} … {report.incident_numbers[-1]}"))

    def _user(self, username: str, station: Station) -> Any:
        if not username:
            return None
        found = get_user_model().objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"no user {username!r}")
        if not found.has_perm("intake.add_call"):
            raise CommandError(f"{username} may not take calls (needs intake.add_call)")
        if station.pk not in station_ids_for(found):
            raise CommandError(f"{username} does not work at {station.code}")
        return found
