#!/usr/bin/env bash
# Prints the demo's books and the 理事会 packet as LibreOffice does, to check they look like the council's own
# documents: 事業計画 and 事業報告 (xlsx) → PDF (soffice --headless) → PNG (pdftoppm),
# written to docs/books/. Installs LibreOffice, fonts-noto-cjk and poppler-utils with
# apt-get when they are missing (scripts/ensure-print.sh). Uses a throw-away SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
OUT="${OUT:-docs/books}"

scripts/ensure-print.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DATABASE_URL="" SQLITE_PATH="$work/preview.sqlite3" MEDIA_ROOT="$work/media"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo >/dev/null
"$PY" manage.py export_plan --year 2020 --output "$work/plan.xlsx"
"$PY" manage.py export_report --year 2020 --quarter 2 --output "$work/report.xlsx"
"$PY" manage.py export_packet --year 2020 --quarter 2 --output "$work/packet.pdf"

soffice --headless --norestore "-env:UserInstallation=file://$work/lo-profile" \
  --convert-to pdf --outdir "$work" "$work/plan.xlsx" "$work/report.xlsx" >/dev/null

mkdir -p "$OUT"
# 事業計画: the first page (総務課) and the third, which continues a table of 【法人運営係】
# (「（続き）」 and the header again); 事業報告: the summary page and the first page of 総務課.
pdftoppm -png -r 90 -f 1 -l 1 -singlefile "$work/plan.pdf" "$OUT/plan"
pdftoppm -png -r 90 -f 3 -l 3 -singlefile "$work/plan.pdf" "$OUT/plan-continued"
pdftoppm -png -r 90 -f 1 -l 1 -singlefile "$work/report.pdf" "$OUT/report-summary"
# The first page of 総務課 (after the 概要 and the 総括, whose length varies).
first_department_page() {
  local pages n
  pages="$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')"
  for ((n = 1; n <= pages; n++)); do
    if pdftotext -layout -f "$n" -l "$n" "$1" - | grep -qE "令和.*総務課 +事業報告"; then
      echo "$n"; return
    fi
  done
  echo 2
}
page="$(first_department_page "$work/report.pdf")"
pdftoppm -png -r 90 -f "$page" -l "$page" -singlefile "$work/report.pdf" "$OUT/report"
# 理事会資料: the cover, the summary with its chart and the shortfalls with their reasons.
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/packet.pdf" "$OUT/packet-cover"
pdftoppm -png -r 70 -f 2 -l 2 -singlefile "$work/packet.pdf" "$OUT/packet-summary"
pdftoppm -png -r 70 -f 3 -l 3 -singlefile "$work/packet.pdf" "$OUT/packet-shortfalls"
for name in plan report packet; do
  pages="$(pdfinfo "$work/$name.pdf" | awk '/^Pages:/ {print $2}')"
  echo "$name.pdf: ${pages} ページ"
done
echo "作成しました: $OUT/plan.png $OUT/plan-continued.png $OUT/report-summary.png $OUT/report.png $OUT/packet-*.png"
