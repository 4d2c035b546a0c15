#!/usr/bin/env bash
# Install what prints the books as PDF, if missing: LibreOffice Calc (headless, no GUI),
# poppler-utils (pdftotext, pdfinfo, pdftoppm: the page tests and the page images) and
# the Japanese fonts that the PDF embeds. Used by make run, make test and make books-preview.
set -u
if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
  && fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  exit 0
fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "LibreOffice が無いため、PDF の出力と印刷のテストは使えません（root で apt-get install libreoffice-calc-nogui poppler-utils fonts-noto-cjk）。" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
echo "PDF の出力用に LibreOffice をインストールします（数分かかります）…" >&2
# Another apt-get may hold the lock for a while: wait for it rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if $SUDO apt-get update -qq >/dev/null 2>&1 && \
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      libreoffice-calc-nogui poppler-utils fonts-noto-cjk >/dev/null; then
    exit 0
  fi
  sleep 15
done
echo "LibreOffice をインストールできませんでした。PDF の出力と印刷のテストは使えません。" >&2
exit 0
