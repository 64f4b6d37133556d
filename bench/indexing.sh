#!/usr/bin/env bash
# Indexing figures for BENCHMARKS.md (issue 7): a full index of a corpus by polsearch and,
# in the same run, pdftotext (poppler-utils, installed when missing) over the same PDFs with
# the same number of parallel processes, alternating, ROUNDS times each; then a re-index
# with nothing changed. Prints wall seconds (median and range), peak memory, pages/s, MB/s,
# and index size against extracted text size.
#
#   bench/indexing.sh [CORPUS] [THREADS]     defaults: ../shared/corpus, 2
#   ROUNDS=5 bench/indexing.sh               default 3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

corpus=${1:-../shared/corpus}
threads=${2:-2}
rounds=${ROUNDS:-3}
need_corpus "$corpus"
need_command pdftotext poppler-utils
build_release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pdfs=$(find "$corpus" -type f -iname '*.pdf' | wc -l)
pdf_mb=$(find "$corpus" -type f -iname '*.pdf' -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1048576}')
# GNU time: wall seconds and peak resident KiB of the process (the largest child for xargs).
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1 || true; cat "$work/time"; }

: >"$work/ours"; : >"$work/theirs"
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/index" "$work/txt"; mkdir -p "$work/txt"
  timed "$bin" index --corpus "$corpus" --index "$work/index" --threads "$threads" --json >>"$work/ours"
  tail -1 "$work/out" >"$work/fresh.json"
  timed sh -c "find '$corpus' -type f -iname '*.pdf' -print0 |
    xargs -0 -P$threads -I{} sh -c 'pdftotext -q \"\$1\" \"$work/txt/\$(basename \"\$1\").txt\" || true' _ {}" >>"$work/theirs"
done
summary=$(cat "$work/fresh.json")
again=$(timed "$bin" index --corpus "$corpus" --index "$work/index" --threads "$threads" --json)

stats() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f s (%.2f-%.2f)", m, a[1], a[NR]}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
ours_s=$(cut -d' ' -f1 "$work/ours" | median)
theirs_s=$(cut -d' ' -f1 "$work/theirs" | median)
ours_kb=$(cut -d' ' -f2 "$work/ours" | sort -n | tail -1)
pages=$(echo "$summary" | sed -n 's/.*"pages":\([0-9]*\).*/\1/p')
index_mb=$(du -sm "$work/index" | cut -f1)
cache_mb=$(du -sm "$work/index/extracted" 2>/dev/null | cut -f1 || echo 0)
text_mb=$(du -sm "$work/txt" | cut -f1)

echo "corpus: $corpus ($pdfs PDFs, $pdf_mb MB of PDF), $threads threads / processes, $rounds rounds"
echo "| run | wall, median (range) | peak RSS | notes |"
echo "|---|---|---|---|"
echo "| polsearch index (fresh index) | $(cut -d' ' -f1 "$work/ours" | stats) | $((ours_kb / 1024)) MB | $(awk -v s="$ours_s" -v m="$pdf_mb" -v p="$pages" 'BEGIN {printf "%.0f pages/s, %.1f MB of PDF/s", p/s, m/s}') |"
echo "| pdftotext, same PDFs | $(cut -d' ' -f1 "$work/theirs" | stats) | $(( $(cut -d' ' -f2 "$work/theirs" | sort -n | tail -1) / 1024 )) MB | extraction only |"
echo "| polsearch index, nothing changed | $(echo "$again" | cut -d' ' -f1) s | $(( $(echo "$again" | cut -d' ' -f2) / 1024 )) MB | |"
echo
echo "ratio polsearch / pdftotext: $(awk -v a="$ours_s" -v b="$theirs_s" 'BEGIN {printf "%.2f", a/b}')"
echo "index: $index_mb MB (of which the extraction cache $cache_mb MB); pdftotext text: $text_mb MB"
echo "fresh run summary: $summary"
