#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests (Playwright cannot download
# its own browser here), npm for the browser tests' axe-core, and Pango with the DejaVu fonts for
# WeasyPrint's PDFs (offline fonts).
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
fc-list 2>/dev/null | grep -q "DejaVu Sans" || missing+=(fonts-dejavu-core fontconfig)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-packages: installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "ensure-packages: could not install ${missing[*]}; run: apt-get install ${missing[*]}" >&2; exit 1; }
else
  echo "ensure-packages: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
