"""HGVS c./p. names: BCSQ parsing, p. from csq strings, c. from the gene model.

Real-data truths use the demo reference (GRCh38 slices) and the gene models on those contigs;
the coordinate system tests use small hand-made transcripts and an in-memory reference.
"""

import random
import re

import pysam
import pytest

from tumorboard.annotation import hgvs
from tumorboard.annotation.hgvs import Consequence, hgvs_c, hgvs_p, parse_bcsq, pick
from tumorboard.reference.genemodel import Transcript, read_gff3

KRAS_G12D = (
    "missense|KRAS|NM_001369787.1|protein_coding|-|12G>12D|40705C>T,"
    "missense|KRAS|NM_004985.5|protein_coding|-|12G>12D|40705C>T"
)
CDKN2A_FS = (
    "frameshift|CDKN2A|ENST00000304494|protein_coding|-|68AEPNCADPATLTRPVHDAAREGFLDTLVVLHRAGARL"
    "DVRDAWGRLPVDLAEELGHRDVARYLRAAAGGTRGSNHARIDAAEGPSDIPD*>68GAQLRRPRHSHPTRARRCPGGLPGHAGGAAPGRGAA"
    "GRARCLGPSARGPG*|4003CCGCGC>CCGC"
)
EGFR_DEL19 = (
    "inframe_deletion|EGFR|NM_005228|protein_coding|+|745KELREA>745K|156953GGAATTAAGAGAAGCA>G"
)


# ----------------------------------------------------------------- p. from the model (oracle)


def _translate(seq: str, to_stop: bool = True) -> str:
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = hgvs._CODONS.get(seq[i : i + 3], "X")
        out.append(aa)
        if aa == "*" and to_stop:
            break
    return "".join(out)


