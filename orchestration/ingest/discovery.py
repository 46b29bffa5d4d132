"""Landing discovery: every entry under the landing folder gets one outcome, the files of
each entity folder are opened safely, and each file's fingerprint (sha256 of the bytes,
size, mtime) identifies it in the load log.

Layout read: <landing>/<entity>/*.{csv,jsonl,parquet}; entities in contract order, files
in name order. Every other entry gets exactly one outcome:

- hidden entries (`.x`) and `*.tmp` files anywhere: ignored by design (write as .tmp,
  then rename), one logged line each;
- a folder of landing/ that is no entity: one logged line with the reason, and when its
  name looks like an entity's (`Events/`, `event/`) a `refused` row naming that entity;
- a file (or anything else) directly in landing/, a symlinked or non-folder entity, and
  under an entity folder a symbolic link (to anything, dangling or looping), a folder
  (also one named like a file, `x.csv/`), every entry below such a folder, a FIFO, a
  socket or a device: a `refused` row with the reason; nothing is read through them;
- a regular file of an entity folder with another extension: `failed` (unsupported format).

Nothing is followed: entries are examined with lstat, and a file is opened relative to
its entity folder's descriptor with O_NOFOLLOW (so neither the file nor its folder may be
swapped for a link in between) and must be a regular file once open. The landing folder
itself may be a link (it is configuration, not landed content).

DuckDB's readers take a path and expand glob characters in it (`ev[1].csv` would read
`ev1.csv`), so they never see a landing path: each open file is handed to them as a link
with a generated name (`<n>.<format>`) in a private folder of this run, pointing to the
descriptor (/proc/self/fd/<fd>, where the system has it), which reads exactly the file
opened. See ReadLinks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest import contract as C

FORMAT_OF = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
HASH_CHUNK = 8 << 20
OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC
DIR_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC
FD_DIR = "/proc/self/fd"
# Characters DuckDB's file system treats as glob syntax (and quotes, for good measure):
# never in a path given to a reader.
GLOB_CHARS = set("*?[]{}'\"\\")


@dataclass
class Landed:
    path: Path
    rel: str  # "<entity>/<name>", the `file` recorded everywhere
    entity: C.Entity | None  # None: an entry outside any entity folder (refused)
    fmt: str | None  # None: unsupported extension
    checksum: str = ""
    size: int = 0
    mtime_ns: int = 0
    maybe_blank_lines: bool = False
    refused: str | None = None  # why the entry is not read (it gets a `refused` row)
    fd: int | None = None  # the open file, from fingerprint() to close()
    read_path: str = ""  # what DuckDB reads: a generated link to the open file

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class NotAFile(Exception):
    """The entry is not a regular file once opened (swapped for a link, a FIFO, ...)."""


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def _reason(mode: int, where: str) -> str:
    kind = kind_of(mode)
    if stat.S_ISLNK(mode):
        return f"{kind}: links are never followed ({where})"
    if stat.S_ISDIR(mode):
        return f"{kind}, not a file: subfolders of an entity folder are not read ({where})"
    return f"{kind}, not a regular file: not read ({where})"


def open_file(lf: Landed, landing: Path) -> None:
    """Open lf without following links (its entity folder neither); NotAFile if it is not
    a regular file once open; OSError if it cannot be opened."""
    folder, name = lf.rel.split("/", 1)
    links = (getattr(os, "ELOOP", -1), getattr(os, "EMLINK", -1))
    try:
        dfd = os.open(landing / folder, DIR_FLAGS)
    except OSError as e:
        if e.errno in links:
            raise NotAFile(f"its folder {folder}/ became a symbolic link: links are never followed") from None
        raise
    try:
        fd = os.open(name, OPEN_FLAGS, dir_fd=dfd)
    except OSError as e:
        if e.errno in links:
            raise NotAFile("a symbolic link: links are never followed; land the file itself") from None
        raise
    finally:
        os.close(dfd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotAFile(_reason(st.st_mode, "it changed after it was listed"))
    lf.fd = fd


def fingerprint(lf: Landed) -> None:
    """sha256 of the bytes (streamed from the open file), size, mtime; for CSV whether a
    blank line may exist."""
    st = os.fstat(lf.fd)
    lf.size, lf.mtime_ns = st.st_size, st.st_mtime_ns
    h = hashlib.sha256()
    look = lf.fmt == "csv"
    blank = False
    tail = b""
    pos = 0
    while chunk := os.pread(lf.fd, HASH_CHUNK, pos):
        pos += len(chunk)
        h.update(chunk)
        if look and not blank:
            edge = tail + chunk[:2]
            blank = b"\n\n" in edge or b"\n\r\n" in edge or b"\n\n" in chunk or b"\n\r\n" in chunk
            tail = chunk[-2:]
    lf.checksum = h.hexdigest()
    lf.maybe_blank_lines = blank


def changed(lf: Landed) -> bool:
    """Whether the open file's size or mtime differ from its fingerprint's."""
    if lf.fd is None:
        return True
    st = os.fstat(lf.fd)
    return (st.st_size, st.st_mtime_ns) != (lf.size, lf.mtime_ns)


READ_LINKS_PREFIX = "leadscore-read-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_read_links(base: str) -> list[str]:
    """Remove the link folders of ingests that died before closing theirs (killed, out of
    memory): folders `leadscore-read-<pid>-*` of ours whose process no longer runs. They
    hold only links; a pid reused since is taken as alive and its folder kept. Returns the
    folders removed."""
    removed = []
    try:
        entries = os.scandir(base)
    except OSError:
        return removed
    with entries:
        for entry in entries:
            parts = entry.name[len(READ_LINKS_PREFIX) :].split("-", 1)
            if not (entry.name.startswith(READ_LINKS_PREFIX) and len(parts) == 2 and parts[0].isdigit()):
                continue
            try:
                if (
                    not entry.is_dir(follow_symlinks=False)
                    or entry.stat(follow_symlinks=False).st_uid != os.getuid()
                ):
                    continue
            except OSError:
                continue
            if not _alive(int(parts[0])):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
    return removed


class ReadLinks:
    """A private folder (mode 0700) of links with generated names, one per open landing
    file, for DuckDB's readers: `<n>.<format>` -> /proc/self/fd/<fd> (Linux), so the
    reader opens exactly the file the loader opened, whatever its name holds; where the
    system has no /proc/self/fd, the link points to the file's absolute path. The folder
    is named after the process, so a later ingest removes it if this one dies first."""

    def __init__(self):
        base = tempfile.gettempdir()
        if GLOB_CHARS & set(base):
            base = "/tmp"
        sweep_read_links(base)
        self.dir = tempfile.mkdtemp(prefix=f"{READ_LINKS_PREFIX}{os.getpid()}-", dir=base)
        self.n = 0
        self.by_fd = os.path.isdir(FD_DIR)

    def link(self, lf: Landed) -> None:
        self.n += 1
        name = os.path.join(self.dir, f"{self.n}.{lf.fmt or 'bin'}")
        target = f"{FD_DIR}/{lf.fd}" if self.by_fd else os.path.abspath(lf.path)
        os.symlink(target, name)
        lf.read_path = name

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def shown(rel: str) -> str:
    """A landing name for a message: as is, or quoted when it holds a line break or other
    non-printable characters."""
    return rel if rel.isprintable() else repr(rel)


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith(".tmp")


def probable_entity(name: str) -> str | None:
    """The entity a misnamed folder probably means (case, a missing or extra 's')."""
    low = name.strip().lower()
    for entity in C.ENTITIES:
        if low in (entity, entity.rstrip("s"), entity + "s") or low.replace("-", "_") == entity:
            return entity
    return None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _refuse_tree(folder: Path, rel: str, entity: C.Entity, out: list[Landed], progress) -> None:
    """Refuse every entry below a subfolder of an entity folder (never following links)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        progress(f"{rel}/: cannot be listed ({e.strerror}): its entries are not read")
        return
    for name in names:
        p, r = folder / name, f"{rel}/{name}"
        st = _lstat(p)
        if st is None:
            continue
        if _ignored(name):
            progress(f"ignoring {shown(r)}: hidden or *.tmp")
            continue
        where = f"it is inside the subfolder {rel}/"
        if stat.S_ISREG(st.st_mode):
            reason = (
                f"a file inside a subfolder of {entity.name}/: not read (land it directly in {entity.name}/)"
            )
        else:
            reason = _reason(st.st_mode, where)
        out.append(Landed(p, r, entity, FORMAT_OF.get(p.suffix.lower()), refused=reason))
        if stat.S_ISDIR(st.st_mode):
            _refuse_tree(p, r, entity, out, progress)


