#!/bin/sh
# git clmodel report on a fixture repository with two learned tasks, a candidate that failed the
# gate and a pin on a tag whose name carries markup: the page's structure and escaping, --json
# equal to what eval records, and the page in a real browser (headless Chromium): no console
# errors, screenshots at desktop and phone widths, a PDF, and heatmap values read back from the
# rendered DOM equal to eval --json's matrix.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
clm init --base ../base -q >/dev/null 2>&1
git config clmodel.gate.minScore 101
clm update -q --steps 3 --batch-size 2 >/dev/null 2>&1
git config clmodel.gate.minScore 0
clm update -q --steps 3 --batch-size 2 >/dev/null 2>&1
evil='v1<script>alert("x")</script>'"'"
git tag "$evil"
clm pin "$evil" -q >/dev/null 2>&1

t_ok "report writes a page" clm report -q --out ../r.html
t_ok "the page is one HTML document" sh -c 'head -c 15 ../r.html | grep -q "<!DOCTYPE html>" && tail -c 8 ../r.html | grep -q "</html>"'
t_exit 1 "no script tag reaches the page" grep -q '<script' ../r.html
t_grep "the tag's name is shown escaped" 'pin v1&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt;&#39;' cat ../r.html
t_exit 1 "nothing is loaded from the network" grep -Eq 'src=|href="?https?:' ../r.html
t_grep "the candidate is listed with the gate's reason" 'below clmodel.gate.minScore' cat ../r.html
t_grep "examples carry the head's prediction" "head&#39;s prediction|head's prediction" cat ../r.html
t_ok "report --json" sh -c '"$CLM_BIN" report --json --examples 1 > ../report.json'
clm eval --json > ../eval.json 2>/dev/null
t_ok "--json's matrix is the one eval records" node -e '
	const r = require(process.argv[1]), e = require(process.argv[2]);
	if (JSON.stringify(r.matrix) !== JSON.stringify(e.matrix)) process.exit(1);
	if (r.tasks.length !== e.matrix.tasks.length || r.candidates.length !== 1) process.exit(2);
	if (!r.versions.some(v => v.marks.some(m => m.kind === "pin"))) process.exit(3);' "$PWD/../report.json" "$PWD/../eval.json"
t_exit 129 "an argument is a usage error" clm report extra
t_exit 1 "a bench file that is not one is refused" sh -c 'echo "{}" > ../b.json; "$CLM_BIN" report -q --bench ../b.json --out ../x.html'

# The page in a real browser.
chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then
	t_ok "chromium is installed (make deps installs it)" false
	t_done
fi
shots="$CLM_BUILD/report"
mkdir -p "$shots"
browse() {
	"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$PWD/../chrome-profile" \
		--enable-logging=stderr --v=0 "$@" "file://$PWD/../r.html"
}
browse --window-size=1280,2200 --screenshot="$shots/report-1280.png" > ../chrome1.log 2>&1
browse --window-size=390,2600 --screenshot="$shots/report-390.png" > ../chrome2.log 2>&1
browse --no-pdf-header-footer --print-to-pdf="$shots/report.pdf" > ../chrome3.log 2>&1
browse --dump-dom > ../dom.html 2> ../chrome4.log
t_exit 1 "no console errors" grep -hE 'CONSOLE|Uncaught|SyntaxError' ../chrome1.log ../chrome2.log ../chrome3.log ../chrome4.log
t_ok "desktop screenshot is not empty" test "$(wc -c < "$shots/report-1280.png")" -gt 30000
t_ok "phone screenshot is not empty" test "$(wc -c < "$shots/report-390.png")" -gt 30000
t_ok "prints to PDF" sh -c 'head -c 5 "$1" | grep -q "%PDF" && test "$(wc -c < "$1")" -gt 10000' - "$shots/report.pdf"
t_ok "the rendered heatmap's cells are eval's matrix" node -e '
	const fs = require("fs"), e = require(process.argv[2]);
	const dom = fs.readFileSync(process.argv[1], "utf8");
	const sec = dom.slice(dom.indexOf("<section id=\"matrix\">"), dom.indexOf("<section id=\"history\">"));
	const seen = [...sec.matchAll(/data-row="(\d+)" data-col="(\d+)" data-value="([-0-9.]+)"/g)].map(m => m.slice(1).join(":"));
	const want = [];
	e.matrix.R.forEach((row, i) => row.forEach((v, j) => { if (v !== null) want.push(i + ":" + j + ":" + v.toFixed(2)); }));
	if (seen.length === 0 || seen.join(",") !== want.join(",")) { console.error(seen, want); process.exit(1); }' "$PWD/../dom.html" "$PWD/../eval.json"
t_done
