"""Annotation: HGVS c./p. names of variants on MANE Select transcripts (from bcftools csq
consequences and the gene model), and the import of an external VCF for a patient that starts from
called variants instead of reads."""
