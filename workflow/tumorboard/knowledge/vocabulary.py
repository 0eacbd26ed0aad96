"""The alteration vocabulary of the knowledge base: how evidence names a change, parsed into
matchable forms.  An alteration is one of

* a protein change, exact (``V600E``, ``E746_A750del``, ``W288fs``; ``S310F/Y`` = either);
* a codon (``G12``; ``G12/G13`` = either): any missense change of it;
* an exon-level event (``exon 19 deletion``, ``exon 20 insertion``, ``exon 2 mutation``);
* a category: ``amplification``, ``loss`` (copy number), ``mutation`` (any protein-altering
  variant), ``activating mutation`` (a protein-altering variant at a hotspot), ``truncating``
  (frameshift, nonsense, essential splice site, homozygous deletion), ``frameshift``,
  ``wild type`` (what the evidence tested, :func:`tumorboard.knowledge.matching.required_regions`:
  every required codon evaluable and not mutated, no protein-altering variant of the gene called
  and no homozygous deletion; a gene without a guideline codon list needs all coding exons, or
  the exons its evidence names, which a hotspot panel cannot establish);
* ``fusion`` or ``unsupported`` (expression, methylation, rsIDs, domains ...): kept, never matched.

Profiles combine alterations with AND / OR / NOT and parentheses, as CIViC molecular profiles do
(``EGFR L858R AND EGFR T790M``, ``BRAF Amplification AND ( BRAF V600E OR BRAF V600K )``);
:mod:`tumorboard.knowledge.matching` evaluates them.  A parenthesis that opens a term groups; one
inside a term belongs to the variant's name (``ALK Alternative Transcript (ATI)``,
``VHL Null (Large deletion)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tumorboard.annotation.hgvs import THREE_LETTER


class KnowledgeBaseError(Exception):
    """A source export, table or profile that cannot be read, or a knowledge base that fails its
    schema."""


# --------------------------------------------------------------------------------------------
# Protein changes
# --------------------------------------------------------------------------------------------

_ONE = {three.upper(): one for one, three in THREE_LETTER.items()}
_THREE_RE = re.compile("|".join(sorted({t for t in THREE_LETTER.values()}, key=len, reverse=True)))
_POS = r"([A-Z*]?)(\d+)"  # residue (optional in old CIViC names) and position
_RANGE = rf"([A-Z])(\d+)(?:_{_POS})?"


@dataclass(frozen=True)
class ProteinChange:
    """One protein change in one-letter form.  ``kind``: sub (missense, nonsense ``*``,
    synonymous alt == ref), del, ins (between ``start`` and ``end``), dup, delins, fs, start."""

    kind: str
    start: int
    end: int
    ref: str = ""  # residue at start ("" when the name does not give it)
    alt: str = ""  # substituted / inserted / duplicated residues ("" = not given)
    end_ref: str = ""

    @property
    def synonymous(self) -> bool:
        return self.kind == "sub" and self.alt == self.ref

    @property
    def nonsense(self) -> bool:
        return self.kind == "sub" and self.alt == "*" and self.ref != "*"

    def canonical(self) -> ProteinChange:
        """A duplication whose residues are known is the insertion of them after its end."""
        if self.kind != "dup":
            return self
        seq = self.alt
        if not seq and self.end == self.start and self.ref:
            seq = self.ref
        elif not seq and self.end == self.start + 1 and self.ref and self.end_ref:
            seq = self.ref + self.end_ref
        if not seq:
            return self
        return ProteinChange("ins", self.end, self.end + 1, self.end_ref or self.ref, seq)

    def same_as(self, other: ProteinChange) -> bool:
        """Is ``other`` (a patient's change) the change this one names?"""
        if self.kind == "fs":
            return other.kind == "fs" and other.start == self.start
        a, b = self.canonical(), other.canonical()
        if a.kind != b.kind or a.start != b.start or a.end != b.end:
            return False
        if a.ref and b.ref and a.ref != b.ref:
            return False
        if a.kind in ("sub", "delins"):
            return a.alt == b.alt
        if a.kind == "ins":
            return not a.alt or a.alt == b.alt
        return True  # del, dup with unknown residues (positions agree), start


def _one_letter(text: str) -> str:
    t = text.strip()
    t = re.sub(r"^p\.\(?|\)$", "", t)
    if re.search(r"[A-Z][a-z]{2}", t):
        t = _THREE_RE.sub(lambda m: _ONE[m.group(0).upper()], t)
    return t.upper()


def parse_protein(text: str) -> ProteinChange | None:
    """A protein change from a one- or three-letter name (``V600E``, ``p.Val600Glu``,
    ``E746_A750del``, ``A68Gfs*51``, CIViC 2018 forms such as ``M774INSAYVM`` or
    ``DEL 755-759``); None when the text is not one."""
    t = _one_letter(text)
    if m := re.fullmatch(r"DEL\s*(\d+)\s*-\s*(\d+)", t):
        return ProteinChange("del", int(m[1]), int(m[2]))
    if m := re.fullmatch(r"([A-Z*])(\d+)([A-Z*]?)FS(?:\*|X|TER)?(?:\d+|\?)?", t):
        return ProteinChange("fs", int(m[2]), int(m[2]), m[1], m[3])
    for kind, tail in (("delins", "DELINS([A-Z*]+)"), ("del", "DEL([A-Z]*)"),
                       ("dup", "DUP([A-Z]*)"), ("ins", "INS([A-Z*]*)")):  # fmt: skip
        if m := re.fullmatch(_RANGE + tail, t):
            start = int(m[2])
            end = int(m[4]) if m[4] else start
            if kind == "ins" and not m[4]:  # old CIViC "M774INSAYVM": after residue 774
                end = start + 1
            return ProteinChange(kind, start, end, m[1], m[5], m[3] or "")
    if m := re.fullmatch(r"([A-Z*])(\d+)([A-Z*=?])", t):
        ref, alt = m[1], m[3]
        if alt == "?":
            return ProteinChange("start", int(m[2]), int(m[2]), ref)
        if alt == "X":
            alt = "*"
        return ProteinChange("sub", int(m[2]), int(m[2]), ref, ref if alt == "=" else alt)
    return None


# --------------------------------------------------------------------------------------------
# Alterations and profiles
# --------------------------------------------------------------------------------------------

PROTEIN, CODON, EXON = "protein change", "codon", "exon"
AMPLIFICATION, LOSS, WILD_TYPE = "amplification", "loss", "wild type"
MUTATION, ACTIVATING, TRUNCATING, FRAMESHIFT = (
    "mutation",
    "activating mutation",
    "truncating",
    "frameshift",
)
FUSION, UNSUPPORTED = "fusion", "unsupported"

_CATEGORIES = {
    "AMPLIFICATION": AMPLIFICATION,
    "AMP": AMPLIFICATION,
    "LOSS": LOSS,
    "DELETION": LOSS,
    "HOMOZYGOUS DELETION": LOSS,
    "COPY NUMBER LOSS": LOSS,
    "WILD TYPE": WILD_TYPE,
    "WILDTYPE": WILD_TYPE,
    "WILD-TYPE": WILD_TYPE,
    "MUTATION": MUTATION,
    "MUTATIONS": MUTATION,
    "ACTIVATING MUTATION": ACTIVATING,
    "LOSS-OF-FUNCTION": TRUNCATING,
    "LOSS OF FUNCTION": TRUNCATING,
    "DELETERIOUS MUTATION": TRUNCATING,
    "TRUNCATING MUTATION": TRUNCATING,
    "INACTIVATING MUTATION": TRUNCATING,
    "FRAMESHIFT TRUNCATION": TRUNCATING,
    "FRAMESHIFT MUTATION": FRAMESHIFT,
    "FRAMESHIFT": FRAMESHIFT,
}
_EXON_EVENTS = {
    "DELETION": "deletion",
    "DELETIONS": "deletion",
    "INSERTION": "insertion",
    "INSERTIONS": "insertion",
    "MUTATION": "mutation",
    "MUTATIONS": "mutation",
    "FRAMESHIFT": "frameshift",
    "MISSENSE": "missense",
}
# fusions: "EML4::ALK", CIViC 2018 "EML4-ALK E6;A20", "ALK FUSIONS", "REARRANGEMENT"
FUSION_RE = re.compile(
    r"(::|^[A-Z][A-Z0-9]+-[A-Z][A-Z0-9]+(\s|$)|\bFUSIONS?\b|\bREARRANGEMENTS?\b)"
)


@dataclass(frozen=True)
class Alteration:
    """One gene's alteration (a leaf of a profile)."""

    gene: str
    text: str  # as the source writes it
    kind: str
    changes: tuple[ProteinChange, ...] = ()
    codons: tuple[tuple[str, int], ...] = ()  # (reference residue or "", codon)
    exon: int | None = None
    event: str | None = None  # exon-level: deletion, insertion, mutation, frameshift, missense
    reason: str = ""  # why it is unsupported

    @property
    def label(self) -> str:
        return f"{self.gene} {self.text}"

    def genes(self) -> list[str]:
        return [self.gene]

    def leaves(self) -> list[Alteration]:
        return [self]

    def to_dict(self) -> dict:
        d: dict = {"op": "alteration", "gene": self.gene, "text": self.text, "kind": self.kind}
        if self.exon is not None:
            d.update(exon=self.exon, event=self.event)
        if self.codons:
            d["codons"] = [c for _, c in self.codons]
        if self.reason:
            d["reason"] = self.reason
        return d


def parse_alteration(gene: str, text: str) -> Alteration:
    """The matchable alteration that ``text`` names for ``gene``."""
    gene = gene.strip()
    raw = re.sub(r"\s+", " ", text.strip())
    t = re.sub(r"\s*\((?:c|p|g|n)\.[^)]*\)", "", raw).strip()  # "R200W (c.598C>T)"
    u = t.upper()
    if "::" in gene or (FUSION_RE.search(u) and " OF " not in u):
        return Alteration(gene, raw, FUSION, reason="fusions are not called by this workflow")
    if u in _CATEGORIES:
        return Alteration(gene, raw, _CATEGORIES[u])
    if m := re.fullmatch(r"EXON (\d+) ([A-Z]+)", u):
        if m[2] in _EXON_EVENTS:
            return Alteration(gene, raw, EXON, exon=int(m[1]), event=_EXON_EVENTS[m[2]])
    parts = [p.strip() for p in t.split("/")]
    if not all(parts):
        return Alteration(gene, raw, UNSUPPORTED, reason="not a gene-level DNA alteration")
    changes: list[ProteinChange] = []
    codons: list[tuple[str, int]] = []
    for i, part in enumerate(parts):
        pu = part.upper()
        if i and re.fullmatch(r"[A-Z*]", pu) and changes and changes[-1].kind == "sub":
            prev = changes[-1]  # "S310F/Y" = S310F or S310Y
            changes.append(ProteinChange("sub", prev.start, prev.end, prev.ref, pu))
        elif m := re.fullmatch(r"([A-Z])(\d+)", pu):
            codons.append((m[1], int(m[2])))
        elif (pc := parse_protein(part)) is not None:
            changes.append(pc)
        else:
            return Alteration(gene, raw, UNSUPPORTED, reason="not a gene-level DNA alteration")
    if changes and codons:
        return Alteration(gene, raw, UNSUPPORTED, reason="mixes codons and exact changes")
    if codons:
        return Alteration(gene, raw, CODON, codons=tuple(codons))
    return Alteration(gene, raw, PROTEIN, changes=tuple(changes))


@dataclass(frozen=True)
class And:
    args: tuple
    op = "and"

    def genes(self) -> list[str]:
        return sorted({g for a in self.args for g in a.genes()})

    def leaves(self) -> list[Alteration]:
        return [x for a in self.args for x in a.leaves()]

    def to_dict(self) -> dict:
        return {"op": self.op, "args": [a.to_dict() for a in self.args]}


@dataclass(frozen=True)
class Or(And):
    op = "or"


@dataclass(frozen=True)
class Not:
    arg: object
    op = "not"

    def genes(self) -> list[str]:
        return self.arg.genes()

    def leaves(self) -> list[Alteration]:
        return self.arg.leaves()

    def to_dict(self) -> dict:
        return {"op": "not", "args": [self.arg.to_dict()]}


def parse_profile(text: str) -> Alteration | And | Or | Not:
    """A profile: ``GENE alteration`` terms joined by AND, OR, NOT and parentheses (CIViC
    molecular profile names; the biomarker table's ``alteration`` column)."""
    clean = re.sub(r"\s*\((?:c|p|g|n)\.[^)]*\)", "", text)
    spans = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\(|\)|[^\s()]+", clean)]
    tokens = [t for t, _, _ in spans]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def joined(op: str, operand, node):
        """``operand (op operand)*``: one operand, or ``node`` of all of them."""
        args = [operand()]
        while peek() == op:
            take()
            args.append(operand())
        return args[0] if len(args) == 1 else node(tuple(args))

    def expr():
        return joined("OR", term, Or)

    def term():
        return joined("AND", factor, And)

    def factor():
        tok = peek()
        if tok == "NOT":
            take()
            return Not(factor())
        if tok == "(":
            take()
            inner = expr()
            if take() != ")":
                raise KnowledgeBaseError(f"profile {text!r}: unbalanced parentheses")
            return inner
        first = pos
        while peek() not in (None, "AND", "OR", "NOT", ")"):
            if take() == "(":  # inside a term: part of the variant's name, up to its ")"
                depth = 1
                while depth:
                    tok = take()  # IndexError at the end: incomplete
                    depth += {"(": 1, ")": -1}.get(tok, 0)
        if pos - first < 2 or tokens[first + 1] == "(":
            raise KnowledgeBaseError(f"profile {text!r}: expected 'GENE alteration'")
        name = clean[spans[first + 1][1] : spans[pos - 1][2]]
        return parse_alteration(tokens[first], name)

    try:
        out = expr()
        if peek() is not None:
            raise KnowledgeBaseError(f"profile {text!r}: unexpected {peek()!r}")
    except IndexError:
        raise KnowledgeBaseError(f"profile {text!r}: incomplete expression") from None
    return out


def profile_from_dict(d: dict):
    if d["op"] == "alteration":
        return parse_alteration(d["gene"], d["text"])
    args = tuple(profile_from_dict(a) for a in d["args"])
    if d["op"] == "not":
        return Not(args[0])
    return And(args) if d["op"] == "and" else Or(args)
