#!/usr/bin/env bash
# The report page in a real headless Chromium, as a person would see it.
#
# For each page it checks, it
#   - renders a screenshot 1200 px wide and one 420 px wide (a phone), kept in the output folder;
#   - dumps the rendered DOM and checks it: every section id once, the expected number of <svg>
#     charts each with a <title>, and nothing that could fetch or run anything (no script, img,
#     iframe, object, embed, no link but a data: icon, no on* handler, no src, no href but #…,
#     no url( to anything but data: or #…, no http:// or https:// in any attribute);
#   - checks the layout in both widths (in a copy of the page with a measuring script added):
#     no sideways scrolling of the page, every chart drawn, no chart text clipped by its chart,
#     no two unrotated chart texts overlapping;
#   - checks that the page made no network request: Chromium runs with every request sent to a
#     listener on 127.0.0.1 that records any connection (--proxy-server, with loopback not
#     exempted) and with every host name unresolvable (--host-resolver-rules), and the listener
#     must have seen nothing.
# Then it proves that the checks can fail: a page with <img src="http://example.com/x.png">
# (and no Content-Security-Policy) must be seen by the listener and rejected by the DOM check,
# and a chart in it with a label cut off and two labels drawn over each other must fail the
# layout check.
#
# Usage, from anywhere, as root when Chromium is not installed yet:
#   bash Tests/report/chromium.sh [--out DIR] [--charts N] [REPORT.html]
# With REPORT.html it checks that page, expecting N charts (default: the number the page states
# in <meta name="nnsearch-charts">). Without it, it builds the tests and writes three sample pages
# with ReportSampleTests (a plausible search, one whose every text attempts HTML injection, one
# with nothing finished yet) and checks them. Screenshots, DOMs and logs go to DIR (default
# .build/report-browser). Installs Debian's chromium if it is missing. Every process it starts
# is stopped by pid on every exit path.
# Ends with `report-browser: N passed, M failed`; exit 0 only when nothing failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
top=$PWD
t0=$SECONDS
export DEBIAN_FRONTEND=noninteractive

say() { printf 'report-browser: %s\n' "$*"; }
passed=0
failed=0
finished=0

out=$top/.build/report-browser
charts=""
page=""
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --charts) charts=$2; shift 2 ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "chromium.sh: unknown option $1" >&2; exit 64 ;;
        *) page=$1; shift ;;
    esac
done
[ -z "$page" ] || page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
# Absolute, since pages in it are opened as file:// URLs (a relative --out made ERR_INVALID_URL).
mkdir -p "$out" && out=$(cd "$out" && pwd)

# ---------------------------------------------------------------- cleanup
tmp=""
listener_pid=""
browser_pid=""

. Tests/lib/script.sh   # stop_pid, apt_install

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    trap '' PIPE
    set +e
    stop_pid "$browser_pid" chromium 5
    stop_pid "$listener_pid" "request listener" 5
    if [ "$finished" != 1 ]; then
        failed=$((failed + 1))
        say "FAIL: stopped early (exit status $rc)"
    fi
    [ -n "$tmp" ] && rm -rf "$tmp"
    say "screenshots, DOMs and logs in $out"
    say "took $((SECONDS - t0)) s"
    echo "report-browser: $passed passed, $failed failed"
    [ "$failed" = 0 ] && exit 0
    exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'say "error: line $LINENO: $BASH_COMMAND"' ERR

fail() {
    say "FAIL: $*"
    exit 1
}

check() { # description, then a command that succeeds when it holds
    local what=$1
    shift
    if "$@"; then
        say "ok   $what"
        passed=$((passed + 1))
    else
        say "FAIL $what"
        failed=$((failed + 1))
    fi
}

# ---------------------------------------------------------------- install
if ! command -v chromium >/dev/null; then
    apt_install /tmp/nnsearch-chromium-apt.log chromium