def protein_change(
    tx, pos: int, ref: str, alt: str, fasta: hgvs._Fasta
) -> tuple[str | None, str | None]:
    """(p., short form) computed from the transcript model and reference, not from csq.

    The variant is applied to the transcript sequence (CDS through the 3' end of the last exon)
    and both proteins are translated, so frameshift lengths run into the 3' UTR when the new
    frame has no stop in the CDS.  Only variants whose bases all lie in exons and that change
    the CDS are handled; anything touching an intron, or only UTR, gives (None, None) (the
    protein effect of splice variants cannot be predicted from sequence).

    The tests' cross-check of csq.  On left-aligned input (``bcftools norm -f``) the two agree
    except where csq gives less: frameshifts whose new frame has no stop inside the CDS (csq
    ``fsTer?``, here counted into the 3' UTR) and exonic indels csq reports only as
    ``splice_region``.  On
    input that is *not* left-aligned csq's amino-acid strings are wrong (e.g. KRAS ``CC>C`` at
    contig 40705 gives ``12GG..>12GA*``; the variant is c.35del, p.Gly12ValfsTer3).
    A stop-loss extension is counted like a frameshift (the changed residue is position 1).
    """
    ref, alt = ref.upper(), alt.upper()
    if not ref or not alt or not re.fullmatch(r"[ACGTN]+", ref + alt) or not tx.cds:
        return None, None
    lay = hgvs._Layout(tx)
    plus = lay.plus
    start, r, a = hgvs._trim(pos, ref, alt, plus)
    end = start + len(r) - 1
    if not r and not a:
        return None, None
    tpos: list[int] = []
    for s, e in lay.exons:
        tpos.extend(range(s, e + 1) if plus else range(e, s - 1, -1))
    cp = tx.coding_positions()
    tpos = tpos[tpos.index(cp[0]) :]
    index = {g: i for i, g in enumerate(tpos)}
    cds_len = len(cp)
    lo, hi = min(tpos), max(tpos)
    seq = hgvs._fetch(fasta, tx.chrom, lo, hi)
    tseq = "".join(seq[g - lo] for g in tpos)
    if not plus:
        tseq = tseq.translate(hgvs._COMPLEMENT)
    ins = a if plus else hgvs._revcomp(a)
    if r:
        idx = [index.get(g) for g in range(start, end + 1)]
        if any(i is None for i in idx) or max(idx) - min(idx) != len(idx) - 1:
            return None, None
        i1, i2 = min(idx), max(idx)
        if i1 >= cds_len:
            return None, None
        mseq = tseq[:i1] + ins + tseq[i2 + 1 :]
        first = i1
    else:
        left, right = index.get(end), index.get(start)
        if left is None or right is None or abs(left - right) != 1:
            return None, None
        k = max(left, right)
        if not 0 < k < cds_len:
            return None, None
        mseq = tseq[:k] + ins + tseq[k:]
        first = k
    pr = _translate(tseq[:cds_len])
    pa = _translate(mseq)
    if pr == pa:
        n = min(first // 3, len(pr) - 1)
        return f"p.{hgvs._three(pr[n])}{n + 1}=", f"{pr[n]}{n + 1}="
    k = 0
    while k < len(pr) and k < len(pa) and pr[k] == pa[k]:
        k += 1
    if k == 0:
        return f"p.{hgvs._three(pr[0])}1?", f"{pr[0]}1?"
    if k < len(pr) and pr[k] == "*":  # stop lost: extension
        if k >= len(pa):
            return None, None
        stop = pa.find("*", k)
        n = str(stop - k + 1) if stop >= 0 else "?"
        return f"p.Ter{k + 1}{hgvs._three(pa[k])}extTer{n}", f"*{k + 1}{pa[k]}ext*{n}"
    kind = "frameshift" if (len(ins) - len(r)) % 3 else "inframe"
    b = k - 1  # one unchanged residue before the change, for insertion flanks
    alt_part = pa[b:]
    ref_part = pr[b:]
    if len(pa) < len(pr) + (len(ins) - len(r)) // 3:  # premature stop: compare equal lengths
        ref_part = pr[b : len(pa)]
    aa = f"{b + 1}{ref_part}>{b + 1}{alt_part}"
    return hgvs.hgvs_p(hgvs.Consequence(kind, tx.gene, tx.id, tx.strand, aa, ""), protein=pr)


# --------------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fasta(mirror):
    fa = pysam.FastaFile(str(mirror / "reference" / "grch38_loci.fa"))
    yield fa
    fa.close()


@pytest.fixture(scope="module")
def tx(mirror):
    models = read_gff3(mirror / "annotation" / "genes.loci.gff3")
    by_id = {t.id: t for t in models.transcripts}
    return by_id.__getitem__


@pytest.mark.parametrize(
    "tid, pos, ref, alt, expected",
    [
        ("NM_004985.5", 40705, "C", "T", "c.35G>A"),  # KRAS G12D
        ("ENST00000646891", 34610, "A", "T", "c.1799T>A"),  # BRAF V600E
        ("NM_005228", 174003, "T", "G", "c.2573T>G"),  # EGFR L858R
        ("ENST00000269305", 7675088 - 7661178, "C", "T", "c.524G>A"),  # TP53 R175H
        # EGFR exon 19: the two common 15-bp deletions are different variants with one protein
        ("NM_005228", 156952, "AGGAATTAAGAGAAGC", "A", "c.2235_2249del"),
        ("NM_005228", 156953, "GGAATTAAGAGAAGCA", "G", "c.2236_2250del"),
        # CDKN2A COLO829 frameshift (GRCh38 chr9:21971154); a right-shifted spelling of the same
        # deletion is moved back to the 3' (genomically left) end of the CGCG repeat
        ("ENST00000304494", 4003, "CCGCGC", "CCGC", "c.203_204del"),
        ("ENST00000304494", 4006, "CGC", "C", "c.203_204del"),
        # KRAS: codon 12 GGT duplicated, 3'-shifted through GGT|GGC to c.36_38
        ("NM_004985.5", 40703, "C", "CACC", "c.36_38dup"),
        ("NM_004985.5", 40703, "C", "CTTT", "c.36_37insAAA"),
        ("NM_004985.5", 40705, "CC", "C", "c.35del"),
        ("NM_004985.5", 40704, "A", "G", "c.36T>C"),
        # KRAS exon 2 is c.1_111; UTRs
        ("NM_004985.5", 40628, "C", "A", "c.111+1G>T"),
        ("NM_004985.5", 40624, "T", "A", "c.111+5A>T"),
        ("NM_004985.5", 40742, "T", "A", "c.-3A>T"),
        ("NM_004985.5", 5130, "G", "A", "c.*20C>T"),
        ("NM_005228", 156953, "GGAATTA", "GCCC", "c.2236_2241delinsCCC"),
        ("NM_004985.5", 100, "A", "G", None),  # upstream of the transcript
    ],
)
def test_hgvs_c_real(tx, fasta, tid, pos, ref, alt, expected):
    t = tx(tid)
    assert fasta.fetch(t.chrom, pos - 1, pos - 1 + len(ref)).upper() == ref
    assert hgvs_c(t, pos, ref, alt, fasta) == expected


def test_reference_bases_match_codons(tx, fasta):
    """The c. position of each truth really is the codon csq names."""
    kras = tx("NM_004985.5")
    assert kras.codon_positions(12) == [40706, 40705, 40704]  # c.34-36, minus strand
    egfr = tx("NM_005228")
    assert egfr.codon_positions(858)[1] == 174003  # c.2573 is the 2nd base of codon 858
    assert egfr.codon_positions(746)[0] == 156954  # c.2236 opens codon 746
    # the deleted bases of the two exon 19 deletions differ: not two spellings of one variant
    assert fasta.fetch(egfr.chrom, 156952, 156967).upper() == "GGAATTAAGAGAAGC"
    assert fasta.fetch(egfr.chrom, 156953, 156968).upper() == "GAATTAAGAGAAGCA"


def test_without_reference_no_shift_no_dup(tx):
    kras, cdkn2a = tx("NM_004985.5"), tx("ENST00000304494")
    assert hgvs_c(kras, 40703, "C", "CACC") == "c.37_38insGTG"
    assert hgvs_c(cdkn2a, 4003, "CCGCGC", "CCGC") == "c.203_204del"  # already 3' on minus
    assert hgvs_c(cdkn2a, 4006, "CGC", "C") == "c.201_202del"


@pytest.mark.parametrize(
    "bcsq, tid, expected",
    [
        (KRAS_G12D, "NM_004985.5", ("p.Gly12Asp", "G12D")),
        (
            "missense|BRAF|ENST00000646891|protein_coding|-|600V>600E|34610A>T",
            "ENST00000646891",
            ("p.Val600Glu", "V600E"),
        ),
        (
            "missense|EGFR|NM_005228|protein_coding|+|858L>858R|174003T>G",
            "NM_005228",
            ("p.Leu858Arg", "L858R"),
        ),
        (
            "missense|TP53|ENST00000269305|protein_coding|-|175R>175H|13910C>T",
            "ENST00000269305",
            ("p.Arg175His", "R175H"),
        ),
        (EGFR_DEL19, "NM_005228", ("p.Glu746_Ala750del", "E746_A750del")),
        (CDKN2A_FS, "ENST00000304494", ("p.Ala68GlyfsTer51", "A68Gfs*51")),
    ],
)
def test_hgvs_p_real(bcsq, tid, expected):
    assert hgvs_p(pick(parse_bcsq(bcsq), tid)) == expected


@pytest.mark.parametrize(
    "tid, pos, ref, alt, expected",
    [
        ("NM_004985.5", 40705, "C", "T", ("p.Gly12Asp", "G12D")),
        ("ENST00000646891", 34610, "A", "T", ("p.Val600Glu", "V600E")),
        ("NM_005228", 174003, "T", "G", ("p.Leu858Arg", "L858R")),
        ("ENST00000269305", 13910, "C", "T", ("p.Arg175His", "R175H")),
        ("NM_005228", 156952, "AGGAATTAAGAGAAGC", "A", ("p.Glu746_Ala750del", "E746_A750del")),
        ("NM_005228", 156953, "GGAATTAAGAGAAGCA", "G", ("p.Glu746_Ala750del", "E746_A750del")),
        ("ENST00000304494", 4003, "CCGCGC", "CCGC", ("p.Ala68GlyfsTer51", "A68Gfs*51")),
        ("NM_004985.5", 40703, "C", "CACC", ("p.Gly13dup", "G13dup")),
        ("NM_004985.5", 40703, "C", "CTTT", ("p.Gly12_Gly13insLys", "G12_G13insK")),
        ("NM_004985.5", 40704, "A", "G", ("p.Gly12=", "G12=")),
        # c.35del: csq gets this wrong unless the VCF is left-aligned (see protein_change)
        ("NM_004985.5", 40705, "CC", "C", ("p.Gly12ValfsTer3", "G12Vfs*3")),
        ("NM_004985.5", 40737, "C", "T", ("p.Met1?", "M1?")),  # ATG>ATA
        ("NM_004985.5", 40628, "C", "A", (None, None)),  # splice donor: not predicted
        ("NM_004985.5", 40742, "T", "A", (None, None)),  # 5' UTR
    ],
)
def test_protein_change_from_model(tx, fasta, tid, pos, ref, alt, expected):
    assert protein_change(tx(tid), pos, ref, alt, fasta) == expected


def test_protein_sequence(tx, fasta):
    kras = hgvs.protein_sequence(tx("NM_004985.5"), fasta)
    assert kras.startswith("MTEYKLVVVGAGGVGKSALT") and kras.endswith("KCVIM*")
    assert len(kras) == 189  # 188 residues and the stop
    assert hgvs.protein_sequence(tx("ENST00000646891"), fasta)[599] == "V"


# --------------------------------------------------------------------------------------------
# BCSQ parsing
# --------------------------------------------------------------------------------------------


def test_parse_bcsq_fields():
    cs = parse_bcsq(KRAS_G12D)
    assert len(cs) == 2
    c = cs[1]
    assert (c.consequence, c.gene, c.transcript, c.strand) == (
        "missense",
        "KRAS",
        "NM_004985.5",
        "-",
    )
    assert (c.aa_change, c.dna_change) == ("12G>12D", "40705C>T")


def test_parse_bcsq_short_entries_and_references():
    value = (
        "intron|KRAS|NM_004985.5|protein_coding,"
        "5_prime_utr|KRAS|NM_033360.4|protein_coding|-,"
        "@40705,"
        "start_lost|KRAS|NM_001369786.1|protein_coding|-"
    )
    cs = parse_bcsq(value)
    assert [c.consequence for c in cs] == ["intron", "5_prime_utr", "@40705", "start_lost"]
    assert cs[0].aa_change is None and cs[0].dna_change == "" and cs[0].strand == ""
    assert cs[2].is_reference and hgvs_p(cs[2]) == (None, None)
    assert hgvs_p(cs[0]) == (None, None)
    assert hgvs_p(cs[3]) == ("p.Met1?", "M1?")  # csq 1.16 writes no amino acids here


def test_parse_bcsq_tuple_and_missing():
    assert len(parse_bcsq(tuple(KRAS_G12D.split(",")))) == 2  # as pysam returns Number=.
    assert parse_bcsq(".") == []
    assert parse_bcsq("") == []


def test_pick_ignores_versions():
    cs = parse_bcsq(KRAS_G12D + ",@12345")
    assert pick(cs, "NM_004985").transcript == "NM_004985.5"
    assert pick(cs, "NM_004985.4").transcript == "NM_004985.5"
    assert pick(cs, "NM_033360.4") is None
    braf = parse_bcsq("missense|BRAF|ENST00000646891|protein_coding|-|600V>600E|34610A>T")
    assert pick(braf, "ENST00000646891.2") is braf[0]
    assert pick([], "NM_004985.5") is None


def test_three_letter():
    assert set("ACDEFGHIKLMNPQRSTVWY*") <= set(hgvs.THREE_LETTER)
    assert all(len(v) == 3 for v in hgvs.THREE_LETTER.values())
    assert hgvs.THREE_LETTER["*"] == "Ter"
    assert hgvs.THREE_LETTER["G"] == "Gly" and hgvs.THREE_LETTER["W"] == "Trp"


# --------------------------------------------------------------------------------------------
# p. from amino-acid strings
# --------------------------------------------------------------------------------------------


def _c(aa: str | None, kind: str = "missense") -> Consequence:
    return Consequence(kind, "G", "T1", "+", aa, "")


@pytest.mark.parametrize(
    "kind, aa, expected",
    [
        ("missense", "12G>12D", ("p.Gly12Asp", "G12D")),
        ("missense&splice_region", "12G>12D", ("p.Gly12Asp", "G12D")),
        ("synonymous", "12G", ("p.Gly12=", "G12=")),
        ("stop_retained", "190*", ("p.Ter190=", "*190=")),
        ("stop_gained", "12G>12*", ("p.Gly12Ter", "G12*")),
        ("stop_gained", "105Q>105*", ("p.Gln105Ter", "Q105*")),
        ("stop_lost", "189*>189Q", ("p.Ter189GlnextTer?", "*189Qext*?")),
        ("start_lost", "1M>1V", ("p.Met1?", "M1?")),
        ("frameshift", "12GGVGKS*>12GA*", ("p.Gly13AlafsTer2", "G13Afs*2")),
        ("frameshift", "5AK>5C*", ("p.Ala5CysfsTer2", "A5Cfs*2")),
        ("frameshift", "5AK>5*", ("p.Ala5Ter", "A5*")),  # new frame stops at once: nonsense
        ("frameshift", "152SDIPD*>152VRHPRL", ("p.Ser152ValfsTer?", "S152Vfs*?")),
        ("inframe_deletion", "745KELREA>745K", ("p.Glu746_Ala750del", "E746_A750del")),
        ("inframe_deletion", "89VL>89V", ("p.Leu90del", "L90del")),
        ("inframe_deletion", "745KEL>745KP", ("p.Glu746_Leu747delinsPro", "E746_L747delinsP")),
        ("inframe_altering", "10AK>10CDE", ("p.Ala10_Lys11delinsCysAspGlu", "A10_K11delinsCDE")),
        ("inframe_insertion", "12GG>12GGG", ("p.Gly13dup", "G13dup")),
        (
            "inframe_insertion",
            "770DN>770DGSVDN",
            ("p.Asp770_Asn771insGlySerValAsp", "D770_N771insGSVD"),
        ),
        # preceding residue not in csq's string and no protein given: delins of the next one
        ("inframe_insertion", "13G>13KG", ("p.Gly13delinsLysGly", "G13delinsKG")),
        ("stop_gained&inframe_insertion", "63E>63G*", ("p.Glu63delinsGlyTer", "E63delinsG*")),
        ("stop_gained&inframe_insertion", "10E>10E*", ("p.Glu10delinsGluTer", "E10delinsE*")),
        ("intron", None, (None, None)),
        ("splice_acceptor", None, (None, None)),
        ("3_prime_utr", None, (None, None)),
        ("missense", "garbage", (None, None)),
    ],
)
def test_hgvs_p_strings(kind, aa, expected):
    assert hgvs_p(_c(aa, kind)) == expected


@pytest.mark.parametrize(
    "aa, protein, expected",
    [
        # KRAS: insertion of Lys between G12 and G13 (csq names only codon 13)
        ("13G>13KG", "MTEYKLVVVGAGGVGKSALT", ("p.Gly12_Gly13insLys", "G12_G13insK")),
        # deletion of one G from GG..: shifted to the last G of the run
        ("10GA>10G", "MTEYKLVVVGAAGVGK", ("p.Ala12del", "A12del")),
        # duplication inside a run, shifted 3'
        ("10G>10GA", "MTEYKLVVVGAAGVGK", ("p.Ala12dup", "A12dup")),
        # stop inserted right after E10: P11 becomes a stop
        ("10E>10E*", "MEPAAGSSMEPSADW", ("p.Pro11Ter", "P11*")),
        # Gly and a stop replace as many residues as they number
        ("5E>5G*", "MTEYEYSAM", ("p.Glu5_Tyr6delinsGlyTer", "E5_Y6delinsG*")),
        # a protein that does not match csq's residues is ignored
        ("13G>13KG", "MAAAAAAAAAAAAAA", ("p.Gly13delinsLysGly", "G13delinsKG")),
    ],
)
def test_hgvs_p_with_protein(aa, protein, expected):
    assert hgvs_p(_c(aa, "inframe_insertion"), protein=protein) == expected


# --------------------------------------------------------------------------------------------
# c. numbering on hand-made transcripts
# --------------------------------------------------------------------------------------------


class FakeFasta:
    """In-memory reference with the pysam ``fetch(contig, start0, end0)`` signature."""

    def __init__(self, seqs: dict[str, str]):
        self.seqs = seqs

    def fetch(self, contig: str, start: int, end: int) -> str:
        return self.seqs[contig][start:end]


def _sequence() -> str:
    rng = random.Random(11)
    seq = [rng.choice("ACGT") for _ in range(700)]

    def put(pos: int, bases: str) -> None:  # 1-based
        seq[pos - 1 : pos - 1 + len(bases)] = list(bases)

    put(319, "CTTTTC")  # T run 320..323 (exon), flanked by C
    put(398, "CGGGA")  # G run 399..401 across the exon 2 end of PLUS (400 exonic, 401 intronic)
    put(538, "CAAC")  # A run 539..540 in the 3' UTR of PLUS
    put(248, "GTTG")  # T run 249..250 in intron 2 of MINUS
    return "".join(seq)


SEQ = _sequence()
FASTA = FakeFasta({"chrT": SEQ})

# plus strand: exons 101-200, 300-400, 501-600; CDS 151-200, 300-400, 501-529 (180 nt)
#   c.1 = 151, c.50 = 200, c.51 = 300, c.151 = 400, c.152 = 501, c.180 = 529, c.*1 = 530
#   intron 1 = 201..299 (99 nt, middle base 250), intron 2 = 401..500 (100 nt)
PLUS = Transcript(
    "TXP",
    "GENEP",
    "GP",
    "chrT",
    "+",
    101,
    600,
    exons=[(101, 200), (300, 400), (501, 600)],
    cds=[(151, 200), (300, 400), (501, 529)],
)
# minus strand: exons 501-600, 301-400, 101-200 (transcript order); CDS 360..301, 200..150
#   c.1 = 360, c.60 = 301, c.61 = 200, c.111 = 150, c.*1 = 149, c.*49 = 101
#   5' UTR: 361 = c.-1, 400 = c.-40, 501 = c.-41, 600 = c.-140 (intron 1 = 401..500 is in
#   the 5' UTR), intron 2 = 201..300
MINUS = Transcript(
    "TXM",
    "GENEM",
    "GM",
    "chrT",
    "-",
    101,
    600,
    exons=[(101, 200), (301, 400), (501, 600)],
    cds=[(150, 200), (301, 360)],
)
NONCODING = Transcript("TXN", "GENEN", "GN", "chrT", "+", 101, 400, exons=[(101, 200), (301, 400)])


def _snv(t: Transcript, pos: int) -> str | None:
    ref = SEQ[pos - 1]
    alt = "A" if ref != "A" else "C"
    name = hgvs_c(t, pos, ref, alt)
    if name is None:
        return None
    comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
    r, a = (ref, alt) if t.strand == "+" else (comp[ref], comp[alt])
    assert name.endswith(f"{r}>{a}"), name
    return name[: -len(f"{r}>{a}")]


@pytest.mark.parametrize(
    "pos, expected",
    [
        (151, "c.1"),
        (153, "c.3"),
        (200, "c.50"),
        (300, "c.51"),
        (400, "c.151"),
        (501, "c.152"),
        (529, "c.180"),
        (150, "c.-1"),
        (101, "c.-50"),
        (530, "c.*1"),
        (600, "c.*71"),
        (201, "c.50+1"),
        (205, "c.50+5"),
        (250, "c.50+50"),  # odd intron: middle base is +
        (251, "c.51-49"),
        (298, "c.51-2"),
        (299, "c.51-1"),
        (401, "c.151+1"),
        (450, "c.151+50"),
        (451, "c.152-50"),
        (500, "c.152-1"),
        (100, None),
        (601, None),
        (1, None),
    ],
)
def test_positions_plus(pos, expected):
    assert _snv(PLUS, pos) == expected


@pytest.mark.parametrize(
    "pos, expected",
    [
        (360, "c.1"),
        (358, "c.3"),
        (301, "c.60"),
        (200, "c.61"),
        (150, "c.111"),
        (149, "c.*1"),
        (101, "c.*49"),
        (361, "c.-1"),
        (400, "c.-40"),
        (501, "c.-41"),
        (600, "c.-140"),
        (500, "c.-41+1"),
        (451, "c.-41+50"),
        (450, "c.-40-50"),
        (401, "c.-40-1"),  # UTR intron
        (300, "c.60+1"),
        (251, "c.60+50"),
        (250, "c.61-50"),
        (201, "c.61-1"),
        (100, None),
        (601, None),
    ],
)
def test_positions_minus(pos, expected):
    assert _snv(MINUS, pos) == expected


def test_noncoding_uses_n():
    assert _snv(NONCODING, 101) == "n.1"
    assert _snv(NONCODING, 301) == "n.101"
    assert _snv(NONCODING, 210) == "n.100+10"


@pytest.mark.parametrize(
    "t, pos, ref, alt, with_ref, without_ref",
    [
        # plus: T run 320..323 = c.71..c.74
        (PLUS, 319, "CT", "C", "c.74del", "c.71del"),
        (PLUS, 319, "C", "CT", "c.74dup", "c.70_71insT"),
        (PLUS, 319, "CTT", "C", "c.73_74del", "c.71_72del"),
        (PLUS, 319, "C", "CTT", "c.73_74dup", "c.70_71insTT"),
        # G run 399..401 crosses the exon end (400 = c.151): the shift stops at the exon end
        (PLUS, 398, "CG", "C", "c.151del", "c.150del"),
        # minus: the same run is c.41..c.38 (coding A); 3' = genomic left
        (MINUS, 319, "CT", "C", "c.41del", "c.41del"),
        (MINUS, 322, "TT", "T", "c.41del", "c.39del"),
        (MINUS, 319, "C", "CT", "c.41dup", "c.41_42insA"),
        # 3' UTR (539..540 = c.*10..c.*11) and intron (minus: 250 = c.61-50, 249 = c.61-49)
        (PLUS, 538, "C", "CA", "c.*11dup", "c.*9_*10insA"),
        (PLUS, 538, "CA", "C", "c.*11del", "c.*10del"),
        (MINUS, 250, "TG", "G", "c.61-49del", "c.61-50del"),
        (MINUS, 248, "G", "GT", "c.61-49dup", "c.61-49_61-48insA"),
    ],
)
def test_indels(t, pos, ref, alt, with_ref, without_ref):
    assert hgvs_c(t, pos, ref, alt, FASTA) == with_ref
    assert hgvs_c(t, pos, ref, alt) == without_ref


def test_delins_and_fallbacks():
    ref = SEQ[159:161]  # c.10_11
    alt = "".join({"A": "C", "C": "A", "G": "T", "T": "G"}[b] for b in ref)
    assert hgvs_c(PLUS, 160, ref, alt) == f"c.10_11delins{alt}"
    comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
    # minus: 358..359 = c.3..c.2 -> range in transcript order, alt reverse-complemented
    ref_m = SEQ[357:359]
    alt_m = "".join({"A": "C", "C": "A", "G": "T", "T": "G"}[b] for b in ref_m)
    rc = "".join(comp[b] for b in reversed(alt_m))
    assert hgvs_c(MINUS, 358, ref_m, alt_m) == f"c.2_3delins{rc}"
    # deletion across the exon/intron border: not shifted, named by both ends
    assert hgvs_c(PLUS, 399, SEQ[398:403], SEQ[398], FASTA) == "c.151_151+3del"
    # symbolic / identical alleles
    assert hgvs_c(PLUS, 160, SEQ[159], "<DEL>") is None
    assert hgvs_c(PLUS, 160, SEQ[159], SEQ[159]) is None
    # partly outside the transcript
    assert hgvs_c(PLUS, 99, SEQ[98:103], SEQ[98]) is None
