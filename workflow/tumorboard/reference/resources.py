"""External resources: read the manifest, fetch from a URL or a local mirror, verify checksums.

Nothing genomic is committed to the project.  Each manifest entry names a public URL and a
checksum; ``fetch`` copies the entry from ``<mirror>/<entry.mirror>`` when a mirror is configured
(air-gapped clusters, CI) or downloads it, and refuses anything whose checksum differs.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pysam
import yaml


class ResourceError(Exception):
    """A resource could not be obtained or failed verification."""


@dataclass(frozen=True)
class Resource:
    id: str
    kind: str  # "sequence" or "file"
    url: str
    mirror: str
    description: str = ""
    licence: str = ""
    role: str = ""
    contig: str = ""
    md5_sequence: str = ""
    sha256: str = ""
    length: int = 0
    derived: str = ""

    @property
    def filename(self) -> str:
        if self.kind == "sequence":
            return f"{self.id}.fa"
        return Path(self.mirror).name


def load_manifest(path: str | Path) -> dict[str, Resource]:
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    out: dict[str, Resource] = {}
    fields = set(Resource.__dataclass_fields__)
    for n, entry in enumerate(doc.get("resources", []), start=1):
        unknown = set(entry) - fields
        if unknown:
            raise ResourceError(f"{path}: entry {n} has unknown keys {sorted(unknown)}")
        try:
            res = Resource(**entry)
        except TypeError as exc:
            raise ResourceError(f"{path}: entry {n}: {exc}") from None
        if res.kind == "sequence" and not (res.md5_sequence and res.contig):
            raise ResourceError(f"{path}: sequence resource {res.id} needs contig and md5_sequence")
        if res.kind == "file" and not res.sha256:
            raise ResourceError(f"{path}: file resource {res.id} needs sha256")
        if res.id in out:
            raise ResourceError(f"{path}: resource id {res.id} appears twice")
        out[res.id] = res
    return out


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read ``chunk`` bytes at a time (resources, inputs, provenance)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def md5_sequence(seq: str) -> str:
    return hashlib.md5(seq.upper().encode()).hexdigest()


def _download(url: str, dest: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp, open(dest, "wb") as out:
            shutil.copyfileobj(resp, out)
    except OSError as exc:
        raise ResourceError(f"could not download {url}: {exc}") from None


def _read_single_fasta(path: Path) -> str:
    """Sequence of a one-record FASTA (as Ensembl REST returns), header ignored."""
    lines = path.read_text().splitlines()
    if not lines or not lines[0].startswith(">"):
        raise ResourceError(f"{path}: not a FASTA file")
    if sum(1 for ln in lines if ln.startswith(">")) != 1:
        raise ResourceError(f"{path}: expected one FASTA record")
    return "".join(ln.strip() for ln in lines[1:])


def _mirror_path(res: Resource, mirror: Path) -> Path:
    path = mirror / res.mirror
    if not path.exists():
        raise ResourceError(f"resource {res.id}: {path} not found in the mirror {mirror}")
    return path


def fetch_sequence(res: Resource, mirror: Path | None, dest: Path) -> None:
    if mirror is not None:
        src = _mirror_path(res, mirror)
        with pysam.FastaFile(str(src)) as fa:
            if res.contig not in fa.references:
                raise ResourceError(f"resource {res.id}: contig {res.contig} not in {src}")
            seq = fa.fetch(res.contig)
    else:
        tmp = dest.with_suffix(".download")
        _download(res.url, tmp)
        seq = _read_single_fasta(tmp)
        tmp.unlink()
    seq = seq.upper()
    got = md5_sequence(seq)
    if got != res.md5_sequence:
        raise ResourceError(
            f"resource {res.id}: sequence md5 {got} differs from the manifest's {res.md5_sequence}"
        )
    if res.length and len(seq) != res.length:
        raise ResourceError(f"resource {res.id}: length {len(seq)} differs from {res.length}")
    tmp = dest.with_suffix(".partial")
    with open(tmp, "w") as fh:
        fh.write(f">{res.contig}\n")
        for i in range(0, len(seq), 60):
            fh.write(seq[i : i + 60] + "\n")
    tmp.replace(dest)


def fetch_file(res: Resource, mirror: Path | None, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".partial")
    if mirror is not None:
        shutil.copyfile(_mirror_path(res, mirror), tmp)
    else:
        if res.derived:
            raise ResourceError(
                f"resource {res.id} is derived, not a public file ({res.url} is its upstream): "
                "set resources.mirror to a directory holding it"
            )
        _download(res.url, tmp)
    got = sha256_file(tmp)
    if got != res.sha256:
        tmp.unlink()
        raise ResourceError(
            f"resource {res.id}: sha256 {got} differs from the manifest's {res.sha256}"
        )
    tmp.replace(dest)


def fetch(res: Resource, mirror: str | Path | None, dest: str | Path) -> None:
    """Obtain ``res`` into ``dest``, verified; ``mirror`` None or "" means download."""
    mirror_dir = Path(mirror) if mirror else None
    if mirror_dir is not None and not mirror_dir.is_dir():
        raise ResourceError(f"resources.mirror {mirror_dir} is not a directory")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if res.kind == "sequence":
        fetch_sequence(res, mirror_dir, dest)
    elif res.kind == "file":
        fetch_file(res, mirror_dir, dest)
    else:
        raise ResourceError(f"resource {res.id}: unknown kind {res.kind!r}")