fi
command -v python3 >/dev/null || fail "python3 is needed (the request listener and the DOM checks)"
# Debian's /usr/bin/chromium is a wrapper that adds flags from /etc/chromium.d, among them
# --enable-remote-extensions and Google API keys: Chromium then calls update.googleapis.com,
# clients2.google.com and accounts.google.com on its own, which would hide (or fake) a request
# made by the page. The binary it runs takes only the flags given here.
browser=/usr/lib/chromium/chromium
[ -x "$browser" ] || browser=$(command -v chromium)
say "$("$browser" --version 2>/dev/null | head -1) ($browser)"

mkdir -p "$out"
tmp=$(mktemp -d /tmp/nnsearch-report-browser.XXXXXX)

# ---------------------------------------------------------------- pages
# Each entry: NAME FILE EXPECTED_CHARTS
pages=()
if [ -n "$page" ]; then
    [ -f "$page" ] || fail "no such file: $page"
    if [ -z "$charts" ]; then
        charts=$(sed -n 's/.*<meta name="nnsearch-charts" content="\([0-9]*\)".*/\1/p' "$page" | head -1)
        [ -n "$charts" ] || fail "$page states no chart count (<meta name=\"nnsearch-charts\">): pass --charts N"
        say "expecting $charts charts, as the page states"
    fi
    pages+=("page $page $charts")
else
    say "writing sample pages (swift build --build-tests; ReportSampleTests)"
    swift build --build-tests >"$out"/build.log 2>&1 || { tail -20 "$out"/build.log; fail "swift build --build-tests failed"; }
    rm -f "$out"/sample*.html
    NNSEARCH_REPORT_SAMPLE=$out/sample.html swift test --skip-build --filter ReportSampleTests \
        >"$out"/sample.log 2>&1 || { tail -20 "$out"/sample.log; fail "ReportSampleTests failed"; }
    for f in sample sample-hostile sample-empty; do
        [ -s "$out/$f.html" ] || fail "ReportSampleTests wrote no $out/$f.html"
    done
    # The sample has 5 hyperparameters, the hostile one 2, the empty one none; each page adds 7
    # charts (diagnosis, importance, 2 best-so-far, 3 learning-curve charts).
    pages+=("sample $out/sample.html 12" "hostile $out/sample-hostile.html 9" "empty $out/sample-empty.html 7")
fi

# A page that must fail: one image from the network, and no Content-Security-Policy to stop it.
bad=$out/bad.html
cat >"$bad" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>a page that fetches</title></head>
<body><section id="summary"><h1>bad</h1><img src="http://example.com/x.png" alt="x">
<svg class="chart" viewBox="0 0 200 60" style="width:200px"><title>a chart with bad labels</title>
<text x="150" y="20">a label cut off at the edge</text>
<text x="10" y="45">one label</text><text x="20" y="47">another label</text></svg>
</section></body></html>
EOF

# ---------------------------------------------------------------- request listener
# Records the first line of every connection (a proxied GET, or a CONNECT for https) and answers 502.
requests=$out/requests.log
: >"$requests"
python3 -u -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(sys.argv[1] + ".part", "w") as f:
    f.write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".part", sys.argv[1])
log = open(sys.argv[2], "a", buffering=1)
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        data = c.recv(4096)
    except OSError:
        data = b""
    line = data.split(b"\r\n", 1)[0].decode("latin-1") or "(a connection with no request line)"
    log.write("%.3f %s\n" % (time.time(), line))
    try:
        c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    c.close()
' "$tmp/port" "$requests" </dev/null >"$out"/listener.log 2>&1 &
listener_pid=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || fail "the request listener did not start: $(cat "$out"/listener.log)"
port=$(cat "$tmp/port")
say "request listener on 127.0.0.1:$port (pid $listener_pid)"

