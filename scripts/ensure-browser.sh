#!/usr/bin/env bash
# Install Debian's chromium, its driver and Japanese fonts for the browser tests, if missing.
set -u
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "chromium が無いため、ブラウザのテストは実行されません（root で apt-get install chromium chromium-driver fonts-noto-cjk）。" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
echo "ブラウザのテスト用に chromium をインストールします…" >&2
$SUDO apt-get update -qq >/dev/null && \
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
