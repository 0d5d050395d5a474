#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium package"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || {
    echo "ensure-chromium: could not install chromium; run: apt-get install chromium" >&2; exit 1; }
else
  echo "ensure-chromium: chromium is missing; install it with: sudo apt-get install chromium" >&2
  exit 1
fi