# ---------------------------------------------------------------- chromium
runs=0
# Chromium's own calls home, each measured here with the listener and the browser's net log,
# and what stops it (the page's requests are left alone):
#   clients2.google.com/time          network time            --disable-features=NetworkTimeServiceQuerying
#   redirector.gvt1.com/…/en-us….bdic spell-check dictionary  "enable_spellchecking": false in the profile
#   update.googleapis.com (component ceofaddefefcbblgcgnibnonglccbfja, the on-device model manifest,
#                                     requested on demand despite --disable-component-update)
#                                                             --optimization-guide-manifest-override=EMPTY DIR
#   accounts.google.com/ListAccounts  sign-in cookie check, sent at start whatever the sign-in settings
#                                                             --gaia-url=http://127.0.0.1:9/ (port 9 is on
#                                                             Chromium's unsafe-port list: refused before connecting)
mkdir -p "$tmp/no-manifest"
# browse LOG ARGS...: one headless Chromium run with a fresh profile, every request sent to the
# listener, no host name resolvable, and Chromium's own background traffic switched off.
browse() {
    local log=$1
    shift
    runs=$((runs + 1))
    local profile=$tmp/profile-$runs
    mkdir -p "$profile/Default"
    echo '{"browser":{"enable_spellchecking":false},"spellcheck":{"dictionaries":[],"use_spelling_service":false}}' \
        >"$profile/Default/Preferences"
    timeout -k 5 90 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$profile" \
        --proxy-server="http://127.0.0.1:$port" --proxy-bypass-list='<-loopback>' \
        --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' \
        --no-first-run --no-default-browser-check --disable-background-networking \
        --disable-component-update --disable-sync --disable-default-apps --disable-extensions \
        --disable-domain-reliability --disable-client-side-phishing-detection \
        --disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate \
        --optimization-guide-manifest-override="$tmp/no-manifest" --gaia-url=http://127.0.0.1:9/ \
        --metrics-recording-only --no-pings --virtual-time-budget=5000 \
        "$@" </dev/null >"$log.out" 2>"$log.err" &
    browser_pid=$!
    local rc=0
    wait "$browser_pid" || rc=$?
    browser_pid=""
    return "$rc"
}

# requests_since N: the listener's lines after its first N.
requests_since() { tail -n +"$(($1 + 1))" "$requests"; }
lines() { wc -l <"$requests"; }

# png_size FILE: "WIDTHxHEIGHT" from the PNG header.
png_size() {
    python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n"
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null || echo none
}

