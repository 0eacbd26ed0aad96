"""Diplotype and phenotype per gene from the site calls, with CPIC's rules (sources in
``resources/pgx/guidance.tsv``).  Reads give no phase: when two variants could sit on one
chromosome or on two, the call says so.

* **DPYD** (CPIC 2017 update, January 2024 update): activity score = the sum of the activity
  values of the two lowest-activity alleles, a reference allele counting 1; each variant copy is an
  allele (a heterozygous variant one copy, a homozygous one two).  Two different variants are
  assumed to lie on different chromosomes (in trans), as CPIC does, and the call says that in cis
  the score would be higher.  HapB3 is called from its causal variant c.1129-5923C>G; the exonic
  tag c.1236G>A alone is called reference (as PharmCAT does), and is used, with a stated caveat,
  only when the causal site is not evaluable.  Score 2 normal, 1-1.5 intermediate, 0-0.5 poor
  metaboliser.  A counted site that is not evaluable leaves the score undetermined unless the
  evaluable sites already give 0.
* **UGT1A1** (CPIC, Gammal et al. 2016 and updates): decreased-function alleles *28 and *37 (TA
  repeat) and *6; *36 increased, *1 normal; *80 alone is of unknown function (with *28 or *37
  decreased; November 2017 update and current CPIC function table), so *80 copies beyond the
  *28/*37 copies make the phenotype indeterminate.  None decreased: normal; one: intermediate; two:
  poor metaboliser (two different decreased alleles are assumed in trans; stated).
* **TPMT** (CPIC 2018 update): *2, *3B and *3C no function; c.460G>A with c.719A>G on one
  chromosome is *3A.  One c.460G>A and one c.719A>G, unphased, is *1/*3A (intermediate) or
  *3B/*3C (poor): ambiguous, and said so.  No-function alleles 0 normal, 1 intermediate, 2 poor.
* **NUDT15** (CPIC 2018 update): c.415C>T (*3, also part of *2; both no function) 0/1/2 copies:
  normal / intermediate / poor.
"""

from __future__ import annotations

from .tables import Site

NORMAL, INTERMEDIATE, POOR = "normal metaboliser", "intermediate metaboliser", "poor metaboliser"
INDETERMINATE, NOT_DETERMINED = "indeterminate", "not determined"
TRANS_NOTE = (
    "phase not observed: the variants are assumed to lie on different chromosomes (in trans)"
)

# what each gene's sites leave out (the panel calls these variants only, not every star allele)
NOT_COVERED = {
    "DPYD": "other DPYD variants (e.g. c.557A>G, c.868A>G, c.2279C>T and rare variants) and "
    "gene deletions are not typed",
    "UGT1A1": "other UGT1A1 alleles (e.g. *27, *7) and TA-repeat lengths beyond 5-8 are not "
    "interpreted",
    "TPMT": "*4, *8 and other rare TPMT alleles are not typed",
    "NUDT15": "the 6-bp insertion of *2 (rs746071566) is not typed, so *2 and *3 (both no "
    "function) are not told apart; *9 and other alleles are not typed",
}


def _by_site(calls: list[dict]) -> dict[str, dict]:
    return {c["site"]: c for c in calls}


def _fmt(score: float) -> str:
    return f"{score:g}"


def dpyd(calls: list[dict], sites: list[Site]) -> dict:
    """DPYD activity score, diplotype and phenotype (module docstring)."""
    by = _by_site(calls)
    counted = [s for s in sites if s.gene == "DPYD" and s.counts == "yes"]
    tags = [s for s in sites if s.gene == "DPYD" and s.counts == "tag"]
    notes: list[str] = []
    copies: list[tuple[float, str]] = []  # (activity value, label) per variant allele
    missing = []
    for s in counted:
        c = by.get(s.site)
        if c is None or c["status"] != "genotyped":
            missing.append(s)
            continue
        label = s.hgvs_c.split(":")[-1] + (f" ({s.allele})" if s.allele[0] == "*" or
                                           s.allele == "HapB3" else "")  # fmt: skip
        copies += [(s.activity_value, label)] * c["alt_copies"]
    for t in tags:
        c = by.get(t.site)
        if not c or c["status"] != "genotyped" or not c["alt_copies"]:
            continue
        causal = [s for s in counted if s.allele == "HapB3"]
        if causal and all(s in missing for s in causal):
            tag = f"{t.hgvs_c.split(':')[-1]} (HapB3 tag)"
            copies += [(t.activity_value, tag)] * c["alt_copies"]
            missing = [s for s in missing if s not in causal]
            notes.append("HapB3 inferred from the tag c.1236G>A because c.1129-5923C>G was not "
                         "evaluable; rarely the causal variant is absent with the tag (CPIC "
                         "2024)")  # fmt: skip
        else:
            notes.append("c.1236G>A (HapB3 tag) seen without the causal c.1129-5923C>G: called "
                         "reference (CPIC 2024; PharmCAT)")  # fmt: skip
    copies.sort()
    lowest = copies[:2]
    score = sum(v for v, _ in lowest) + (2 - len(lowest)) * 1.0
    labels = [lab for _, lab in lowest] + ["Reference"] * (2 - len(lowest))
    if len({lab for _, lab in copies}) > 1:
        notes.append(TRANS_NOTE + "; in cis the activity score would be higher")
    if len(copies) > 2:
        notes.append("more than two variant alleles: the two lowest-activity ones decide (CPIC)")
    out = {"gene": "DPYD", "diplotype": " / ".join(labels), "activity_score": score,
           "notes": notes}  # fmt: skip
    if missing and score > 0:
        names = ", ".join(s.hgvs_c.split(":")[-1] for s in missing)
        return out | {"phenotype": NOT_DETERMINED, "key": NOT_DETERMINED, "activity_score": None,
                      "diplotype": f"{out['diplotype']} at the evaluable sites",
                      "reason": f"{names} not evaluable: activity score at most "
                                f"{_fmt(score)}"}  # fmt: skip
    phenotype = NORMAL if score >= 2 else INTERMEDIATE if score >= 1 else POOR
    return out | {"phenotype": phenotype, "key": _fmt(score)}


