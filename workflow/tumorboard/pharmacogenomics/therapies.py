"""Therapy lines linked to the germline phenotypes that bear on them: a line whose regimen
contains a fluoropyrimidine, tegafur, irinotecan or a thiopurine (``resources/pgx/drugs.tsv``)
gets each relevant gene's phenotype and the guideline's recommendation
(``resources/pgx/guidance.tsv``).  Thiopurines read TPMT and NUDT15 together: intermediate for both
has its own row (CPIC 2024 update)."""

from __future__ import annotations

from .phenotype import INTERMEDIATE, NOT_DETERMINED
from .tables import DrugClass, Guidance


def drug_classes(therapy: str, classes: list[DrugClass]) -> list[DrugClass]:
    """The classes whose names appear in a therapy line, as words."""
    return [c for c in classes if c.pattern().search(therapy)]


def _status(gene: dict) -> str:
    """'DPYD activity score 1, intermediate metaboliser (c.1905+1G>A (*2A) / Reference)'."""
    score = gene.get("activity_score")
    score = "" if score is None else f"activity score {score:g}, "
    dip = f" ({gene['diplotype']})" if gene.get("diplotype") else ""
    return f"{gene['gene']} {score}{gene['phenotype']}{dip}"


def _short(gene: dict) -> str:
    """Page 1's compact form: 'DPYD AS 1 (intermediate)', 'UGT1A1 *1/*28 (intermediate)'."""
    if gene["gene"] == "DPYD" and gene.get("activity_score") is not None:
        return f"DPYD AS {gene['activity_score']:g} ({gene['phenotype'].split()[0]})"
    dip = f"{gene['diplotype']} " if gene.get("diplotype") and not gene.get("ambiguous") else ""
    phen = gene["phenotype"].replace(" metaboliser", "")
    return f"{gene['gene']} {dip}({phen})"


def link(
    therapies: list[str],
    genes: list[dict],
    classes: list[DrugClass],
    guidance: dict[tuple[str, str, str], Guidance],
) -> list[dict]:
    """One entry per therapy line that contains a drug of ``classes``: the classes, the genes'
    phenotypes and the recommendations, in full and short."""
    by_gene = {g["gene"]: g for g in genes}
    out = []
    for therapy in dict.fromkeys(therapies):
        items = []
        for c in drug_classes(therapy, classes):
            present = [by_gene[g] for g in c.genes if g in by_gene]
            keys = [g["key"] for g in present]
            rows: list[tuple[dict | None, Guidance]] = []
            combined = guidance.get((c.name, "+".join(c.genes), "+".join(keys)))
            if combined and all(g["phenotype"] == INTERMEDIATE for g in present):
                rows.append((None, combined))
            else:
                for g in present:
                    row = guidance.get((c.name, g["gene"], g["key"]))
                    if row is None:
                        raise ValueError(
                            f"no guidance for {c.name} with {g['gene']} {g['key']!r} "
                            "(resources/pgx/guidance.tsv)"
                        )
                    rows.append((g, row))
            for g, row in rows:
                who = present if g is None else [g]
                items.append(
                    {
                        "drug_class": c.name,
                        "genes": [x["gene"] for x in who],
                        "status": "; ".join(_status(x) for x in who),
                        "recommendation": row.recommendation,
                        "short": row.short
                        if all(x["key"] == NOT_DETERMINED for x in who)
                        else f"{' + '.join(_short(x) for x in who)}: {row.short}",
                        "source": row.source,
                    }
                )
        if items:
            out.append({"therapy": therapy, "items": items})
    return out
