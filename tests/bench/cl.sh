#!/bin/sh
# make bench-cl: the CodeTask continual-learning benchmark (git clmodel bench codetask).
# BENCH_CL_FULL=1 runs the full budget (hours); the default is --quick (minutes).
#
# Base model: pretrained with `git clmodel pretrain` on Java sources of the JDK (Debian package
# openjdk-17-source, installed here when missing) -- code that is in none of the tasks (the
# summarization task comes from the Python standard library). It is cached in
# $CLM_BUILD/cl-bench/base (500 steps of the tiny config; 5000 for the full budget) and rebuilt
# only when missing. Without a pretrain command the benchmark starts from a random model reading
# bytes, and says so. Data: tests/data/codetask, unpacked by make into $CLM_BUILD/data/codetask.
# Results: $CLM_BUILD/cl-bench/cl-bench.{json,md}.
set -u
: "${CLM_BIN:?run through tests/bench/run.sh (make bench-cl)}"
work="$CLM_BUILD/cl-bench"
mkdir -p "$work"
budget=--quick
[ "${BENCH_CL_FULL:-0}" = 1 ] && budget=

has_pretrain() {
	"$CLM_BIN" help 2>/dev/null | grep -E '^ +pretrain ' | grep -vq 'not available yet'
}
has_base_option() {
	"$CLM_BIN" bench -h 2>/dev/null | grep -q -- '--base'
}

base_args="--random-base tiny"
if has_pretrain && has_base_option; then
	if [ ! -f "$work/base/config.json" ]; then
		if [ ! -f /usr/lib/jvm/openjdk-17/lib/src.zip ]; then
			echo "bench-cl: installing openjdk-17-source for the pretraining corpus"
			sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-source >/dev/null || exit 1
		fi
		rm -rf "$work/jdk" && mkdir -p "$work/jdk"
		# java.base's java/util and java/io: a few MB of well-documented Java.
		(cd "$work/jdk" && unzip -q -o /usr/lib/jvm/openjdk-17/lib/src.zip 'java.base/java/util/*' 'java.base/java/io/*') || exit 1
		steps=${BENCH_CL_PRETRAIN_STEPS:-500}
		[ -z "$budget" ] && steps=${BENCH_CL_PRETRAIN_STEPS:-5000}
		echo "bench-cl: pretraining the base model: git clmodel pretrain --corpus $work/jdk --config tiny --steps $steps"
		"$CLM_BIN" pretrain --corpus "$work/jdk" --config tiny --steps "$steps" --out "$work/base" || exit 1
	fi
	base_args="--base $work/base"
else
	echo "bench-cl: no pretrain command or bench --base in this build: starting from a random byte-level model"
fi

echo "bench-cl: git clmodel bench codetask $budget $base_args"
# The matrices are small: one OpenBLAS thread beats two on a shared two-core machine.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
start=$(date +%s)
"$CLM_BIN" bench codetask $budget $base_args --data "$CLM_BUILD/data/codetask" \
	--python /usr/lib/python3.11 -o "$work" || exit 1
echo "bench-cl: wall time $(( $(date +%s) - start )) s; results in $work/cl-bench.md and cl-bench.json"
