"""What is known about alterations and what it means for a patient: the knowledge base's sources
(CIViC exports, the project's biomarker table, the versioned JSON built from them), the alteration
vocabulary its evidence is written in, matching that evidence against a patient's findings by gene
and protein change, the AMP/ASCO/CAP tiers, and the tumour-type ontology both sides resolve to."""
