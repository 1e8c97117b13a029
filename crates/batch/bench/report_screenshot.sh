#!/bin/sh
# Renders a trackscan HTML report headless to a PNG (optional; needs chromium).
# usage: report_screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]
set -eu
report=${1:?usage: report_screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
out=${2:?usage: report_screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
size=${3:-1400x2400}
browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    echo "report_screenshot: chromium not installed (apt-get install -y chromium); skipping" >&2
    exit 0
fi
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
outabs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
w=${size%x*}
h=${size#*x}
# --disable-web-security is NOT used: the report must work with no network and no privileges.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$w,$h" --screenshot="$outabs" "file://$abs" >/dev/null 2>&1
test -s "$outabs" && echo "wrote $outabs"
