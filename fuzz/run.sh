#!/usr/bin/env bash
# Runs every fuzz target for a while, then the property tests with many more cases than CI
# uses. Usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 600)
#
# cargo-fuzz runs on stable without a sanitizer (`-s none`); install it once with
# `cargo install cargo-fuzz --locked`. Crashes land in fuzz/artifacts/TARGET/; minimise one
# with `cargo fuzz tmin -s none TARGET FILE` and commit it as a regression test.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
for target in parse check vm_line; do
    echo "== $target for ${secs}s"
    cargo fuzz run -s none "$target" -- -max_total_time="$secs" -print_final_stats=1 2>&1 | tail -n 25
done
cd ..
echo "== property tests, 20000 cases each"
PROPTEST_CASES=20000 cargo test --release -p dialscript-tests --test properties