def ugt1a1(calls: list[dict], sites: list[Site]) -> dict:
    """UGT1A1 diplotype and phenotype (module docstring)."""
    by = _by_site(calls)
    rows = [s for s in sites if s.gene == "UGT1A1"]
    repeat = next((by.get(s.site) for s in rows if s.kind == "ta_repeat"), None)
    star6 = next((by.get(s.site) for s in rows if s.allele == "*6"), None)
    star80 = next((by.get(s.site) for s in rows if s.allele == "*80"), None)
    notes: list[str] = []
    needed = {"TA repeat": repeat, "*6": star6}
    missing = [n for n, c in needed.items() if c is None or c["status"] != "genotyped"]
    if missing:
        return {"gene": "UGT1A1", "phenotype": NOT_DETERMINED, "key": NOT_DETERMINED,
                "diplotype": None, "notes": notes,
                "reason": f"{', '.join(missing)} not evaluable"}  # fmt: skip
    function = {s.allele: s.function for s in rows if s.kind == "ta_repeat"}
    alleles = list(repeat["alleles"])
    unknown = [a for a in alleles if a not in function]
    decreased = [a for a in alleles if function.get(a) == "decreased function"]
    n6 = star6["alt_copies"]
    # *6 sits on a (TA)6 (*1) chromosome first; beyond those, with a decreased repeat allele
    for _ in range(n6):
        i = alleles.index("*1") if "*1" in alleles else None
        if i is not None:
            alleles[i] = "*6"
        else:
            j = next(k for k, a in enumerate(alleles) if "*6" not in a)
            alleles[j] = f"{alleles[j]}+*6"
            notes.append("*6 with a decreased-function repeat allele on the same chromosome "
                         "is assumed where no *1 chromosome is left")  # fmt: skip
    n_decreased = min(2, len(decreased) + n6)
    if n6 and decreased:
        notes.append(TRANS_NOTE + " (*6 and the repeat allele)")
    n80 = star80["alt_copies"] if star80 and star80["status"] == "genotyped" else 0
    if star80 is None or star80["status"] != "genotyped":
        notes.append("*80 not evaluable (it does not change the phenotype once the TA repeat is "
                     "typed)")  # fmt: skip
    linked = [i for i, a in enumerate(alleles) if a.split("+")[0] in ("*28", "*37")]
    alone = max(0, n80 - len(linked))
    for i in linked[:n80]:
        alleles[i] = f"*80+{alleles[i]}"
    if n80 and linked:
        notes.append("*80 assigned to the *28/*37 chromosome (linkage; phase not observed)")
    for _ in range(alone):
        k = next(k for k, a in enumerate(alleles) if "*80" not in a)
        alleles[k] = "*80" if alleles[k] == "*1" else f"*80+{alleles[k]}"
    diplotype = "/".join(sorted(alleles, key=lambda a: (a != "*1", a)))
    if unknown or alone:
        why = ("*80 without *28 or *37 is of unknown function (CPIC)" if alone
               else f"{', '.join(unknown)} is not a defined allele")  # fmt: skip
        return {"gene": "UGT1A1", "phenotype": INDETERMINATE, "key": "indeterminate",
                "diplotype": diplotype, "notes": notes, "reason": why}  # fmt: skip
    phenotype = (NORMAL, INTERMEDIATE, POOR)[n_decreased]
    return {"gene": "UGT1A1", "phenotype": phenotype, "key": phenotype.split()[0],
            "diplotype": diplotype, "notes": notes}  # fmt: skip


