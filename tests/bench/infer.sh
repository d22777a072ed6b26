#!/bin/sh
# make bench-infer: our engine against llama.cpp (node-llama-cpp 3.21.1, tests/llama/setup.sh) on
# the same GGUF file, a qwen2 model with the shapes of Qwen2.5-Coder-0.5B and random weights
# (bench_infer write), in F32, Q8_0 and Q4_K: the same 512-token prompt (ids 1..512), 64 greedy
# tokens, the same thread count, RUNS alternating runs of each side; medians of prompt and
# generated tokens/s (by the clock and by process CPU time, which a shared machine distorts less),
# the largest peak RSS, load time. Files are kept in BENCH_DIR between runs.
# Environment: THREADS (1), PROMPT (512), NEW (64), RUNS (3), TYPES ("F32 Q8_0 Q4_K"), BENCH_DIR.
set -u
top=${CLM_TOP:?} bin=${CLM_BUILD:?}/bench/bench_infer
THREADS=${THREADS:-1} PROMPT=${PROMPT:-512} NEW=${NEW:-64} RUNS=${RUNS:-3} TYPES=${TYPES:-"F32 Q8_0 Q4_K"}
dir=${BENCH_DIR:-$CLM_BUILD/bench-infer}
mkdir -p "$dir" || exit 1
modules=$(sh "$top/tests/llama/setup.sh") || { echo "bench-infer: node-llama-cpp is unavailable (no node or offline)" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/^$1: //p" "$2"; }

echo "threads: $THREADS"
echo "prompt_tokens: $PROMPT"
echo "new_tokens: $NEW"
echo "runs: $RUNS"
echo "load_at_start: $(uptime | sed 's/.*load average: //')"
for t in $TYPES; do
	f="$dir/qwen2.5-coder-0.5b-shape-$t.gguf"
	[ -s "$f" ] || "$bin" write "$f" "$t" || exit 1
	lt=$(echo "$t" | tr 'A-Z' 'a-z')
	rm -f "$dir"/ours.* "$dir"/llamacpp.*
	r=1
	while [ "$r" -le "$RUNS" ]; do
		OPENBLAS_NUM_THREADS=$THREADS "$bin" run "$f" "$PROMPT" "$NEW" > "$dir/ours.$r" || exit 1
		node "$top/tests/llama/bench.mjs" "$modules" "$f" "$THREADS" "$PROMPT" "$NEW" > "$dir/llamacpp.$r" || exit 1
		r=$((r + 1))
	done
	echo "${lt}_file_mib: $(( $(wc -c < "$f") / 1048576 ))"
	for side in ours llamacpp; do
		for k in load_s prompt_tokens_per_s gen_tokens_per_s prompt_tokens_per_cpu_s gen_tokens_per_cpu_s; do
			echo "${lt}_${side}_$k: $(for x in "$dir/$side".*; do field "$k" "$x"; done | median)"
		done
		echo "${lt}_${side}_peak_rss_mib: $(for x in "$dir/$side".*; do field peak_rss_mib "$x"; done | sort -n | tail -1)"
	done
	for k in prompt_tokens_per_s gen_tokens_per_s prompt_tokens_per_cpu_s gen_tokens_per_cpu_s; do
		o=$(for x in "$dir"/ours.*; do field "$k" "$x"; done | median)
		l=$(for x in "$dir"/llamacpp.*; do field "$k" "$x"; done | median)
		name=$(echo "$k" | sed 's/_tokens_per_s$//; s/_tokens_per_cpu_s$/_cpu/')
		echo "ratio_vs_llamacpp_${lt}_$name: $(awk -v o="$o" -v l="$l" 'BEGIN { printf "%.3f", o / l }')"
	done
done
echo "load_at_end: $(uptime | sed 's/.*load average: //')"
