"""The cohort view over every patient's findings document: the summary table and oncoprint, the
MAF and discrete copy-number table cBioPortal imports, and the cBioPortal study built from them
with the importer's own consistency checks."""
