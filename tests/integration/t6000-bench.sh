#!/bin/sh
# git clmodel bench codetask on a tiny fixture stream: the table, the JSON and the usage errors.
. "$CLM_TOP/tests/integration/lib.sh"

mkdir -p data/concode data/codetrans data/bugs2fix py/pkg
for fam in concode codetrans bugs2fix; do
	for split in train valid; do
		: > data/$fam/$split.jsonl
		for i in 1 2 3 4 5 6; do
			printf '{"id": "%s-%s-%d", "source": "int f%d ( ) { return %d ; }", "target": "int g%d ( ) { return %d ; }"}\n' \
				$fam $split $i $i $i $i $i >> data/$fam/$split.jsonl
		done
	done
done
i=0
while [ $i -lt 40 ]; do
	printf 'def func_%d(x):\n    """Return the value %d added to x."""\n    return x + %d\n\n' $i $i $i >> py/pkg/mod.py
	i=$((i + 1))
done

run() {
	clm bench codetask --random-base tiny --data data --python py --steps 2 --batch-size 2 \
		--train-limit 6 --eval-limit 2 --max-new-tokens 4 --prompt-len 3 --top-k 2 "$@"
}

t_ok "the benchmark runs on a tiny stream" run --strategies seqft,tspt,pp-tf+replay -o out -q
t_ok "it writes the JSON results" test -s out/cl-bench.json
t_ok "it writes the Markdown table" test -s out/cl-bench.md
t_grep "the table has a row per strategy and individual fine-tuning" '^\| individual \|' cat out/cl-bench.md
t_grep "pp-tf+replay has a row" '^\| pp-tf\+replay \| [0-9]' cat out/cl-bench.md
t_grep "the columns of the study" 'concode \(codebleu / EM\).*pydoc \(smooth-bleu / EM\).*forgetting \| BWT' cat out/cl-bench.md
t_grep "prompt selections are listed per task" '^pydoc: [0-9]+:[0-9]' cat out/cl-bench.md
t_grep "the JSON holds the accuracy matrix" '"R": \[' cat out/cl-bench.json
t_grep "the JSON holds the bytes per version" '"bytes_per_version"' cat out/cl-bench.json
t_grep "--json prints the results" '"rows"' run --strategies seqft --no-individual --json -q
t_exit 129 "an unknown strategy is a usage error" run --strategies seqft,sgd
t_exit 129 "an unknown benchmark is a usage error" clm bench glue --random-base tiny --data data
t_exit 129 "--base and --random-base exclude each other" clm bench codetask --random-base tiny --base b --data data
t_exit 1 "a missing base model is a runtime error" clm bench codetask --base nowhere --data data --python py
t_exit 129 "--data is required" clm bench codetask --random-base tiny
t_exit 1 "a missing data folder is a runtime error" clm bench codetask --random-base tiny --data nowhere --python py
t_grep "and says which file" 'nowhere/concode/train.jsonl' clm bench codetask --random-base tiny --data nowhere --python py
t_done
