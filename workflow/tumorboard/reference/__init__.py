"""Reference: the resource manifest and its fetching, the contig map between reference contigs and
GRCh38 (demo loci contigs or a site's chromosomes), MANE Select gene models and their conversion
from other formats, the capture panel (targets and backbone tiles), and the checks of a site's
own reference.  Every later stage sees "a reference with a contig map"."""
