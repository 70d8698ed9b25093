#!/usr/bin/env bash
# Installs what docsvc needs on Debian 12 (Python 3.11): system packages that are missing,
# then a virtual environment in .venv with the pinned Python packages.
#   scripts/setup.sh run    packages to run the service
#   scripts/setup.sh test   packages to run the service and the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-run}"

run_pkgs=(fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          poppler-utils qpdf tesseract-ocr tesseract-ocr-eng)
test_pkgs=(libreoffice-writer postgresql chromium libimage-exiftool-perl)
pkgs=("${run_pkgs[@]}")
[ "$profile" = test ] && pkgs+=("${test_pkgs[@]}")
python3 -m venv --help >/dev/null 2>&1 || pkgs+=(python3-venv)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extras=""; [ "$profile" = test ] && extras="[test]"
stamp=".venv/.installed-$profile-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi
