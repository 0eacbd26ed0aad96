"""Demo: simulated tumour and normal reads (art_illumina) on the demo reference, with known
variants and copy-number changes, for the demo run, the tests and the benchmarks."""
