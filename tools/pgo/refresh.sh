#!/usr/bin/env bash
# Rebuilds cmd/worker/default.pgo, the CPU profile that `go build ./cmd/worker`
# optimises the worker with (profile-guided optimisation: hot calls inlined,
# hot code laid out together). The profile merges the worker's usual work, a
# batch run over articles generated from the development corpus (decode,
# clean, dedup, enrich), with the dedup index's decision path at a full
# window of a million articles (BenchmarkAdd). Run it from anywhere in the
# repository after changes to hot code, and commit the profile it writes;
# needs ../shared beside the repository, as the tests do.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run ./cmd/loadbench -dump "$tmp/articles.jsonl" -n 30000
go build -pgo=off -o "$tmp/worker" ./cmd/worker
"$tmp/worker" batch -profile-dir "$tmp/worker-profile" "$tmp/articles.jsonl" >/dev/null
go test -pgo=off -o "$tmp/dedup.test" -run '^$' -bench 'Add/indexed=1000000$' \
	-benchtime 200000x -cpu 1 -cpuprofile "$tmp/dedup.pprof" ./pipeline/dedup >/dev/null
go tool pprof -proto "$tmp/worker-profile/cpu.pprof" "$tmp/dedup.pprof" >cmd/worker/default.pgo
echo "wrote cmd/worker/default.pgo"