def tpmt(calls: list[dict], sites: list[Site]) -> dict:
    """TPMT diplotype and phenotype, with the *3A / *3B+*3C ambiguity (module docstring)."""
    by = _by_site(calls)
    rows = {s.allele: by.get(s.site) for s in sites if s.gene == "TPMT"}
    missing = [a for a, c in rows.items() if c is None or c["status"] != "genotyped"]
    if missing:
        return {"gene": "TPMT", "phenotype": NOT_DETERMINED, "key": NOT_DETERMINED,
                "diplotype": None, "notes": [],
                "reason": f"{', '.join(missing)} site not evaluable"}  # fmt: skip
    n2, n3b, n3c = (rows[a]["alt_copies"] for a in ("*2", "*3B", "*3C"))
    fewest = min(2, n2 + max(n3b, n3c))  # *3B and *3C together in cis (*3A) where they can be
    most = min(2, n2 + n3b + n3c)
    notes = []
    if n2 == 0 and n3b == 1 and n3c == 1:
        return {"gene": "TPMT", "phenotype": f"{INTERMEDIATE} (*1/*3A) or {POOR} (*3B/*3C)",
                "key": "ambiguous", "diplotype": "*1/*3A or *3B/*3C", "ambiguous": True,
                "notes": ["c.460G>A and c.719A>G without phase: *1/*3A (common) or *3B/*3C "
                          "(rare); resolve by phasing or TPMT enzyme activity"]}  # fmt: skip
    if fewest != most:
        names = (NORMAL, INTERMEDIATE, POOR)
        phenotype = f"{names[fewest]} or {names[most]}"
        return {"gene": "TPMT", "phenotype": phenotype, "key": "ambiguous", "ambiguous": True,
                "diplotype": f"*2 x{n2}, *3B x{n3b}, *3C x{n3c} (phase unknown)",
                "notes": ["phase not observed: the phenotype depends on it"]}  # fmt: skip
    alleles = ["*3A"] * min(n3b, n3c) + ["*3B"] * (n3b - min(n3b, n3c))
    alleles += ["*3C"] * (n3c - min(n3b, n3c)) + ["*2"] * n2
    if len(alleles) > 1 and len(set(alleles)) > 1:
        notes.append(TRANS_NOTE)
    alleles = (alleles + ["*1", "*1"])[:2] if len(alleles) < 2 else alleles[:2]
    diplotype = "/".join(sorted(alleles, key=lambda a: (a != "*1", a)))
    phenotype = (NORMAL, INTERMEDIATE, POOR)[fewest]
    return {"gene": "TPMT", "phenotype": phenotype, "key": phenotype.split()[0],
            "diplotype": diplotype, "notes": notes}  # fmt: skip


def nudt15(calls: list[dict], sites: list[Site]) -> dict:
    """NUDT15 diplotype and phenotype from c.415C>T (module docstring)."""
    by = _by_site(calls)
    row = next(s for s in sites if s.gene == "NUDT15")
    c = by.get(row.site)
    if c is None or c["status"] != "genotyped":
        return {"gene": "NUDT15", "phenotype": NOT_DETERMINED, "key": NOT_DETERMINED,
                "diplotype": None, "notes": [], "reason": f"{row.site} not evaluable"}  # fmt: skip
    n = c["alt_copies"]
    diplotype = ("*1/*1", "*1/*3", "*3/*3")[n]
    notes = ["c.415C>T is *3 or part of *2 (both no function)"] if n else []
    phenotype = (NORMAL, INTERMEDIATE, POOR)[n]
    return {"gene": "NUDT15", "phenotype": phenotype, "key": phenotype.split()[0],
            "diplotype": diplotype, "notes": notes}  # fmt: skip


GENES = {"DPYD": dpyd, "UGT1A1": ugt1a1, "TPMT": tpmt, "NUDT15": nudt15}


def gene_results(calls: list[dict], sites: list[Site]) -> list[dict]:
    """One result per gene of the table (in its order): diplotype, phenotype and the guidance
    ``key``, the gene's site calls, and what its sites do not cover."""
    out = []
    for gene in dict.fromkeys(s.gene for s in sites):
        if gene not in GENES:
            raise ValueError(f"no phenotype rules for {gene}")
        r = GENES[gene](calls, sites)
        r.setdefault("ambiguous", False)
        r["sites"] = [c for c in calls if c["gene"] == gene]
        r["not_evaluable"] = [c["site"] for c in r["sites"] if c["status"] != "genotyped"]
        r["not_covered"] = NOT_COVERED.get(gene, "")
        out.append(r)
    return out
