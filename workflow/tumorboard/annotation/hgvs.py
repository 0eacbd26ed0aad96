"""HGVS names for annotated variants: p. from ``bcftools csq`` BCSQ, c. from the transcript model.

``bcftools csq`` (1.16) writes one INFO/BCSQ entry per transcript consequence::

    Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change

for example ``missense|KRAS|NM_004985.5|protein_coding|-|12G>12D|40705C>T``.  The amino-acid field
is ``<pos><ref aa>[><pos><alt aa>]`` (one-letter codes, ``*`` for stop), which is enough for the
protein name.  The DNA field, however, is *genomic* (plus strand, contig coordinates), not HGVS
c., so the c. name is computed here from the gene model
(:class:`tumorboard.reference.genemodel.Transcript`) and, for the HGVS 3' rule and ``dup``
detection, from the reference sequence.

Conventions (HGVS v21):

* c. numbering: c.1 is the A of the ATG, the last base of the stop codon is the last c. position;
  5' UTR bases are ``c.-N``, 3' UTR bases ``c.*N``; intronic bases are numbered from the nearest
  exon base (``c.1234+5``, ``c.1235-2``; the middle base of an odd-length intron takes ``+``).
* deletions, duplications and insertions are shifted to their most 3' position in transcript
  orientation (only when a reference is supplied; the shift stays inside the exon or intron that
  holds the variant, so a variant is never moved across an exon/intron boundary); deleted bases
  are not listed (``c.203_204del``).
* proteins: three-letter names (``p.Gly12Asp``) and the usual one-letter short form (``G12D``).

One module (about 520 lines) on purpose: the c. numbering, the 3' shift and the p. names all
walk the same transcript model, and none is used without the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

THREE_LETTER: dict[str, str] = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "U": "Sec",
    "O": "Pyl", "X": "Xaa", "*": "Ter",
}  # fmt: skip

_COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_AA = re.compile(r"^(\d+)([A-Z*]*)$")


class _Fasta(Protocol):
    def fetch(self, reference: str, start: int, end: int) -> str: ...


def _revcomp(seq: str) -> str:
    return seq.translate(_COMPLEMENT)[::-1]


def _three(seq: str) -> str:
    return "".join(THREE_LETTER.get(a, "Xaa") for a in seq)


# --------------------------------------------------------------------------------------------
# BCSQ parsing
# --------------------------------------------------------------------------------------------


@dataclass
class Consequence:
    consequence: str  # e.g. "missense", "missense&splice_region"; "@POS" for a back-reference
    gene: str
    transcript: str
    strand: str
    aa_change: str | None  # e.g. "12G>12D"; None when csq gives none
    dna_change: str  # genomic, e.g. "40705C>T" (bcftools 1.16); "" when absent

    @property
    def is_reference(self) -> bool:
        """True for an ``@POS`` entry (consequence described at another record)."""
        return self.consequence.startswith("@")


def _split_entries(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    else:  # pysam gives a tuple for Number=. fields
        items = [part for v in value if v is not None for part in str(v).split(",")]
    return [i.strip() for i in items if i.strip() and i.strip() != "."]


def parse_bcsq(value: str) -> list[Consequence]:
    """Consequences in an INFO/BCSQ value (a string, or the tuple pysam returns)."""
    out: list[Consequence] = []
    for entry in _split_entries(value):
        if entry.startswith("@"):
            out.append(Consequence(entry, "", "", "", None, ""))
            continue
        f = entry.split("|")
        f += [""] * (7 - len(f))
        aa = f[5] if f[5] not in ("", ".", "-") else None
        out.append(Consequence(f[0], f[1], f[2], f[4], aa, f[6] if f[6] != "." else ""))
    return out


def _base_id(acc: str) -> str:
    return acc.removeprefix("transcript:").split(".")[0]


def pick(consequences: list[Consequence], transcript_id: str) -> Consequence | None:
    """The consequence on ``transcript_id`` (accession versions ignored), or None."""
    want = _base_id(transcript_id)
    for c in consequences:
        if not c.is_reference and c.transcript and _base_id(c.transcript) == want:
            return c
    return None


# --------------------------------------------------------------------------------------------
# p. from the BCSQ amino-acid field
# --------------------------------------------------------------------------------------------


def _parse_aa(text: str) -> tuple[int, str] | None:
    m = _AA.match(text.strip())
    if not m:
        return None
    return int(m.group(1)), m.group(2)


def hgvs_p(c: Consequence, protein: str | None = None) -> tuple[str | None, str | None]:
    """(HGVS p. with three-letter codes, one-letter short form) from a csq consequence.

    ``protein`` (optional, one-letter reference protein, residue 1 first) lets deletions,
    insertions and duplications be shifted to their most C-terminal position and names the
    residues flanking an insertion when csq's string does not show them (see
    :func:`protein_sequence`).  Without it an insertion whose preceding residue is not in csq's
    string is written as a ``delins`` of the following residue (``p.Gly13delinsLysGly``).

    Returns (None, None) when the consequence carries no amino-acid change (intronic, UTR,
    splice-only, non-coding, ``@POS`` back-references) or the field cannot be read.
    """
    if c.is_reference:
        return None, None
    kinds = set(c.consequence.lstrip("*").split("&"))
    if not c.aa_change:
        if "start_lost" in kinds:  # csq 1.16 gives no amino-acid field for start_lost
            return "p.Met1?", "M1?"
        return None, None
    ref_txt, sep, alt_txt = c.aa_change.partition(">")
    ref = _parse_aa(ref_txt)
    alt = _parse_aa(alt_txt) if sep else ref
    if ref is None or alt is None or not ref[1]:
        return None, None
    pos, ref_aa = ref
    alt_aa = alt[1]
    if protein is not None:
        protein = protein.upper()
        window = protein[pos - 1 : pos - 1 + len(ref_aa)]
        if pos < 1 or window.rstrip("*") != ref_aa[: len(window)].rstrip("*") or not window:
            protein = None  # does not match csq's reference residues: do not use it

    if "frameshift" in kinds:
        return _frameshift(pos, ref_aa, alt_aa)
    if "start_lost" in kinds and pos == 1:
        return f"p.{_three(ref_aa[0])}1?", f"{ref_aa[0]}1?"
    if ref_aa == alt_aa:  # synonymous / stop_retained
        last = pos + len(ref_aa) - 1
        if len(ref_aa) == 1:
            return f"p.{_three(ref_aa)}{pos}=", f"{ref_aa}{pos}="
        return (
            f"p.{_three(ref_aa[0])}{pos}_{_three(ref_aa[-1])}{last}=",
            f"{ref_aa[0]}{pos}_{ref_aa[-1]}{last}=",
        )
    # a stop where the reference had a residue, all before it unchanged: nonsense
    i = 0
    while i < len(ref_aa) and i < len(alt_aa) and ref_aa[i] == alt_aa[i]:
        i += 1
    if i < len(ref_aa) and i < len(alt_aa) and alt_aa[i] == "*" and ref_aa[i] != "*":
        return f"p.{_three(ref_aa[i])}{pos + i}Ter", f"{ref_aa[i]}{pos + i}*"
    return _simple(pos, ref_aa, alt_aa, protein)


def _frameshift(pos: int, ref: str, alt: str) -> tuple[str | None, str | None]:
    i = 0
    while i < len(ref) and i < len(alt) and ref[i] == alt[i]:
        i += 1
    if i >= len(ref) or i >= len(alt):  # nothing changed inside the reported window
        return None, None
    p, r, a = pos + i, ref[i], alt[i]
    if a == "*":  # first changed residue is a stop: a nonsense change
        return f"p.{_three(r)}{p}Ter", f"{r}{p}*"
    stop = alt.find("*", i)
    n = str(stop - i + 1) if stop >= 0 else "?"
    return f"p.{_three(r)}{p}{_three(a)}fsTer{n}", f"{r}{p}{a}fs*{n}"


def _span(first: int, last: int, first_aa: str, last_aa: str) -> tuple[str, str]:
    if first == last:
        return f"{_three(first_aa)}{first}", f"{first_aa}{first}"
    return (
        f"{_three(first_aa)}{first}_{_three(last_aa)}{last}",
        f"{first_aa}{first}_{last_aa}{last}",
    )


def _simple(pos: int, ref: str, alt: str, protein: str | None) -> tuple[str | None, str | None]:
    """Substitution, deletion, insertion, duplication, delins, stop loss."""

    def res(i: int) -> str | None:  # reference residue i (1-based), if known
        if protein is not None and 1 <= i <= len(protein):
            return protein[i - 1]
        if pos <= i < pos + len(ref):
            return ref[i - pos]
        return None

    # trim shared prefix first, then suffix: leaves the change at its most C-terminal position
    # within the residues csq reported (the HGVS 3' rule, as far as the string allows)
    p = 0
    while p < len(ref) and p < len(alt) and ref[p] == alt[p]:
        p += 1
    s = 0
    while s < len(ref) - p and s < len(alt) - p and ref[-1 - s] == alt[-1 - s]:
        s += 1
    r, a = ref[p : len(ref) - s], alt[p : len(alt) - s]
    start = pos + p
    if not r and not a:
        return None, None

    if r == "*" and a:  # stop_lost: extension to a new stop csq does not report
        return f"p.Ter{start}{_three(a[0])}extTer?", f"*{start}{a[0]}ext*?"
    if len(r) == 1 and len(a) == 1:  # missense
        return f"p.{_three(r)}{start}{_three(a)}", f"{r}{start}{a}"
    if a.startswith("*") and res(start) is not None:  # first changed residue becomes a stop
        return f"p.{_three(res(start))}{start}Ter", f"{res(start)}{start}*"
    if "*" in a and len(r) < len(a):
        # new residues ending in a stop replace as many reference residues as they number
        # (HGVS: p.Pro578_Lys579delinsLeuTer); needs the residues after csq's window
        more = [res(i) for i in range(start + len(r), start + len(a))]
        if all(x is not None for x in more):
            r += "".join(more)

    if not a:  # deletion start..end
        end = start + len(r) - 1
        if protein is not None:  # 3' rule on the whole protein
            while res(end + 1) is not None and res(end + 1) == res(start):
                start, end = start + 1, end + 1
        lng, sht = _span(start, end, res(start) or r[0], res(end) or r[-1])
        return f"p.{lng}del", f"{sht}del"

    if not r:  # insertion of a between start-1 and start
        if protein is not None:
            while res(start) is not None and res(start) == a[0]:
                a, start = a[1:] + a[0], start + 1
        n = len(a)
        before = [res(i) for i in range(start - n, start)]
        if all(x is not None for x in before) and "".join(before) == a:  # duplication
            lng, sht = _span(start - n, start - 1, a[0], a[-1])
            return f"p.{lng}dup", f"{sht}dup"
        left, right = res(start - 1), res(start)
        if left is not None and right is not None:
            return (
                f"p.{_three(left)}{start - 1}_{_three(right)}{start}ins{_three(a)}",
                f"{left}{start - 1}_{right}{start}ins{a}",
            )
        if right is not None:  # flank before the insertion unknown: delins of the next residue
            return (
                f"p.{_three(right)}{start}delins{_three(a + right)}",
                f"{right}{start}delins{a + right}",
            )
        if left is not None:
            return (
                f"p.{_three(left)}{start - 1}delins{_three(left + a)}",
                f"{left}{start - 1}delins{left + a}",
            )
        return None, None

    lng, sht = _span(start, start + len(r) - 1, r[0], r[-1])
    return f"p.{lng}delins{_three(a)}", f"{sht}delins{a}"


_BASES = "TCAG"
_CODE = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
_CODONS = {
    a + b + c: _CODE[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES)
    for j, b in enumerate(_BASES)
    for k, c in enumerate(_BASES)
}


def protein_sequence(tx, fasta: _Fasta) -> str:
    """Reference protein (one-letter, stop as ``*``) of ``tx`` translated from ``fasta``."""
    cds = "".join(_fetch(fasta, tx.chrom, s, e) for s, e in sorted(tx.cds))
    if tx.strand == "-":
        cds = _revcomp(cds)
    return "".join(_CODONS.get(cds[i : i + 3], "X") for i in range(0, len(cds) - 2, 3))


# --------------------------------------------------------------------------------------------
# c. from the gene model
# --------------------------------------------------------------------------------------------


class _Layout:
    """Exon layout of a transcript in transcript order, with cDNA offsets and the CDS span."""

    def __init__(self, tx) -> None:
        self.tx = tx
        self.plus = tx.strand != "-"
        self.exons = sorted(tx.exons, reverse=not self.plus)
        self.lo = min(s for s, _ in tx.exons)
        self.hi = max(e for _, e in tx.exons)
        self.cum: list[int] = []  # cDNA position of each exon's first (transcript-order) base
        n = 1
        for s, e in self.exons:
            self.cum.append(n)
            n += e - s + 1
        cp = tx.coding_positions() if tx.cds else []
        self.cds_start = self._cdna(cp[0]) if cp else None
        self.cds_end = self._cdna(cp[-1]) if cp else None

    def _cdna(self, g: int) -> int | None:
        for (s, e), c0 in zip(self.exons, self.cum, strict=True):
            if s <= g <= e:
                return c0 + (g - s if self.plus else e - g)
        return None

    def _number(self, n: int) -> str:
        if self.cds_start is None:  # non-coding transcript: n. numbering
            return str(n)
        if n < self.cds_start:
            return f"-{self.cds_start - n}"
        if n > self.cds_end:
            return f"*{n - self.cds_end}"
        return str(n - self.cds_start + 1)

    def region(self, g: int) -> tuple[int, int] | None:
        """Genomic span of the exon or intron holding ``g`` (None outside the transcript)."""
        if not self.lo <= g <= self.hi:
            return None
        spans = sorted(self.tx.exons)
        for s, e in spans:
            if s <= g <= e:
                return s, e
        for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            if e1 < g < s2:
                return e1 + 1, s2 - 1
        return None

    def position(self, g: int) -> str | None:
        """HGVS c./n. position (without the prefix) of genomic ``g``."""
        if not self.lo <= g <= self.hi:
            return None
        n = self._cdna(g)
        if n is not None:
            return self._number(n)
        # intronic: exons i (5') and i+1 (3') in transcript order flank g
        for i in range(len(self.exons) - 1):
            (s1, e1), (s2, e2) = self.exons[i], self.exons[i + 1]
            if self.plus and e1 < g < s2:
                d5, d3, b5, b3 = g - e1, s2 - g, e1, s2
            elif not self.plus and e2 < g < s1:
                d5, d3, b5, b3 = s1 - g, g - e2, s1, e2
            else:
                continue
            if d5 <= d3:
                return f"{self._number(self._cdna(b5))}+{d5}"
            return f"{self._number(self._cdna(b3))}-{d3}"
        return None

    def prefix(self) -> str:
        return "c." if self.cds_start is not None else "n."


def _trim(pos: int, ref: str, alt: str, plus: bool) -> tuple[int, str, str]:
    """Drop the bases ``ref`` and ``alt`` share (VCF padding); pos moves with the prefix.

    The side trimmed first is chosen so that, within the alleles given, the change ends up at
    its most 3' position in transcript orientation (prefix first on the plus strand).
    """

    def prefix(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
        while ref and alt and ref[0] == alt[0]:
            ref, alt, pos = ref[1:], alt[1:], pos + 1
        return pos, ref, alt

    def suffix(ref: str, alt: str) -> tuple[str, str]:
        while ref and alt and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        return ref, alt

    if plus:
        pos, ref, alt = prefix(pos, ref, alt)
        ref, alt = suffix(ref, alt)
    else:
        ref, alt = suffix(ref, alt)
        pos, ref, alt = prefix(pos, ref, alt)
    return pos, ref, alt


def _fetch(fasta: _Fasta, chrom: str, start: int, end: int) -> str:
    """Plus-strand reference bases ``start..end`` (1-based, closed), upper case."""
    if end < start:
        return ""
    return fasta.fetch(chrom, start - 1, end).upper()


def _shift(
    fasta: _Fasta, chrom: str, start: int, end: int, ins: str, plus: bool, bounds: tuple[int, int]
) -> tuple[int, int, str]:
    """Shift an indel to its most 3' (transcript orientation) equivalent position.

    A deletion is ``start..end`` with ``ins == ""``; an insertion lies between ``end`` and
    ``start`` (``end == start - 1``).  The shift stays within ``bounds`` (genomic, closed).
    """
    lo, hi = bounds
    # read the whole allowed window once
    seq = _fetch(fasta, chrom, lo, hi)

    def base(g: int) -> str:
        return seq[g - lo]

    if ins == "":  # deletion start..end
        if plus:
            while end + 1 <= hi and base(end + 1) == base(start):
                start, end = start + 1, end + 1
        else:
            while start - 1 >= lo and base(start - 1) == base(end):
                start, end = start - 1, end - 1
        return start, end, ins
    # insertion between end (= start-1) and start
    if plus:
        while start <= hi and base(start) == ins[0]:
            ins = ins[1:] + ins[0]
            start, end = start + 1, end + 1
    else:
        while end >= lo and base(end) == ins[-1]:
            ins = ins[-1] + ins[:-1]
            start, end = start - 1, end - 1
    return start, end, ins


def hgvs_c(tx, pos: int, ref: str, alt: str, fasta: _Fasta | None = None) -> str | None:
    """HGVS c. (n. for a non-coding transcript) of a VCF-style variant on transcript ``tx``.

    ``pos``/``ref``/``alt`` are plus-strand, in the coordinates of ``tx`` (contig ``tx.chrom``).
    With ``fasta`` (anything with ``.fetch(contig, start0, end0)``) indels are shifted 3' and
    insertions that repeat the preceding bases are written as ``dup``; without it they are
    described where the VCF puts them.  None when the variant lies outside the transcript, or the
    alleles are not plain DNA (symbolic, breakends, identical).
    """
    ref, alt = ref.upper(), alt.upper()
    if not tx.exons or not ref or not alt or not re.fullmatch(r"[ACGTN]+", ref + alt):
        return None
    lay = _Layout(tx)
    plus = lay.plus
    start, r, a = _trim(pos, ref, alt, plus)
    end = start + len(r) - 1  # for an insertion end == start - 1
    if not r and not a:
        return None

    def coding(seq: str) -> str:
        return seq if plus else _revcomp(seq)

    def rng(g1: int, g2: int) -> str | None:
        """Range g1..g2 (genomic, g1 <= g2) in transcript order."""
        p1, p2 = lay.position(g1), lay.position(g2)
        if p1 is None or p2 is None:
            return None
        if g1 == g2:
            return p1
        return f"{p1}_{p2}" if plus else f"{p2}_{p1}"

    pre = lay.prefix()
    if len(r) == 1 and len(a) == 1:
        p = lay.position(start)
        return None if p is None else f"{pre}{p}{coding(r)}>{coding(a)}"

    if r and a:  # delins (incl. multi-base substitutions)
        span = rng(start, end)
        return None if span is None else f"{pre}{span}delins{coding(a)}"

    if fasta is not None:
        # shift only inside the one exon or intron holding the deletion / both insertion flanks
        region = lay.region(start) if r else lay.region(end)
        if region != (lay.region(end) if r else lay.region(start)):
            region = None
        if region is not None:
            start, end, a = _shift(fasta, tx.chrom, start, end, a, plus, region)

    if not a:  # deletion
        span = rng(start, end)
        return None if span is None else f"{pre}{span}del"

    # insertion between end and start (genomic); dup if it repeats the 5' (transcript) bases
    n = len(a)
    if fasta is not None:
        if plus:
            d1, d2 = end - n + 1, end
        else:
            d1, d2 = start, start + n - 1
        if lay.lo <= d1 and d2 <= lay.hi and _fetch(fasta, tx.chrom, d1, d2) == a:
            span = rng(d1, d2)
            return None if span is None else f"{pre}{span}dup"
    p_end, p_start = lay.position(end), lay.position(start)
    if p_end is None or p_start is None:
        return None
    flank = f"{p_end}_{p_start}" if plus else f"{p_start}_{p_end}"
    return f"{pre}{flank}ins{coding(a)}"
