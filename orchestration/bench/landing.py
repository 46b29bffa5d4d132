"""Landing the generated files: group them by the day in their name, and hard-link (or
copy) the files of a range of days into a warehouse's landing folder."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

_DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})")


def files_by_day(source: Path) -> dict[dt.date | None, list[Path]]:
    """Landing files under source/<entity>/ grouped by the day in their name."""
    days: dict[dt.date | None, list[Path]] = {}
    for p in sorted(source.glob("*/*")):
        if p.name.endswith(".tmp") or not p.is_file():
            continue
        m = _DAY_IN_NAME.search(p.name)
        day = dt.date.fromisoformat(m.group(1)) if m else None
        days.setdefault(day, []).append(p)
    return days


def land(source: Path, landing: Path, by_day: dict, first: dt.date | None, last: dt.date) -> int:
    """Hard-link (or copy) the files of days first..last into landing; returns the count."""
    n = 0
    for day, paths in by_day.items():
        if day is None and first is not None:
            continue
        if day is not None and (day > last or (first is not None and day < first)):
            continue
        for p in paths:
            dest = landing / p.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                continue
            try:
                os.link(p, dest)
            except OSError:
                shutil.copy2(p, dest)
            n += 1
    return n
