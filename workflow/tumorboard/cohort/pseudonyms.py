"""Pseudonymous cohort outputs (config ``cohort.pseudonymise``).

With the option on, the cohort files (``results/cohort/``: summary table, MAF, copy-number
table, oncoprint, cBioPortal study) name patients and samples by pseudonyms, and the key that
maps each pseudonym back to the sheet's identifiers is written apart, to
``results/pseudonyms/key.tsv``, so that the cohort directory can be shared without it.

Pseudonyms are ``<prefix><n>`` numbered in sample-sheet order (``PT001``, ``PT002``, ...), the
tumour sample ``<pseudonym>-T`` and the normal ``<pseudonym>-N``: they carry nothing of the
identifiers (unlike a hash of them, which anyone holding a list of candidate identifiers could
reverse), and the same sheet gives the same pseudonyms on every run.  They are pseudonyms, not
anonymisation: the key re-identifies, and the findings themselves (rare variants) may too.

Identifiers reach the cohort files only through the findings fields replaced here: ``patient``,
``tumour_sample``, ``normal_sample``, the samples of ``qc`` and ``coverage``, and ``qc``
reasons that name a sample; the imported VCF's file name (``input.vcf``) is dropped, as it often
carries them.
"""

from __future__ import annotations

import copy
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KEY_COLUMNS = ["pseudonym", "patient", "tumour_pseudonym", "tumour_sample", "normal_pseudonym",
               "normal_sample"]  # fmt: skip


@dataclass(frozen=True)
class Pseudonym:
    pseudonym: str
    patient: str
    tumour_pseudonym: str
    tumour_sample: str
    normal_pseudonym: str
    normal_sample: str

    def names(self) -> dict[str, str]:
        """Identifier -> pseudonym, for the patient and its samples."""
        out = {self.patient: self.pseudonym, self.tumour_sample: self.tumour_pseudonym}
        if self.normal_sample:
            out[self.normal_sample] = self.normal_pseudonym
        return out


def assign(cohort: Sequence[dict], prefix: str = "PT") -> list[Pseudonym]:
    """One pseudonym per patient, numbered in the order given (the sample sheet's)."""
    width = max(3, len(str(len(cohort))))
    key = []
    for i, f in enumerate(cohort, 1):
        p = f"{prefix}{i:0{width}d}"
        normal = f.get("normal_sample") or ""
        key.append(Pseudonym(p, f["patient"], f"{p}-T", f["tumour_sample"],
                             f"{p}-N" if normal else "", normal))  # fmt: skip
    return key


def _replace_in_text(text: str, names: dict[str, str]) -> str:
    """Whole-identifier replacement in free text (identifiers may hold . _ -)."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", names[name], text)
    return text


def apply(cohort: Sequence[dict], key: Sequence[Pseudonym]) -> list[dict]:
    """Copies of the findings documents with identifiers replaced by their pseudonyms."""
    out = []
    for f, p in zip(cohort, key, strict=True):
        if f["patient"] != p.patient:
            raise ValueError(f"pseudonym key out of order: {p.patient} for {f['patient']}")
        names = p.names()
        doc = copy.deepcopy(f)
        doc["patient"] = p.pseudonym
        doc["tumour_sample"] = p.tumour_pseudonym
        if doc.get("normal_sample"):
            doc["normal_sample"] = p.normal_pseudonym
        for row in [*(doc.get("coverage") or []), *((doc.get("qc") or {}).get("samples") or [])]:
            if row.get("sample") in names:
                row["sample"] = names[row["sample"]]
        if doc.get("qc"):
            doc["qc"]["reasons"] = [_replace_in_text(r, names) for r in doc["qc"]["reasons"]]
        if isinstance(doc.get("input"), dict):
            doc["input"].pop("vcf", None)
        out.append(doc)
    return out


def write_key(key: Sequence[Pseudonym], path: str | Path) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(KEY_COLUMNS)
        for p in key:
            writer.writerow([getattr(p, c) for c in KEY_COLUMNS])


def cohort_view(cohort: Sequence[dict], settings: dict) -> list[dict]:
    """The findings the cohort files are made from: as they are, or pseudonymised when
    ``settings`` (config ``cohort``) says so."""
    if not settings.get("pseudonymise"):
        return list(cohort)
    return apply(cohort, assign(cohort, settings.get("pseudonym_prefix", "PT")))
