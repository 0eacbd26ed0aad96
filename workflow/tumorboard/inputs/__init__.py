"""Inputs: the sample and unit sheets (validated against their JSON schemas, shipped as package
data) and the checks and unpacking of units given as BAM, CRAM or unaligned BAM instead of FASTQ.
Everything downstream sees patients, samples and units that passed these checks."""
