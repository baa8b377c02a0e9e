#!/usr/bin/env bash
# report_html.sh — the HTML triage report renders in a real browser: builds the demo report
# (tests/demo/report.sh: three weeks of the team's fixture bounces, rbldnsd test zones on loopback),
# loads it in headless Chromium (Debian `chromium`) from a file:// URL with the network off, and checks
# the DOM Chromium built (the page, the incidents, the SVG chart with its bars, no script) and that a
# screenshot of it is a non-blank PNG. Needs chromium (packaging/install-build-deps.sh installs it).
set -euo pipefail
: "${NDR_BUILD_DIR:?NDR_BUILD_DIR must name the build tree}"
: "${NDR_SOURCE_DIR:?NDR_SOURCE_DIR must name the source tree}"
FAILURES=0
fail() { echo "FAIL $*"; FAILURES=$((FAILURES + 1)); }
ok() { echo "ok   $*"; }
BROWSER=$(command -v chromium || command -v chromium-browser || true)
[[ -n $BROWSER ]] || { echo "FAIL chromium is not installed (packaging/install-build-deps.sh installs it)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ndr-report-html.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
NDR_REPORT_DNS_PORT=${NDR_REPORT_DNS_PORT:-31554} \
    "$NDR_SOURCE_DIR/tests/demo/report.sh" "$NDR_BUILD_DIR/agent/ndr-triage" "$WORK/report.html" > "$WORK/demo.log" 2>&1 ||
    { cat "$WORK/demo.log"; echo "FAIL tests/demo/report.sh"; exit 1; }

# Chromium as root needs --no-sandbox; its own profile directory keeps it off $HOME; no network access
# is needed or wanted (the page is self-contained), so every proxy lookup is pointed at nothing.
browse() {
    timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --proxy-server=127.0.0.1:9 --user-data-dir="$WORK/profile" "$@" "file://$WORK/report.html" 2>> "$WORK/chromium.log"
}
browse --dump-dom > "$WORK/dom.html" || { tail -20 "$WORK/chromium.log"; echo "FAIL chromium --dump-dom"; exit 1; }
DOM=$WORK/dom.html
[[ -s $DOM ]] && ok "chromium rendered the page ($(wc -c < "$DOM") bytes of DOM)" || fail "empty DOM"
grep -q '<h1>ndr-triage report</h1>' "$DOM" && ok "title heading" || fail "no title heading"
grep -q 'Open incidents' "$DOM" && ok "open incidents section" || fail "no open incidents section"
for list in spamhaus-xbl spamcop; do
    grep -q "$list" "$DOM" && ok "incident $list shown" || fail "incident $list missing"
done
# Fix-first incidents come first: the first incident heading is a fix-first list.
first=$(grep -o 'spamhaus-xbl\|spamcop\|gmail\|barracuda-brbl' "$DOM" | head -1)
[[ $first == spamhaus-xbl || $first == spamcop ]] && ok "a fix-first incident comes first ($first)" || fail "first incident is $first"
grep -q '<svg[^>]*id="bounce-chart"' "$DOM" && ok "the SVG chart is in the DOM" || fail "no SVG chart"
bars=$(sed -n '/<svg[^>]*id="bounce-chart"/,/<\/svg>/p' "$DOM" | grep -o '<rect' | wc -l)
[[ $bars -ge 10 ]] && ok "the chart has $bars bars" || fail "the chart has $bars bars, want >= 10"
grep -qi '<script' "$DOM" && fail "the page has a script" || ok "no script in the page"
grep -q 'drafts to review' "$DOM" && ok "drafts awaiting review counted" || fail "no drafts summary"

browse --hide-scrollbars --window-size=1100,2400 --screenshot="$WORK/shot.png" > /dev/null ||
    { tail -20 "$WORK/chromium.log"; echo "FAIL chromium --screenshot"; exit 1; }
python3 - "$WORK/shot.png" <<'PY' && ok "screenshot is a 1100x2400 PNG that is not blank" || fail "screenshot check"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1100, 2400), (w, h)
# Collect the IDAT stream and check that the pixels are not all one value (a blank page).
pos, idat = 8, b""
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4]); kind = data[pos + 4:pos + 8]
    if kind == b"IDAT": idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw[1:200000])) > 8, "blank screenshot"
PY
[[ ${NDR_REPORT_SCREENSHOT:-} ]] && cp "$WORK/shot.png" "$NDR_REPORT_SCREENSHOT"
[[ $FAILURES == 0 ]] || { echo "$FAILURES check(s) failed"; exit 1; }
echo "report_html: all checks passed"
