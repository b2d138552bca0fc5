"""The `fengqiao` command: Django's management commands under the project's name.

    fengqiao migrate | demo | serve --port 8000 | token create USERNAME | ...
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fengqiao", *sys.argv[1:]])


if __name__ == "__main__":
    main()