# dom_check DOM EXPECTED_CHARTS [hostile]: the rendered DOM's structure and that nothing in it fetches.
dom_check() {
    python3 - "$@" <<'EOF'
import html.parser, re, sys
dom, expected = open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])
hostile = len(sys.argv) > 3
ids = ["summary", "explanation", "diagnosis", "importance", "top-trials", "best-so-far", "curves", "hyperparameters"]
problems = []
class Walk(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.svgs, self.titled, self.stack, self.text = [], 0, 0, [], []
        self.after_svg = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.append(a["id"])
        if tag in ("script", "iframe", "object", "embed", "img", "image", "frame", "frameset", "base", "form",
                   "video", "audio", "source", "track", "picture", "portal", "meta") and not (
                tag == "meta" and a.get("http-equiv", "").lower() != "refresh"):
            problems.append("a <%s> element %s" % (tag, attrs))
        if tag == "link" and not (a.get("rel") == "icon" and (a.get("href") or "").startswith("data:")):
            problems.append("a <link> %s" % attrs)
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"): problems.append("a %s= handler on <%s>" % (k, tag))
            if k in ("src", "srcset", "action", "formaction", "poster", "background", "ping"):
                problems.append("a %s= on <%s>: %r" % (k, tag, v))
            if k in ("href", "xlink:href") and not (v.startswith("#") or v.startswith("data:")):
                problems.append("a %s= on <%s> to %r" % (k, tag, v))
            if re.search(r"https?://", v, re.I) and not (tag == "meta"):
                problems.append("a URL in %s= on <%s>: %r" % (k, tag, v))
            for m in re.finditer(r"url\(\s*['\"]?([^'\")]*)", v, re.I):
                if not (m.group(1).startswith("#") or m.group(1).startswith("data:")):
                    problems.append("url(%s) in %s= on <%s>" % (m.group(1), k, tag))
        if tag == "svg":
            self.svgs += 1
            self.after_svg = True
        elif self.after_svg:
            if tag == "title": self.titled += 1
            self.after_svg = False
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag: self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style":
            for m in re.finditer(r"url\(\s*['\"]?([^'\")]*)", data, re.I):
                if not (m.group(1).startswith("#") or m.group(1).startswith("data:")):
                    problems.append("url(%s) in a <style>" % m.group(1))
            for m in re.finditer(r"@import", data, re.I): problems.append("an @import in a <style>")
        elif data.strip():
            self.text.append(data)
w = Walk()
w.feed(dom)
for i in ids:
    n = w.ids.count(i)
    if n != 1: problems.append("section id %r present %d times" % (i, n))
if w.svgs != expected: problems.append("%d <svg> elements, expected %d" % (w.svgs, expected))
if w.titled != w.svgs: problems.append("%d of %d <svg> elements start with a <title>" % (w.titled, w.svgs))
text = " ".join(w.text)
if hostile:
    # The injected markup must be there, as text that a person reads.
    for s in ["<script>alert(1)</script>", "onerror=alert(2)", "<svg onload=alert(3)>", "</svg><script>alert(5)</script>"]:
        if s not in text: problems.append("the hostile text %r is not shown as text" % s)
for p in problems[:30]: print("     " + p)
sys.exit(1 if problems else 0)
EOF
}

# Measuring script added to a copy of the page (the page itself has none and forbids scripts).
measure_js='
addEventListener("load", () => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1)
    problems.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  const charts = [...document.querySelectorAll("svg")];
  charts.forEach((svg, i) => {
    const name = (svg.querySelector("title") || {}).textContent || `chart ${i + 1}`;
    const box = svg.getBoundingClientRect();
    if (box.width < 50 || box.height < 50) problems.push(`${name}: drawn ${box.width}x${box.height}`);
    if (box.right > root.clientWidth + 1) problems.push(`${name}: reaches past the window`);
    const texts = [...svg.querySelectorAll("text")].map(t => ({
      label: (t.lastChild || {}).textContent, r: t.getBoundingClientRect(), rotated: t.hasAttribute("transform") }));
    for (const t of texts) {
      if (t.r.width === 0) continue;
      if (t.r.left < box.left - 1 || t.r.right > box.right + 1 || t.r.top < box.top - 1 || t.r.bottom > box.bottom + 1)
        problems.push(`${name}: "${t.label}" is clipped`);
    }
    for (let a = 0; a < texts.length; a++) for (let b = a + 1; b < texts.length; b++) {
      const A = texts[a], B = texts[b];
      if (A.rotated || B.rotated) continue;
      const w = Math.min(A.r.right, B.r.right) - Math.max(A.r.left, B.r.left);
      const h = Math.min(A.r.bottom, B.r.bottom) - Math.max(A.r.top, B.r.top);
      if (w > 1 && h > 1) problems.push(`${name}: "${A.label}" overlaps "${B.label}"`);
    }
  });
  document.body.setAttribute("data-measured", String(charts.length));
  document.body.setAttribute("data-problems", JSON.stringify(problems));
});'

# probe PAGE COPY: writes COPY, PAGE with the measuring script added and its Content-Security-Policy
# (which would stop the script) removed, and prints COPY's path.
probe() {
    MEASURE_JS=$measure_js python3 -c '
import os, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
page = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page)
page = page.replace("</body>", "<script>" + os.environ["MEASURE_JS"] + "</script></body>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(page)' "$1" "$2"
    echo "$2"
}

