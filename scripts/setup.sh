#!/usr/bin/env bash
# Install everything Fengqiao needs on a fresh Debian machine, idempotently:
#   system packages (as root, only what is missing), a virtual environment with the
#   pinned Python packages, the pinned front-end libraries from npm copied into
#   fengqiao/static/vendor, and the compiled Chinese translations.
#
#   scripts/setup.sh          what the demo needs
#   scripts/setup.sh --test   also the test tools, Chromium and a CJK font
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '[setup] %s\n' "$*"; }

# --- system packages --------------------------------------------------------------
missing=()
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Reports are rendered to PDF by WeasyPrint (Pango) with a CJK font, in the demo too.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qiE 'Noto Sans CJK|WenQuanYi' || missing+=(fonts-noto-cjk)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing system packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  say "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python -----------------------------------------------------------------------
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    python=$(command -v "$candidate"); break
  fi
done
[ -n "$python" ] || { say "Python 3.11 or newer is needed" >&2; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv with $python"; "$python" -m venv .venv; }

extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.fengqiao-installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "installing Python packages$extras"
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi

# --- front-end libraries ----------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing front-end libraries from npm (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
vendor=fengqiao/static/vendor
rm -rf "$vendor.tmp" && mkdir -p "$vendor.tmp"/{leaflet,htmx,alpinejs,echarts}
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images "$vendor.tmp/leaflet/"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor.tmp/htmx/"
cp node_modules/alpinejs/dist/cdn.min.js "$vendor.tmp/alpinejs/alpine.min.js"
cp node_modules/echarts/dist/echarts.min.js "$vendor.tmp/echarts/"
rm -rf "$vendor" && mv "$vendor.tmp" "$vendor"

# --- translations -----------------------------------------------------------------
(cd fengqiao && ../.venv/bin/fengqiao compilemessages --verbosity 0)

say "ready"
