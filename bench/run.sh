#!/bin/sh
# Runs every benchmark and rewrites BENCHMARKS.md from the numbers it measured.
#
#   bench/run.sh           # the full run: each benchmark twice, the quieter run kept
#   bench/run.sh --quick   # fewer repetitions and one run, printed instead of written
#
# Peers: ruff (`pip install ruff`), python3, tclsh, pppd's chat (Debian package `ppp`) and
# expect. A peer that is missing becomes a row that says so; nothing here fails because the
# machine is slow. The machine should be otherwise idle: the script waits a while for the
# load average to fall below half the number of cores, then runs anyway and records the load.
set -eu

cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
attempts=${BENCH_ATTEMPTS:-2}
quick=
if [ "${1:-}" = "--quick" ]; then
    quick=--quick
    attempts=1
fi

cargo build --release -p dialscript-cli -p dialscript-bench --bins

# Other work on the machine makes every number worse; give it up to five minutes to finish.
cores=$(nproc)
waited=0
while [ "$waited" -lt 300 ]; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l < c / 2) }'; then
        break
    fi
    echo "load average $load on $cores cores; waiting for it to fall" >&2
    sleep 15
    waited=$((waited + 15))
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

suite="$target/release/bench-suite"
parse_runs=
i=1
while [ "$i" -le "$attempts" ]; do
    "$suite" exec --out "$tmp/parse-$i.json" -- \
        cargo bench -p dialscript-bench --bench parse
    parse_runs="$parse_runs --parse $tmp/parse-$i.json"
    i=$((i + 1))
done

if [ -n "$quick" ]; then
    # shellcheck disable=SC2086 # one word per option, on purpose
    "$suite" report --dialscript "$target/release/dialscript" --attempts "$attempts" \
        $parse_runs --quick
else
    # shellcheck disable=SC2086
    "$suite" report --dialscript "$target/release/dialscript" --attempts "$attempts" \
        $parse_runs --out BENCHMARKS.md
    echo "wrote BENCHMARKS.md" >&2
fi