# layout_check DOM: what the measuring script found.
layout_check() {
    python3 - "$1" <<'EOF'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<body[^>]*\bdata-problems="([^"]*)"', dom)
n = re.search(r'<body[^>]*\bdata-measured="(\d+)"', dom)
if not m or not n:
    print("     the measuring script did not run"); sys.exit(1)
problems = json.loads(html.unescape(m.group(1)))
for p in problems[:30]: print("     " + p)
print("     measured %s charts" % n.group(1)) if not problems else None
sys.exit(1 if problems else 0)
EOF
}

# ---------------------------------------------------------------- checks
for entry in "${pages[@]}"; do
    read -r name file expected <<<"$entry"
    url="file://$file"
    say "page $name: $file ($expected charts expected)"
    before=$(lines)

    browse "$out/$name-wide" --screenshot="$out/$name-wide.png" --window-size=1200,3000 "$url" || true
    check "$name: screenshot 1200 px wide ($(png_size "$out/$name-wide.png"), $out/$name-wide.png)" \
        test "$(png_size "$out/$name-wide.png")" = 1200x3000
    browse "$out/$name-narrow" --screenshot="$out/$name-narrow.png" --window-size=420,5000 "$url" || true
    check "$name: screenshot 420 px wide ($(png_size "$out/$name-narrow.png"), $out/$name-narrow.png)" \
        test "$(png_size "$out/$name-narrow.png")" = 420x5000
    browse "$out/$name-dom" --dump-dom "$url" || true
    cp "$out/$name-dom.out" "$out/$name-dom.html"
    hostile=""
    [ "$name" = hostile ] && hostile=hostile
    check "$name: rendered DOM has every section id once, $expected <svg> charts with titles, nothing that fetches or runs" \
        dom_check "$out/$name-dom.html" "$expected" $hostile

    new=$(requests_since "$before")
    [ -z "$new" ] || printf '%s\n' "$new" | sed 's/^/     request: /'
    check "$name: no network request in 3 renderings" test -z "$new"

    # Layout, in a copy with the measuring script and without the policy that would stop it.
    probe_file=$(probe "$file" "$out/$name-probe.html")
    for width in 1200 420; do
        browse "$out/$name-layout-$width" --dump-dom --window-size=$width,3000 "file://$probe_file" || true
        check "$name: layout at $width px: no sideways scroll, no clipped or overlapping chart text" \
            layout_check "$out/$name-layout-$width.out"
    done
done

# ---------------------------------------------------------------- the checks can fail
say "a bad page (fetches http://example.com/x.png, a label cut off, two labels overlapping): the checks must catch it"
before=$(lines)
browse "$out/bad-dom" --dump-dom "file://$bad" || true
cp "$out/bad-dom.out" "$out/bad-dom.html"
new=$(requests_since "$before")
[ -z "$new" ] || printf '%s\n' "$new" | sed 's/^/     request: /'
check "bad: the listener saw the request for http://example.com/x.png" grep -q 'example\.com/x\.png' <<<"$new"
dom_check "$out/bad-dom.html" 0 >"$out/bad-dom.check" 2>&1 || true
grep "<img>" "$out/bad-dom.check" || true
check "bad: the DOM check rejects the page for its <img>" grep -q "<img>" "$out/bad-dom.check"
# The layout check must see the label cut off by its chart and the two labels drawn over each other.
browse "$out/bad-layout" --dump-dom --window-size=1200,800 "file://$(probe "$bad" "$out/bad-probe.html")" || true
layout_check "$out/bad-layout.out" >"$out/bad-layout.check" 2>&1 || true
cat "$out/bad-layout.check"
check "bad: the layout check sees a clipped label" grep -q "is clipped" "$out/bad-layout.check"
check "bad: the layout check sees overlapping labels" grep -q "overlaps" "$out/bad-layout.check"

finished=1
