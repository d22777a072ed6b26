#!/bin/sh
# git clmodel score reproduces the CodeXGLUE evaluators' numbers on the metric test vectors,
# prints every metric with --json, and fails clearly on bad input.
. "$CLM_TOP/tests/integration/lib.sh"

# The vectors are part of the repository (tests/data/metrics): a missing file fails the cases below.
data="$CLM_DATA/metrics"

# expected.json is one key per line: turn each case into "name bleu em smooth".
awk -F': ' '
	/"name"/ { gsub(/[",]/, "", $2); name = $2 }
	/"corpus_bleu4"/ { gsub(/,/, "", $2); bleu = $2 }
	/"exact_match"/ { gsub(/,/, "", $2); em = $2 }
	/"smoothed_sentence_bleu4"/ { gsub(/,/, "", $2); print name, bleu, em, $2 }
' "$data/expected.json" > cases
t_ok "expected.json lists cases" test -s cases

# close WANT GOT: the two numbers differ by at most 0.01
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.0100001) }'; }
score_is() {
	metric=$1 label=$2 want=$3 name=$4
	got=$(clm score --metric "$metric" --pred "$data/$name.pred" --ref "$data/$name.ref" | sed -n "s/^$label: //p")
	[ -n "$got" ] && close "$want" "$got" || { echo "$name $metric: got '$got', want $want"; return 1; }
}
while read -r name bleu em smooth; do
	t_ok "$name BLEU $bleu" score_is bleu BLEU "$bleu" "$name"
	t_ok "$name EM $em" score_is em EM "$em" "$name"
	t_ok "$name smoothed BLEU $smooth" score_is smooth-bleu "smoothed BLEU" "$smooth" "$name"
done < cases

p="$data/concode-L1.pred" r="$data/concode-L1.ref"
t_grep "--json prints every metric" '"bleu":69\.4[0-9]*,"codebleu":\{.*"score":.*\},"em":6(\.0)?,"lines":200,"smooth_bleu":71\.5' \
	clm score --json --lang java --pred "$p" --ref "$r"
t_grep "--json without --lang has codebleu null" '"codebleu":null' clm score --json --pred "$p" --ref "$r"
t_grep "all metrics by default" '^smoothed BLEU: 71\.59' clm score --pred "$p" --ref "$r"
t_grep "identical Java scores CodeBLEU 100" '^CodeBLEU: 100\.00' \
	clm score --metric codebleu --lang java --pred "$data/concode-L0.pred" --ref "$data/concode-L0.ref"
t_grep "C# CodeBLEU parts are printed" 'ngram match: .*dataflow match: ' \
	clm score --metric codebleu --lang csharp --pred "$data/codetrans-L2.pred" --ref "$data/codetrans-L2.ref"

printf 'x = 1\n' > py.ref
printf 'y = 1\n' > py.pred
t_grep "Python CodeBLEU keeps data flow under renaming" 'dataflow match: 100\.00' \
	clm score --metric codebleu --lang python --pred py.pred --ref py.ref

t_exit 1 "line count mismatch fails" clm score --pred "$p" --ref "$data/codetrans-L1.ref"
t_grep "line count mismatch says so" "has 200 lines but .* has 400" clm score --pred "$p" --ref "$data/codetrans-L1.ref"
t_exit 1 "missing prediction file fails" clm score --pred missing.txt --ref "$r"
t_grep "missing file is named" "cannot open 'missing.txt'" clm score --pred missing.txt --ref "$r"
: > empty.txt
t_grep "empty reference file is refused" "'empty.txt' has no lines" clm score --pred empty.txt --ref empty.txt
t_exit 129 "unknown metric is a usage error" clm score --metric blue --pred "$p" --ref "$r"
t_grep "unknown metric is named" "unknown metric 'blue'" clm score --metric blue --pred "$p" --ref "$r"
t_exit 129 "unknown language is a usage error" clm score --lang cobol --pred "$p" --ref "$r"
t_grep "unknown language is named" "unknown language 'cobol'" clm score --lang cobol --pred "$p" --ref "$r"
t_exit 129 "codebleu without --lang" clm score --metric codebleu --pred "$p" --ref "$r"
t_exit 129 "--pred and --ref are required" clm score --ref "$r"
t_done
