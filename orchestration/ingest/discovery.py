"""Landing file discovery: the files of each entity folder, in order, and their fingerprint
(sha256 of the bytes, size, mtime) that identifies them in the load log.

Layout read: <landing>/<entity>/*.{csv,jsonl,parquet}; entities in contract order, files
in name order; hidden files and *.tmp are ignored (write as .tmp, then rename), any other
file in an entity folder is found with format None (the loader logs it `failed`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest import contract as C

FORMAT_OF = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
HASH_CHUNK = 8 << 20


@dataclass
class Landed:
    path: Path
    rel: str  # "<entity>/<name>", the `file` recorded everywhere
    entity: C.Entity
    fmt: str | None  # None: unsupported extension
    checksum: str = ""
    size: int = 0
    mtime_ns: int = 0
    maybe_blank_lines: bool = False


def fingerprint(lf: Landed) -> None:
    """sha256 of the bytes (streamed), size, mtime; for CSV whether a blank line may exist."""
    st = lf.path.stat()
    lf.size, lf.mtime_ns = st.st_size, st.st_mtime_ns
    h = hashlib.sha256()
    look = lf.fmt == "csv"
    blank = False
    tail = b""
    with open(lf.path, "rb", buffering=0) as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
            if look and not blank:
                edge = tail + chunk[:2]
                blank = b"\n\n" in edge or b"\n\r\n" in edge or b"\n\n" in chunk or b"\n\r\n" in chunk
                tail = chunk[-2:]
    lf.checksum = h.hexdigest()
    lf.maybe_blank_lines = blank


def changed(lf: Landed) -> bool:
    """Whether lf is gone or its size or mtime differ from its fingerprint's."""
    try:
        st = lf.path.stat()
    except FileNotFoundError:
        return True
    return (st.st_size, st.st_mtime_ns) != (lf.size, lf.mtime_ns)


def discover(landing: Path, progress) -> list[Landed]:
    """The landing files to consider, entities in contract order, files in name order."""
    out = []
    for p in sorted(landing.iterdir()):
        if p.is_dir() and p.name not in C.ENTITIES and not p.name.startswith("."):
            progress(f"ignoring folder {p.name}/: not an entity of the landing contract")
    for entity in C.ENTITIES.values():
        folder = landing / entity.name
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir(), key=lambda p: p.name):
            if p.name.startswith(".") or p.name.endswith(".tmp") or not p.is_file():
                continue
            out.append(Landed(p, f"{entity.name}/{p.name}", entity, FORMAT_OF.get(p.suffix.lower())))
    return out
