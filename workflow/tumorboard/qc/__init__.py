"""Quality control: per-target and per-gene coverage tables of each sample, with the depth the
findings and the limits of detection rely on."""
