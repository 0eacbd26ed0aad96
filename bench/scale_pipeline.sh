#!/usr/bin/env bash
# tumorboard's essential tools on one tumour/normal pair, as a plain script (bench/scale.py times
# it against the workflow on the same reads and cores):
#   per lane   fastp | bwa mem -K 100000000 | samtools fixmate -m | samtools sort
#   per sample samtools merge | samtools markdup (--write-index), mosdepth over the targets
#   patient    bcftools mpileup (tumour + normal, over the targets) | bcftools call -mv
#              | bcftools norm -m -any | bcftools sort | bcftools csq -l, tabix
# Flags as in workflow/rules/*.smk (align, qc, coverage, somatic, annotate); the caller is
# `bcftools call -mv` standing in for tumorboard's.  PLUMBING=stream (default) pipes fastp's
# interleaved output into bwa mem -p; PLUMBING=files writes fastp's trimmed FASTQ.gz first, as
# the workflow's fastp and bwa_mem jobs do.  The calling chain and mosdepth run side by side.
# Every tool process runs under /usr/bin/time: one line "step tool wall user sys maxrss_kb" per
# process in $OUT/steps.raw (bench/scale.py turns it into steps.tsv).
#
# usage: scale_pipeline.sh OUT READS REF TARGETS GFF TUMOUR NORMAL
#   READS/<sample>/<lane>_R{1,2}.fastq.gz for every lane of both samples
# environment: THREADS (2), PLUMBING (stream|files), MPILEUP ("-q 20 -Q 20 -d 10000 -L 10000 -m 2
#   -F 0.001"), MOSDEPTH ("--mapq 20 --thresholds 100,250,500"), BATCH_BASES (100000000)
set -euo pipefail

OUT=$1 READS=$2 REF=$3 TARGETS=$4 GFF=$5 TUMOUR=$6 NORMAL=$7
THREADS=${THREADS:-2}
PLUMBING=${PLUMBING:-stream}
MPILEUP=${MPILEUP:--q 20 -Q 20 -d 10000 -L 10000 -m 2 -F 0.001}
MOSDEPTH=${MOSDEPTH:---mapq 20 --thresholds 100,250,500}
BATCH_BASES=${BATCH_BASES:-100000000}
STEPS=$OUT/steps.raw
mkdir -p "$OUT"
: >"$STEPS"

# t STEP TOOL COMMAND...: COMMAND under /usr/bin/time, one line appended to $STEPS
t() {
	local step=$1 tool=$2
	shift 2
	/usr/bin/time -a -o "$STEPS" -f "$step"$'\t'"$tool"$'\t%e\t%U\t%S\t%M' "$@"
}

for s in "$TUMOUR" "$NORMAL"; do
	lanes=()
	for r1 in "$READS/$s"/*_R1.fastq.gz; do
		lane=$(basename "$r1" _R1.fastq.gz)
		r2=${r1%_R1.fastq.gz}_R2.fastq.gz
		bam=$OUT/$s.$lane.bam
		rg="@RG\tID:$s.$lane\tSM:$s\tLB:$s\tPL:ILLUMINA\tPU:$lane"
		rm -f "$bam".tmp.*.bam
		if [[ $PLUMBING == stream ]]; then
			t "align $s.$lane" fastp fastp --in1 "$r1" --in2 "$r2" --stdout \
				--json "$OUT/$s.$lane.fastp.json" --html /dev/null --thread "$THREADS" \
				--report_title "$s.$lane" 2>"$OUT/$s.$lane.fastp.log" |
				t "align $s.$lane" "bwa mem" bwa mem -p -t "$THREADS" -K "$BATCH_BASES" -R "$rg" \
					"$REF" - 2>"$OUT/$s.$lane.bwa.log" |
				t "align $s.$lane" "samtools fixmate" samtools fixmate -m -u - - |
				t "align $s.$lane" "samtools sort" samtools sort -@ "$THREADS" -m 500M \
					-T "$bam.tmp" -o "$bam" -
		else
			t1=$OUT/$s.$lane.trimmed_R1.fastq.gz t2=$OUT/$s.$lane.trimmed_R2.fastq.gz
			t "trim $s.$lane" fastp fastp --in1 "$r1" --in2 "$r2" --out1 "$t1" --out2 "$t2" \
				--json "$OUT/$s.$lane.fastp.json" --html /dev/null --thread "$THREADS" \
				--report_title "$s.$lane" 2>"$OUT/$s.$lane.fastp.log"
			t "align $s.$lane" "bwa mem" bwa mem -t "$THREADS" -K "$BATCH_BASES" -R "$rg" \
				"$REF" "$t1" "$t2" 2>"$OUT/$s.$lane.bwa.log" |
				t "align $s.$lane" "samtools fixmate" samtools fixmate -m -u - - |
				t "align $s.$lane" "samtools sort" samtools sort -@ "$THREADS" -m 500M \
					-T "$bam.tmp" -o "$bam" -
			rm -f "$t1" "$t2"
		fi
		lanes+=("$bam")
	done
	t "markdup $s" "samtools merge" samtools merge -u -o - "${lanes[@]}" |
		t "markdup $s" "samtools markdup" samtools markdup -@ "$THREADS" \
			-f "$OUT/$s.markdup.txt" --write-index - "$OUT/$s.bam##idx##$OUT/$s.bam.bai"
	rm -f "${lanes[@]}"
done

# coverage (both samples) beside the calling chain: both are mostly single-threaded
(
	for s in "$TUMOUR" "$NORMAL"; do
		# shellcheck disable=SC2086
		t "coverage $s" mosdepth mosdepth --no-per-base --by "$TARGETS" --threads "$THREADS" \
			$MOSDEPTH "$OUT/$s" "$OUT/$s.bam"
	done
) &
coverage=$!

vcf=$OUT/calls.vcf.gz
mkdir -p "$OUT/sort.tmp"
# shellcheck disable=SC2086
t call "bcftools mpileup" bcftools mpileup -f "$REF" -R "$TARGETS" $MPILEUP \
	-a FORMAT/AD,FORMAT/ADF,FORMAT/ADR,FORMAT/DP -Ou "$OUT/$TUMOUR.bam" "$OUT/$NORMAL.bam" |
	t call "bcftools call" bcftools call -mv -Ou - |
	t call "bcftools norm" bcftools norm --no-version -f "$REF" -m -any -Ou - |
	t call "bcftools sort" bcftools sort -T "$OUT/sort.tmp" -Ou - 2>/dev/null |
	t call "bcftools csq" bcftools csq --no-version -l -f "$REF" -g "$GFF" -Oz -o "$vcf" - \
		>"$OUT/csq.log" 2>&1
t call tabix tabix -f -p vcf "$vcf"
wait "$coverage"