def discover(landing: Path, progress) -> list[Landed]:
    """Every entry to settle: entity folders in contract order (their files in name order,
    refused entries among them), then refused entries of landing/ itself."""
    out: list[Landed] = []
    top: list[Landed] = []
    for name in sorted(os.listdir(landing)):
        p = landing / name
        st = _lstat(p)
        if st is None:
            continue
        if name in C.ENTITIES and stat.S_ISDIR(st.st_mode):
            continue  # read below
        if name.startswith("."):
            progress(f"ignoring {shown(name)} in landing/: hidden")
            continue
        if name in C.ENTITIES:
            reason = (
                _reason(st.st_mode, "an entity folder must be a real folder")
                if stat.S_ISLNK(st.st_mode)
                else f"{kind_of(st.st_mode)} where the entity folder {name}/ belongs: nothing is read"
            )
            top.append(Landed(p, name + "/", C.ENTITIES[name], None, refused=reason))
            continue
        if stat.S_ISDIR(st.st_mode):
            guess = probable_entity(name)
            if guess:
                top.append(
                    Landed(
                        p,
                        name + "/",
                        C.ENTITIES[guess],
                        None,
                        refused=f"not an entity folder (names are case-sensitive: did you mean {guess}/?); "
                        "nothing in it is read",
                    )
                )
            else:
                progress(f"ignoring folder {shown(name)} in landing/: not an entity of the landing contract")
            continue
        if name.endswith(".tmp"):
            progress(f"ignoring {shown(name)} in landing/: *.tmp")
            continue
        where = "directly in landing/: files go in landing/<entity>/"
        reason = f"a file {where}" if stat.S_ISREG(st.st_mode) else _reason(st.st_mode, f"it is {where}")
        top.append(Landed(p, name, None, FORMAT_OF.get(p.suffix.lower()), refused=reason))
    for entity in C.ENTITIES.values():
        folder = landing / entity.name
        st = _lstat(folder)
        if st is None or not stat.S_ISDIR(st.st_mode):
            continue
        for name in sorted(os.listdir(folder)):
            p, rel = folder / name, f"{entity.name}/{name}"
            st = _lstat(p)
            if st is None:
                continue
            if _ignored(name):
                progress(f"ignoring {shown(rel)}: hidden or *.tmp (write as .tmp, then rename)")
                continue
            fmt = FORMAT_OF.get(p.suffix.lower())
            if stat.S_ISREG(st.st_mode):
                out.append(Landed(p, rel, entity, fmt))
                continue
            where = f"in {entity.name}/" + ("; land the file itself" if stat.S_ISLNK(st.st_mode) else "")
            out.append(Landed(p, rel, entity, fmt, refused=_reason(st.st_mode, where)))
            if stat.S_ISDIR(st.st_mode):
                _refuse_tree(p, rel, entity, out, progress)
    return out + top
