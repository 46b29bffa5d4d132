"""The candidate version as seed rows, in the seeds' own formats, and where they go.

With the project's seeds folder as the destination (the default), the rows are appended
to its CSVs: every byte already there stays as it was. With any other folder, each rule
seed is written whole: its header and the candidate's rows only (to review, or to merge
by hand). Each file is written to a temporary name and renamed over the old one.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from orchestration.calibrate.candidates import number_text
from orchestration.calibrate.options import CalibrateError
from orchestration.runtime import config

# The rule seeds of a model version and their columns, as in seeds/*.csv.
HEADERS: dict[str, list[str]] = {
    "scoring_models": [
        "model_id", "model_version", "is_active", "label", "description", "mql_threshold", "min_score",
        "max_score", "decay_method", "decay_full_days", "decay_half_life_days", "decay_percent",
        "decay_period_days", "decay_window_days",
    ],
    "segment_conditions": [
        "model_id", "model_version", "condition_id", "description", "field", "operator", "value", "value_to",
    ],
    "fit_rules": [
        "model_id", "model_version", "rule_id", "description", "field", "operator", "value", "value_to",
        "points", "component",
    ],
    "engagement_rules": [
        "model_id", "model_version", "rule_id", "description", "event_type", "property", "operator", "value",
        "points", "buying_stage", "component", "max_occurrences", "max_points", "cap_window_days",
        "decay_method", "decay_full_days", "decay_half_life_days", "decay_percent", "decay_period_days",
        "decay_window_days",
    ],
    "aggregate_rules": [
        "model_id", "model_version", "rule_id", "description", "measure", "event_type", "property",
        "operator", "value", "sum_property", "window_days", "min_value", "max_value", "points",
        "buying_stage", "component",
    ],
    "inactivity_rules": ["model_id", "model_version", "rule_id", "description", "inactive_days", "points"],
    "score_bands": ["model_id", "model_version", "band", "band_rank", "min_score"],
    "score_grades": ["model_id", "model_version", "dimension", "grade", "grade_rank", "min_points"],
}  # fmt: skip

DECAY_COLUMNS = HEADERS["scoring_models"][8:]


def project_seeds() -> Path:
    return config.PROJECT_DIR / "seeds"


def is_project_seeds(folder: Path) -> bool:
    return Path(folder).resolve() == project_seeds().resolve()


def text(value) -> str:
    """A value as a seed cell: blank for none, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(float(value))
    return str(value)


def versions_in(folder: Path, model_id: str) -> list[int]:
    """The versions of model_id in folder/scoring_models.csv (none when there is no file)."""
    path = Path(folder) / "scoring_models.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return sorted(
            int(r["model_version"])
            for r in csv.DictReader(f)
            if r.get("model_id") == model_id and (r.get("model_version") or "").strip().isdigit()
        )


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or "x"


def check(rows: dict[str, list[dict]]) -> None:
    """The invariants the seed tests hold the rows to; a failure here is a bug, said plainly."""

    def fail(what: str) -> None:
        raise CalibrateError(f"internal check of the candidate's seed rows failed: {what}")

    ids = [r["rule_id"] for r in rows["fit_rules"]]
    if len(ids) != len(set(ids)):
        fail("fit rule ids repeat")
    agg = rows["aggregate_rules"]
    keys = [(r["rule_id"], float(r["min_value"])) for r in agg]
    if len(keys) != len(set(keys)):
        fail("aggregate bins repeat")
    by_rule: dict[str, list[dict]] = {}
    for r in agg:
        by_rule.setdefault(r["rule_id"], []).append(r)
    for rule_id, bins in by_rule.items():
        bins = sorted(bins, key=lambda r: float(r["min_value"]))
        for a, b in zip(bins, bins[1:], strict=False):
            if a["max_value"] == "" or float(a["max_value"]) > float(b["min_value"]):
                fail(f"aggregate rule {rule_id}: bins overlap")
        for r in bins:
            if r["measure"] != "days_since" and float(r["min_value"]) <= 0:
                fail(f"aggregate rule {rule_id}: a bin starts at 0")
    bands = [float(r["min_score"]) for r in rows["score_bands"]]
    if any(b <= a for a, b in zip(bands, bands[1:], strict=False)):
        fail("bands do not rise")
    for dimension in ("fit", "engagement"):
        grades = [float(r["min_points"]) for r in rows["score_grades"] if r["dimension"] == dimension]
        if not grades or any(b >= a for a, b in zip(grades, grades[1:], strict=False)):
            fail(f"{dimension} grades do not fall")


def _csv(rows: list[dict], header: list[str], with_header: bool) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if with_header:
        w.writerow(header)
    for r in rows:
        w.writerow([text(r.get(c)) for c in header])
    return buf.getvalue()


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~config.file_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(
    rows: dict[str, list[dict]], folder: Path, model_id: str, version: int, append: bool | None = None
) -> list[Path]:
    """Write the candidate's rows under `folder` (appended to its seed files when `append`,
    by default when it is the project's seeds folder); the files written."""
    check(rows)
    folder = Path(folder)
    written = []
    if is_project_seeds(folder) if append is None else append:
        if version in versions_in(folder, model_id):
            raise CalibrateError(f"{folder}/scoring_models.csv already holds {model_id} version {version}")
        for name, header in HEADERS.items():
            if not rows[name]:
                continue
            path = folder / f"{name}.csv"
            if not path.is_file():
                raise CalibrateError(f"no seed file {path} to append to")
            old = path.read_bytes()
            with path.open(newline="", encoding="utf-8") as f:
                found = next(csv.reader(f), [])
            if found != header:
                raise CalibrateError(f"{path}: its columns differ from the seed's ({', '.join(header)})")
            if old and not old.endswith(b"\n"):
                old += b"\n"
            _replace(path, old + _csv(rows[name], header, with_header=False).encode("utf-8"))
            written.append(path)
    else:
        if folder.exists() and not folder.is_dir():
            raise CalibrateError(f"--out {folder} is not a folder")
        for name, header in HEADERS.items():
            path = folder / f"{name}.csv"
            _replace(path, _csv(rows[name], header, with_header=True).encode("utf-8"))
            written.append(path)
    return written
