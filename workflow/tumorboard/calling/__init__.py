"""Calling: the somatic pileup model that weighs tumour against normal evidence read by read, the
panel of normals, and hotspot genotyping with a per-site limit of detection, so that every "not
detected" carries its depth and LoD."""
