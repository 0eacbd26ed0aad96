# tumorboard: the two commands a user needs.
#   make demo   install what is missing, then run the simulated demo patient end to end
#   make test   install what is missing, then run the test suite
#   make resume after an interrupted `make demo` (kill -9, power cut): unlock and finish it
# MIRROR: a local copy of the external resources (air-gapped sites, CI); empty = download.
MIRROR ?= ../shared/data
CORES ?= 2
VENV := .venv
SNAKEMAKE := $(VENV)/bin/snakemake
DEMO_ARGS := --cores $(CORES) --configfile config/config.yaml config/demo/config.yaml .mirror.yaml

.PHONY: demo resume test install lint clean-demo

install:
	@workflow/setup/install.sh

demo: install
	@printf 'resources:\n  mirror: "%s"\n' "$(abspath $(MIRROR))" > .mirror.yaml
	$(SNAKEMAKE) $(DEMO_ARGS)
	@echo "report: $(CURDIR)/results/report/DEMO01.html"

# The same invocation as `make demo`, through tumorboard.resume: refuses while a run is still
# working here, removes the lock a killed run left, reruns its interrupted jobs from the start.
resume: install
	@printf 'resources:\n  mirror: "%s"\n' "$(abspath $(MIRROR))" > .mirror.yaml
	$(VENV)/bin/python -m tumorboard.resume $(DEMO_ARGS)
	@echo "report: $(CURDIR)/results/report/DEMO01.html"

test: install
	TUMORBOARD_MIRROR="$(abspath $(MIRROR))" $(VENV)/bin/python -m pytest -q

lint: install
	@printf 'resources:\n  mirror: "%s"\n' "$(abspath $(MIRROR))" > .mirror.yaml
	$(VENV)/bin/ruff check workflow tests bench
	$(SNAKEMAKE) --lint --configfile config/config.yaml .mirror.yaml

clean-demo:
	rm -rf results .snakemake/metadata

# Somatic SNV/indel calling benchmark (bench/README.md): simulated truth grid, normal-vs-normal
# pair and COLO829 real reads; tumorboard vs bcftools and freebayes -> bench/results/.
.PHONY: bench-calling
bench-calling: install
	$(VENV)/bin/python bench/calling.py --mirror "$(abspath $(MIRROR))"

# Copy-number benchmark (bench/README.md): simulated reads, gene copy number x purity x depth and
# captures without backbone / dominated by an amplified gene; tumorboard vs CNVkit (Debian
# package, bench/install_cnvkit.sh) vs naive depth ratios -> bench/results/cnv*.
.PHONY: bench-cnv bench-cnv-quick
bench-cnv: install
	@bench/install_cnvkit.sh
	$(VENV)/bin/python bench/cnv.py --cores $(CORES) --mirror "$(abspath $(MIRROR))"

bench-cnv-quick: install
	@bench/install_cnvkit.sh
	$(VENV)/bin/python bench/cnv.py --quick --cores $(CORES) --mirror "$(abspath $(MIRROR))"

# What bwa index costs (bench/README.md): wall, CPU and peak RSS of bwa index (is and bwtsw) on the
# real-coordinate test genome (294 Mb), scaled to GRCh38 -> bench/results/bwa_index.*  ~15 min.
.PHONY: bench-bwa-index
bench-bwa-index: install
	$(VENV)/bin/python bench/bwa_index.py --mirror "$(abspath $(MIRROR))"

# The demo through a real single-node SLURM (tests/integration/test_slurm.py): as root, installs
# slurm-wlm + munge when missing, starts munged/slurmctld/slurmd private to a temporary directory,
# runs the demo locally and with --workflow-profile profiles/slurm, compares the findings, checks
# the scheduler's job log, stops the daemons by pid. Not in `make test`: it needs root and starts
# daemons. About 15 min on 2 cores (local run 5.6 min + SLURM run 8.3 min, measured under load).
.PHONY: test-slurm
test-slurm: install
	TUMORBOARD_SLURM=1 TUMORBOARD_MIRROR="$(abspath $(MIRROR))" $(VENV)/bin/python -m pytest -q -s \
		tests/integration/test_slurm.py

# What planning a cohort costs (bench/README.md): snakemake -n on 10/100/300/1000 tumour/normal
# patients, wall, CPU, peak RSS, jobs and SLURM jobs -> bench/results/dryrun.{tsv,md}. ~5 min.
.PHONY: bench-dryrun
bench-dryrun: install
	$(VENV)/bin/python bench/dryrun.py --mirror "$(abspath $(MIRROR))" --label tumorboard

# What a patient costs (bench/README.md, issue #15): the workflow vs a plain script of its
# essential tools on the same simulated reads and cores, each stage's CPU share and peak RSS, CPU
# vs read pairs (tumour 250-2000x, a ~1 Mb territory), extrapolated to a 500-gene panel and an
# exome -> bench/results/scale*.  ~60 min on 2 cores; bench-scale-quick (250/500x) ~10 min.
.PHONY: bench-scale bench-scale-quick
bench-scale: install
	$(VENV)/bin/python bench/scale.py --cores $(CORES) --mirror "$(abspath $(MIRROR))"

bench-scale-quick: install
	$(VENV)/bin/python bench/scale.py --quick --cores $(CORES) --mirror "$(abspath $(MIRROR))"
