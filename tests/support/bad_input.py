"""The bad-input corpus, as data: each case is one landing file and what ingestion must
make of it.

Case fields:
    kind      what is wrong (or merely unusual) about the input, in a few words
    entity    the landing folder it lands in
    name      the file name (its extension is its format)
    data      the file's bytes
    rows      the expected outcome of each row in file order, by row number (1-based
              record number for CSV, physical line for JSONL, row for Parquet):
              "loaded", "duplicate", or the quarantine reason code (a dict {row: outcome}
              where row numbers skip, e.g. over a blank line)
    failed    instead of rows: the file cannot be read; a phrase its error must contain
    skipped   the file repeats the bytes of an earlier file: logged `skipped`
    check     optional (sql, expected rows) run against the warehouse after the load,
              to pin what was loaded (values kept verbatim, converted, ...)
    make      instead of data: a callable make(landing) that creates the entry (a link, a
              FIFO, a folder, a file outside an entity folder, ...); entity "" for an entry
              of landing/ itself, whose `file` is then its name
    refused   the entry is not read: logged `refused`; a phrase its reason must contain
    logged    the entry gets no load_log row, only a logged line containing this phrase
    also      further entries the case makes, each logged `refused` (e.g. a subfolder's file)

Files are loaded in name order within an entity, so a case may refer to a key an earlier
case loaded. Keys are unique per case otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TS = "2024-03-10T12:00:00Z"
FAR_FUTURE = "2999-01-01T00:00:00Z"
SQLISH = "Robert'); DROP TABLE raw.contacts; --"
SQLISH2 = "x' OR '1'='1"


@dataclass(frozen=True)
class Case:
    kind: str
    entity: str
    name: str
    data: bytes
    rows: tuple | dict = ()
    failed: str | None = None
    skipped: bool = False
    check: tuple | None = None
    make: Callable[[Path], None] | None = None
    refused: str | None = None
    logged: str | None = None
    also: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.entity}/{self.name}" if self.entity else self.name

    def land(self, landing: Path) -> None:
        """Create the case's entry under the landing folder."""
        if self.entity:
            (landing / self.entity).mkdir(parents=True, exist_ok=True)
        if self.make:
            self.make(landing)
        else:
            (landing / self.file).write_bytes(self.data)

    @property
    def expected(self) -> dict[int, str]:
        """Row number -> outcome (rows given as a tuple are numbered 1, 2, ...)."""
        return dict(self.rows) if isinstance(self.rows, dict) else {i + 1: r for i, r in enumerate(self.rows)}


# --------------------------------------------------------------------------- builders

EVENT_COLS = ["event_id", "contact_id", "event_type", "occurred_at", "properties"]
CONTACT_COLS = [
    "contact_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "seniority",
    "company_id",
    "country",
    "lead_source",
    "attributes",
    "created_at",
    "updated_at",
]


def csv_bytes(header: list[str], rows: list[list], delimiter: str = ",", newline: str = "\n") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode()


def jsonl_bytes(*objs) -> bytes:
    return b"".join(
        (o if isinstance(o, bytes) else (o if isinstance(o, str) else json.dumps(o)).encode()) + b"\n"
        for o in objs
    )


def parquet_bytes(columns: dict) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def ev(eid: str, contact="c1", etype="page_view", at=TS, props=None) -> list:
    return [eid, contact, etype, at, props]


def evo(eid: str, contact="c1", etype="page_view", at=TS, **more) -> dict:
    return {"event_id": eid, "contact_id": contact, "event_type": etype, "occurred_at": at, **more}


def ct(cid: str, **more) -> list:
    row = {
        "contact_id": cid,
        "email": f"{cid}@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "phone": "+1 555 0100",
        "job_title": "CTO",
        "seniority": "c_level",
        "company_id": "co1",
        "country": "US",
        "lead_source": "referral",
        "attributes": '{"a": 1}',
        "created_at": TS,
        "updated_at": TS,
        **more,
    }
    return [row[c] for c in CONTACT_COLS]


def events_csv(*rows, header=EVENT_COLS, **kw) -> bytes:
    return csv_bytes(header, list(rows), **kw)


def contacts_csv(*rows) -> bytes:
    return csv_bytes(CONTACT_COLS, list(rows))


_GOOD_PARQUET = parquet_bytes(
    {
        "event_id": ["pq1", "pq2"],
        "contact_id": ["c1", "c1"],
        "event_type": ["page_view", "email_open"],
        "occurred_at": [TS, TS],
    }
)
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 250  # 8,750 characters: long, within the limit
TOO_LONG = "N" * 10_001
BIG_JSON = json.dumps({"blob": "x" * 70_000})
UNICODE = ["Zoë Ærøskøbing-Łukasiewicz", "李小龙", "محمد", "👩‍💻 Dev", "Ｆｕｌｌｗｉｄｔｈ", "e\u0301clair"]


# ------------------------------------------- makers of entries that are not plain files

AS_ROOT = os.geteuid() == 0  # root reads a chmod 000 file anyway: that case then loads
BIG = "x" * 20_000  # a row field over the 10,000 characters DuckDB keeps of a rejected line
HUGE = 2_100_000  # over DuckDB's CSV record limit (2,000,000 bytes)
PII_ROW = ["m08_1", "jane.doe.m08@example.org", "Janelle", "Doe-Whitfield", "+1 555 0199"]


def sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def rows_of(file: str, entity: str = "events", key: str = "event_id") -> str:
    """SQL: the keys loaded from exactly this file (a glob would add another file's)."""
    return f'select {key} from raw."{entity}" where _file = {sql_text(file)} order by 1'


def _link(rel: str, target) -> Callable[[Path], None]:
    """A symbolic link landing/rel -> target (a path, or target(landing) giving one)."""

    def make(landing: Path) -> None:
        os.symlink(target(landing) if callable(target) else target, landing / rel)

    return make


def _outside(name: str, data: bytes) -> Callable[[Path], str]:
    """A file next to (outside) the landing folder, for a link to point at."""

    def target(landing: Path) -> str:
        p = landing.parent / name
        p.write_bytes(data)
        return str(p)

    return target


def _fifo(rel: str) -> Callable[[Path], None]:
    return lambda landing: os.mkfifo(landing / rel)


def _socket(rel: str) -> Callable[[Path], None]:
    def make(landing: Path) -> None:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(str(landing / rel))
        finally:
            s.close()

    return make


def _folder(rel: str, files: dict[str, bytes] | None = None) -> Callable[[Path], None]:
    def make(landing: Path) -> None:
        (landing / rel).mkdir(parents=True)
        for name, data in (files or {}).items():
            (landing / rel / name).write_bytes(data)

    return make


def _unreadable(rel: str, data: bytes) -> Callable[[Path], None]:
    def make(landing: Path) -> None:
        (landing / rel).write_bytes(data)
        (landing / rel).chmod(0)

    return make


def _hard_link(rel: str, data: bytes) -> Callable[[Path], None]:
    def make(landing: Path) -> None:
        src = Path(_outside("outside_k18.csv", data)(landing))
        os.link(src, landing / rel)

    return make


# --------------------------------------------------------------------------- the corpus

CASES: list[Case] = [
    # -- required values and keys
    Case(
        "missing required value (blank) in CSV",
        "events",
        "a01_missing_required.csv",
        events_csv(ev("a01_1"), ev("a01_2", contact="")),
        ("loaded", "missing_required"),
    ),
    Case(
        "required value only whitespace",
        "events",
        "a02_whitespace_required.csv",
        events_csv(ev("a02_1", etype="   ")),
        ("missing_required",),
    ),
    Case(
        "required key absent from a JSONL object",
        "events",
        "a03_absent_key.jsonl",
        jsonl_bytes(evo("a03_1"), {"event_id": "a03_2", "contact_id": "c1", "occurred_at": TS}),
        ("loaded", "missing_required"),
    ),
    Case(
        "null key (JSON null event_id)",
        "events",
        "a04_null_key.jsonl",
        jsonl_bytes({**evo("x"), "event_id": None}),
        ("missing_required",),
    ),
    Case(
        "null key in Parquet",
        "events",
        "a05_null_key.parquet",
        parquet_bytes(
            {
                "event_id": ["a05_1", None],
                "contact_id": ["c1", "c1"],
                "event_type": ["page_view", "page_view"],
                "occurred_at": [TS, TS],
            }
        ),
        ("loaded", "missing_required"),
    ),
    # -- timestamps
    Case(
        "timestamp that is not ISO-8601 text",
        "events",
        "b01_bad_timestamp.csv",
        events_csv(ev("b01_1", at="yesterday"), ev("b01_2", at="10/03/2024 12:00")),
        ("bad_timestamp", "bad_timestamp"),
    ),
    Case(
        "impossible calendar timestamp",
        "events",
        "b02_impossible_timestamp.csv",
        events_csv(ev("b02_1", at="2024-13-45T99:00:00Z"), ev("b02_2", at="2023-02-29T10:00:00Z")),
        ("bad_timestamp", "bad_timestamp"),
    ),
    Case(
        "offset-carrying timestamps, converted to UTC",
        "events",
        "b03_offsets.csv",
        events_csv(
            ev("b03_1", at="2024-03-10T12:00:00+05:30"),
            ev("b03_2", at="2024-03-10T07:00:00-0500"),
            ev("b03_3", at="2024-03-10t12:00:00z"),
        ),
        ("loaded", "loaded", "loaded"),
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b03_%' order by 1",
            [
                ("b03_1", dt.datetime(2024, 3, 10, 6, 30)),
                ("b03_2", dt.datetime(2024, 3, 10, 12)),
                ("b03_3", dt.datetime(2024, 3, 10, 12)),
            ],
        ),
    ),
    Case(
        "far-future timestamp",
        "events",
        "b04_far_future.csv",
        events_csv(ev("b04_1", at=FAR_FUTURE), ev("b04_2")),
        ("future_timestamp", "loaded"),
    ),
    Case(
        "far-future date (spend)",
        "marketing_spend",
        "b05_future_date.csv",
        csv_bytes(["spend_date", "channel", "amount"], [["2999-12-31", "paid_ad", "1"]]),
        ("future_timestamp",),
    ),
    Case(
        "invalid date",
        "marketing_spend",
        "b06_bad_date.csv",
        csv_bytes(
            ["spend_date", "channel", "amount"], [["2024-02-30", "b06", "1"], ["31/01/2024", "b06b", "1"]]
        ),
        ("bad_date", "bad_date"),
    ),
    Case(
        "timestamp as epoch integer in Parquet",
        "events",
        "b07_epoch.parquet",
        parquet_bytes(
            {
                "event_id": ["b07_1"],
                "contact_id": ["c1"],
                "event_type": ["page_view"],
                "occurred_at": pa.array([1710072000], pa.int64()),
            }
        ),
        ("bad_timestamp",),
    ),
    Case(
        "native Parquet timestamp type",
        "events",
        "b08_native_ts.parquet",
        parquet_bytes(
            {
                "event_id": ["b08_1"],
                "contact_id": ["c1"],
                "event_type": ["page_view"],
                "occurred_at": pa.array([dt.datetime(2024, 3, 10, 12)], pa.timestamp("us")),
            }
        ),
        ("loaded",),
        check=(
            "select occurred_at from raw.events where event_id = 'b08_1'",
            [(dt.datetime(2024, 3, 10, 12),)],
        ),
    ),
    # -- timestamps and offsets (issue 16: impossible offsets quarantined; bounds, forms)
    Case(
        "UTC offset outside -12:00..+14:00",
        "events",
        "b09_offset_out_of_range.csv",
        events_csv(
            *(
                ev(f"b09_{i}", at=f"2024-03-10T12:00:00{off}")
                for i, off in enumerate(["+25:00", "+24:00", "+15:00", "+14:01", "-12:01", "-13:00", "+1430"])
            )
        ),
        ("bad_timestamp",) * 7,
    ),
    Case(
        "UTC offset with 60 or more minutes",
        "events",
        "b10_offset_minutes.csv",
        events_csv(
            ev("b10_1", at="2024-03-10T12:00:00-13:60"),
            ev("b10_2", at="2024-03-10T12:00:00+05:60"),
            ev("b10_3", at="2024-03-10T12:00:00+0599"),
        ),
        ("bad_timestamp",) * 3,
    ),
    Case(
        "UTC offsets at the bounds (+14:00, -12:00) and -00:00",
        "events",
        "b11_offset_bounds.csv",
        events_csv(
            ev("b11_1", at="2024-03-10T12:00:00+14:00"),
            ev("b11_2", at="2024-03-10T12:00:00-12:00"),
            ev("b11_3", at="2024-03-10T12:00:00-00:00"),
        ),
        ("loaded",) * 3,
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b11_%' order by 1",
            [
                ("b11_1", dt.datetime(2024, 3, 9, 22)),
                ("b11_2", dt.datetime(2024, 3, 11, 0)),
                ("b11_3", dt.datetime(2024, 3, 10, 12)),
            ],
        ),
    ),
    Case(
        "the three offset forms +05:30, +0530, +05",
        "events",
        "b12_offset_forms.csv",
        events_csv(
            ev("b12_1", at="2024-03-10T12:00:00+05:30"),
            ev("b12_2", at="2024-03-10T12:00:00+0530"),
            ev("b12_3", at="2024-03-10T12:00:00+05"),
        ),
        ("loaded",) * 3,
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b12_%' order by 1",
            [
                ("b12_1", dt.datetime(2024, 3, 10, 6, 30)),
                ("b12_2", dt.datetime(2024, 3, 10, 6, 30)),
                ("b12_3", dt.datetime(2024, 3, 10, 7)),
            ],
        ),
    ),
    Case(
        "offset with seconds, a space before it, or a zone name",
        "events",
        "b13_offset_junk.csv",
        events_csv(
            ev("b13_1", at="2024-03-10T12:00:00+05:30:00"),
            ev("b13_2", at="2024-03-10T12:00:00 +05:30"),
            ev("b13_3", at="2024-03-10T12:00:00 UTC"),
            ev("b13_4", at="2024-03-10T12:00:00Europe/Paris"),
            ev("b13_5", at="2024-03-10+05:00"),
        ),
        ("bad_timestamp",) * 5,
    ),
    Case(
        "fractional seconds: nine digits (cut to microseconds), a comma, one digit",
        "events",
        "b14_fractions.csv",
        events_csv(
            ev("b14_1", at="2024-03-10T12:00:00.123456789Z"),
            ev("b14_2", at="2024-03-10T12:00:00,5Z"),
            ev("b14_3", at="2024-03-10T12:00:00.9"),
        ),
        ("loaded",) * 3,
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b14_%' order by 1",
            [
                ("b14_1", dt.datetime(2024, 3, 10, 12, 0, 0, 123456)),
                ("b14_2", dt.datetime(2024, 3, 10, 12, 0, 0, 500000)),
                ("b14_3", dt.datetime(2024, 3, 10, 12, 0, 0, 900000)),
            ],
        ),
    ),
    Case(
        "leap second 23:59:60 (refused), 24:00:00 (the next midnight)",
        "events",
        "b15_leap_second.csv",
        events_csv(ev("b15_1", at="2016-12-31T23:59:60Z"), ev("b15_2", at="2024-03-10T24:00:00Z")),
        ("bad_timestamp", "loaded"),
        check=("select occurred_at from raw.events where event_id = 'b15_2'", [(dt.datetime(2024, 3, 11),)]),
    ),
    Case(
        "year 0000 and other years before 1900",
        "events",
        "b16_ancient.csv",
        events_csv(
            ev("b16_1", at="0000-01-01T00:00:00Z"),
            ev("b16_2", at="0024-03-10T12:00:00Z"),
            ev("b16_3", at="1899-12-31T23:59:59Z"),
            ev("b16_4", at="1900-01-01T00:30:00+01:00"),
        ),
        ("bad_timestamp",) * 4,
    ),
    Case(
        "year 9999",
        "events",
        "b17_year_9999.csv",
        events_csv(ev("b17_1", at="9999-12-31T23:59:59Z")),
        ("future_timestamp",),
    ),
    Case(
        "timestamps before 1970, from 1900 on",
        "events",
        "b18_before_1970.csv",
        events_csv(ev("b18_1", at="1900-01-01T00:00:00Z"), ev("b18_2", at="1969-12-31T23:59:59.5Z")),
        ("loaded", "loaded"),
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b18_%' order by 1",
            [("b18_1", dt.datetime(1900, 1, 1)), ("b18_2", dt.datetime(1969, 12, 31, 23, 59, 59, 500000))],
        ),
    ),
    Case(
        "a date with no time in a timestamp column (midnight UTC)",
        "events",
        "b19_date_only.jsonl",
        jsonl_bytes(evo("b19_1", at="2024-03-10")),
        ("loaded",),
        check=("select occurred_at from raw.events where event_id = 'b19_1'", [(dt.datetime(2024, 3, 10),)]),
    ),
    Case(
        "text after the timestamp",
        "events",
        "b20_trailing_text.csv",
        events_csv(
            ev("b20_1", at="2024-03-10T12:00:00Z trailing"),
            ev("b20_2", at="2024-03-10T12:00:00ZZ"),
            ev("b20_3", at="2024-03-10T12:00:00Z;"),
        ),
        ("bad_timestamp",) * 3,
    ),
    Case(
        "whitespace around the timestamp",
        "events",
        "b21_whitespace.csv",
        events_csv(ev("b21_1", at=" 2024-03-10T12:00:00Z "), ev("b21_2", at="\t2024-03-10 12:00:00\t")),
        ("loaded", "loaded"),
        check=(
            "select event_id, occurred_at from raw.events where event_id like 'b21_%' order by 1",
            [("b21_1", dt.datetime(2024, 3, 10, 12)), ("b21_2", dt.datetime(2024, 3, 10, 12))],
        ),
    ),
    Case(
        "lowercase t and z, a space instead of T",
        "events",
        "b22_separators.csv",
        events_csv(
            ev("b22_1", at="2024-03-10t12:00:00z"),
            ev("b22_2", at="2024-03-10 12:00:00Z"),
            ev("b22_3", at="2024-03-10 12:00"),
        ),
        ("loaded",) * 3,
        check=(
            "select count(*) from raw.events "
            "where event_id like 'b22_%' and occurred_at = '2024-03-10 12:00:00'",
            [(3,)],
        ),
    ),
    Case(
        "epoch numbers in CSV",
        "events",
        "b23_epoch_csv.csv",
        events_csv(
            ev("b23_1", at="1710072000"), ev("b23_2", at="1710072000000"), ev("b23_3", at="1710072000.5")
        ),
        ("bad_timestamp",) * 3,
    ),
    Case(
        "ISO forms outside the contract: basic, week, ordinal, hour only, unpadded",
        "events",
        "b24_other_iso_forms.csv",
        events_csv(
            ev("b24_1", at="20240310T120000Z"),
            ev("b24_2", at="2024-W10-7"),
            ev("b24_3", at="2024-070"),
            ev("b24_4", at="2024-03-10T12Z"),
            ev("b24_5", at="2024-3-1"),
            ev("b24_6", at="+2024-03-10"),
        ),
        ("bad_timestamp",) * 6,
    ),
    Case(
        "dates before 1900 and with an offset (spend)",
        "marketing_spend",
        "b25_old_dates.csv",
        csv_bytes(
            ["spend_date", "channel", "amount"],
            [
                ["0000-01-01", "b25", "1"],
                ["1899-12-31", "b25b", "1"],
                ["1900-01-01", "b25c", "1"],
                ["2024-03-10T00:00:00+05:00", "b25d", "1"],
            ],
        ),
        ("bad_date", "bad_date", "loaded", "bad_date"),
    ),
    # -- JSON keys and values in attributes and properties (issue 16: a key any rule can
    # name is loaded and scored; keys that cannot be scored unambiguously are quarantined)
    Case(
        "attribute key with a double quote",
        "contacts",
        "j01_key_quote.csv",
        contacts_csv(ct("j01_1", attributes='{"plan \\"pro\\"": "yes", "it\'s": 1}')),
        ("loaded",),
        check=(
            "select attributes from raw.contacts where contact_id = 'j01_1'",
            [('{"plan \\"pro\\"":"yes","it\'s":1}',)],
        ),
    ),
    Case(
        "attribute keys with dots, $, brackets, ~ and /, backslashes",
        "contacts",
        "j02_key_path_characters.csv",
        contacts_csv(
            ct(
                "j02_1",
                attributes=json.dumps(
                    {"a.b": 1, "$": 2, "$.x": 3, "[0]": 4, "['x']": 5, "~/1": 6, "back\\slash": 7}
                ),
            )
        ),
        ("loaded",),
    ),
    Case(
        "empty attribute key",
        "contacts",
        "j03_empty_key.csv",
        contacts_csv(ct("j03_1", attributes='{"": "x"}'), ct("j03_2", attributes='{"ok": "x"}')),
        ("json_bad_key", "loaded"),
    ),
    Case(
        "whitespace keys and keys with spaces around them",
        "contacts",
        "j04_space_keys.csv",
        contacts_csv(ct("j04_1", attributes='{" ": 1, " budget ": 2, "budget": 3}')),
        ("loaded",),
    ),
    Case(
        "the same attribute key twice in one object",
        "contacts",
        "j05_duplicate_key.csv",
        contacts_csv(
            ct("j05_1", attributes='{"tier": "smb", "tier": "enterprise"}'),
            ct("j05_2", attributes='{"a": 1, "b": {"c": 1}, "a": 1}'),
        ),
        ("json_duplicate_key", "json_duplicate_key"),
    ),
    Case(
        "many keys (1,000 distinct; 100 with one repeated)",
        "contacts",
        "j05b_many_keys.csv",
        contacts_csv(
            ct("j05b_1", attributes=json.dumps({f"k{i}": i for i in range(1000)})),
            ct("j05b_2", attributes="{" + ", ".join(f'"k{i % 99}": {i}' for i in range(100)) + "}"),
        ),
        ("loaded", "json_duplicate_key"),
    ),
    Case(
        "the same key spelled with a JSON escape (a and \\u0061)",
        "companies",
        "j06_escaped_duplicate.jsonl",
        jsonl_bytes(
            f'{{"company_id": "j06_1", "updated_at": "{TS}", "attributes": {{"a": 1, "\\u0061": 2}}}}'
        ),
        ("json_duplicate_key",),
    ),
    Case(
        "keys that differ only in case or in unicode normalisation (distinct keys)",
        "companies",
        "j07_case_and_nfd.jsonl",
        jsonl_bytes(
            {
                "company_id": "j07_1",
                "updated_at": TS,
                "attributes": {"Tier": 1, "tier": 2, "é": 3, "e\u0301": 4},
            }
        ),
        ("loaded",),
    ),
    Case(
        "unicode keys: accents, CJK, right-to-left, emoji, escaped",
        "contacts",
        "j08_unicode_keys.jsonl",
        jsonl_bytes(
            dict(
                zip(
                    CONTACT_COLS,
                    ct("j08_1", attributes={"größe": 1, "規模": 2, "حجم": 3, "👩‍💻": 4, "\u00e9t\u00e9": 5}),
                    strict=True,
                )
            )
        ),
        ("loaded",),
        check=(
            "select json_keys(attributes) from raw.contacts where contact_id = 'j08_1'",
            [(["größe", "規模", "حجم", "👩‍💻", "été"],)],
        ),
    ),
    Case(
        "key of 256 characters (the limit) and of 257",
        "contacts",
        "j09_long_key.csv",
        contacts_csv(
            ct("j09_1", attributes=json.dumps({"k" * 256: 1})),
            ct("j09_2", attributes=json.dumps({"k" * 257: 1})),
        ),
        ("loaded", "json_bad_key"),
    ),
    Case(
        "keys with control characters (NUL, newline, tab)",
        "companies",
        "j10_control_keys.jsonl",
        jsonl_bytes(
            *(
                {"company_id": f"j10_{i}", "updated_at": TS, "attributes": {k: 1}}
                for i, k in enumerate(["a\u0000b", "a\nb", "\tx", "del\u007f"])
            )
        ),
        ("json_bad_key",) * 4,
    ),
    Case(
        "very long attribute value within the JSON limit",
        "contacts",
        "j11_long_value.csv",
        contacts_csv(ct("j11_1", attributes=json.dumps({"note": "v" * 60_000}))),
        ("loaded",),
        check=("select length(attributes) from raw.contacts where contact_id = 'j11_1'", [(60_011,)]),
    ),
    Case(
        "nested object, array and deeply nested values (kept, read as JSON text)",
        "companies",
        "j12_nested_values.jsonl",
        jsonl_bytes(
            {
                "company_id": "j12_1",
                "updated_at": TS,
                "attributes": {
                    "meta": {"x": [1, {"y": None}]},
                    "tags": ["a", "b"],
                    "deep": [[[[[[[[[[1]]]]]]]]]],
                },
            },
            # a key repeated inside a nested value: the value is text to rules, nothing ambiguous
            f'{{"company_id": "j12_2", "updated_at": "{TS}", "attributes": {{"in": {{"x": 1, "x": 2}}}}}}',
        ),
        ("loaded", "loaded"),
        check=(
            "select attributes from raw.companies where company_id = 'j12_1'",
            [('{"meta":{"x":[1,{"y":null}]},"tags":["a","b"],"deep":[[[[[[[[[[1]]]]]]]]]]}',)],
        ),
    ),
    Case(
        "attribute values of every JSON type, big and exponent numbers",
        "contacts",
        "j13_value_types.csv",
        contacts_csv(
            ct(
                "j13_1",
                attributes='{"s": "x", "i": 12345678901234567890123, "e": 1e2, "f": -0.5, "t": true, '
                '"n": null}',
            )
        ),
        ("loaded",),
        check=(
            "select attributes from raw.contacts where contact_id = 'j13_1'",
            [('{"s":"x","i":12345678901234567890123,"e":100.0,"f":-0.5,"t":true,"n":null}',)],
        ),
    ),
    Case(
        "attributes that are not an object: array, string, number, boolean, null, in CSV",
        "contacts",
        "j14_attributes_not_object.csv",
        contacts_csv(
            *(ct(f"j14_{i}", attributes=a) for i, a in enumerate(["[1, 2]", '"text"', "42", "true", "null"]))
        ),
        ("json_not_object",) * 5,
    ),
    Case(
        "attributes null or an empty object in JSONL",
        "companies",
        "j15_null_and_empty.jsonl",
        jsonl_bytes(
            {"company_id": "j15_1", "updated_at": TS, "attributes": None},
            {"company_id": "j15_2", "updated_at": TS, "attributes": {}},
        ),
        ("loaded", "loaded"),
        check=(
            "select company_id, attributes from raw.companies "
            "where company_id in ('j15_1', 'j15_2') order by 1",
            [("j15_1", None), ("j15_2", "{}")],
        ),
    ),
    Case(
        "Parquet attributes as a struct (written as a JSON object)",
        "companies",
        "j15b_struct_attributes.parquet",
        parquet_bytes(
            {
                "company_id": ["j15b_1"],
                "updated_at": [TS],
                "attributes": pa.array([{"tier": "smb", "a.b": 1, "none": None}]),
            }
        ),
        ("loaded",),
        check=(
            "select attributes from raw.companies where company_id = 'j15b_1'",
            [('{"tier":"smb","a.b":1,"none":null}',)],
        ),
    ),
    Case(
        "Parquet attributes as a map with a repeated key, an empty key",
        "companies",
        "j15c_map_attributes.parquet",
        parquet_bytes(
            {
                "company_id": ["j15c_1", "j15c_2", "j15c_3"],
                "updated_at": [TS] * 3,
                "attributes": pa.array(
                    [[("tier", "smb"), ("tier", "ent")], [("", "x")], [("ok", "y")]],
                    pa.map_(pa.string(), pa.string()),
                ),
            }
        ),
        ("json_duplicate_key", "json_bad_key", "loaded"),
    ),
    Case(
        "event properties with a quote, a dot, $, brackets",
        "events",
        "j16_property_keys.jsonl",
        jsonl_bytes(evo("j16_1", properties={'the "plan"': "pro", "utm.source": "ads", "$": 1, "[0]": 2})),
        ("loaded",),
    ),
    Case(
        "event properties with a repeated key, an empty key",
        "events",
        "j17_property_bad_keys.csv",
        events_csv(
            ev("j17_1", props='{"url": "/a", "url": "/b"}'),
            ev("j17_2", props='{"": "/a"}'),
            ev("j17_3", props='{"url": "/a"}'),
        ),
        ("json_duplicate_key", "json_bad_key", "loaded"),
    ),
    Case(
        "event properties that are not an object (array, string) in JSONL",
        "events",
        "j18_properties_not_object.jsonl",
        jsonl_bytes(evo("j18_1", properties=["url", "/a"]), evo("j18_2", properties="url=/a")),
        ("json_not_object", "json_not_object"),
    ),
    # -- numbers and booleans
    Case(
        "negative amount",
        "opportunities",
        "c01_negative_amount.csv",
        csv_bytes(
            ["opportunity_id", "contact_id", "created_at", "stage", "amount", "updated_at"],
            [["c01_1", "c1", TS, "open", "-10.50", TS], ["c01_2", "c1", TS, "open", "10.50", TS]],
        ),
        ("negative_number", "loaded"),
    ),
    Case(
        "negative amount in JSONL spend",
        "marketing_spend",
        "c02_negative_spend.jsonl",
        jsonl_bytes({"spend_date": "2024-01-02", "channel": "c02", "amount": -5}),
        ("negative_number",),
    ),
    Case(
        "number that does not parse",
        "companies",
        "c03_bad_number.csv",
        csv_bytes(
            ["company_id", "employee_count", "annual_revenue", "updated_at"],
            [["c03_1", "12.5", "1", TS], ["c03_2", "many", "1", TS], ["c03_3", "5", "NaN", TS]],
        ),
        ("bad_number", "bad_number", "bad_number"),
    ),
    Case(
        "scientific notation and integer-valued floats",
        "companies",
        "c04_sci_number.csv",
        csv_bytes(
            ["company_id", "employee_count", "annual_revenue", "updated_at"], [["c04_1", "12.0", "1.5e3", TS]]
        ),
        ("loaded",),
        check=(
            "select employee_count, annual_revenue::double from raw.companies where company_id = 'c04_1'",
            [(12, 1500.0)],
        ),
    ),
    Case(
        "boolean that is not a boolean",
        "opportunities",
        "c05_bad_boolean.jsonl",
        jsonl_bytes(
            {
                "opportunity_id": "c05_1",
                "contact_id": "c1",
                "created_at": TS,
                "stage": "closed_won",
                "is_won": "maybe",
                "updated_at": TS,
            }
        ),
        ("bad_boolean",),
    ),
    # -- JSON
    Case(
        "JSONL line that is not an object",
        "events",
        "d01_not_object_line.jsonl",
        jsonl_bytes('"just a string"', "[1, 2]", "42", "null", evo("d01_5")),
        ("json_not_object",) * 4 + ("loaded",),
    ),
    Case(
        "JSONL line that is not JSON",
        "events",
        "d02_invalid_json.jsonl",
        jsonl_bytes(evo("d02_1"), '{"event_id": "d02_2", ', "{'single': 'quotes'}"),
        ("loaded", "invalid_json", "invalid_json"),
    ),
    Case(
        "attributes JSON that is not an object",
        "companies",
        "d03_attributes_array.jsonl",
        jsonl_bytes(
            {"company_id": "d03_1", "updated_at": TS, "attributes": [1, 2]},
            {"company_id": "d03_2", "updated_at": TS, "attributes": "{broken"},
        ),
        ("json_not_object", "json_not_object"),
    ),
    Case(
        "oversized JSON properties",
        "events",
        "d04_oversized_json.csv",
        events_csv(ev("d04_1", props=BIG_JSON), ev("d04_2", props='{"url": "/ok"}')),
        ("json_too_large", "loaded"),
    ),
    Case(
        "invalid UTF-8 in a JSONL line",
        "events",
        "d05_invalid_utf8.jsonl",
        jsonl_bytes(
            evo("d05_1"),
            b'{"event_id": "d05_2", "contact_id": "\xff\xfe", "event_type": "x", '
            b'"occurred_at": "2024-03-10T12:00:00Z"}',
        ),
        ("loaded", "invalid_json"),
    ),
    # -- CSV shape
    Case(
        "invalid UTF-8 (Latin-1) in a CSV field",
        "contacts",
        "e01_latin1.csv",
        contacts_csv(ct("e01_1")) + b"e01_2,e01_2@example.com,Jos\xe9,Lee,,,,,,,," + f"{TS},{TS}\n".encode(),
        ("loaded", "unparseable_row"),
    ),
    Case(
        "row with too few fields",
        "events",
        "e02_short_row.csv",
        events_csv(ev("e02_1")) + b"e02_2,c1,page_view\n",
        ("loaded", "unparseable_row"),
    ),
    Case(
        "row with too many fields",
        "events",
        "e03_long_row.csv",
        events_csv(ev("e03_1")) + f"e03_2,c1,page_view,{TS},,surplus\n".encode(),
        ("loaded", "unparseable_row"),
    ),
    Case(
        "wrong delimiter (semicolon)",
        "events",
        "e04_semicolon.csv",
        events_csv(ev("e04_1"), delimiter=";"),
        failed="delimiter",
    ),
    Case(
        "wrong delimiter (tab)",
        "events",
        "e05_tab.csv",
        events_csv(ev("e05_1"), delimiter="\t"),
        failed="delimiter",
    ),
    Case(
        "header lacks a required column",
        "events",
        "e06_missing_column.csv",
        csv_bytes(["event_id", "contact_id", "occurred_at"], [["e06_1", "c1", TS]]),
        failed="lacks required column",
    ),
    Case(
        "duplicate column in the header",
        "events",
        "e07_duplicate_header.csv",
        csv_bytes(EVENT_COLS + ["event_id"], [ev("e07_1") + ["e07_1"]]),
        failed="duplicate column",
    ),
    Case(
        "no header row",
        "events",
        "e08_no_header.csv",
        f"e08_1,c1,page_view,{TS},\n".encode(),
        failed="lacks required column",
    ),
    Case("empty CSV file (0 bytes)", "events", "e09_empty.csv", b"", failed="empty file"),
    Case("header only", "contacts", "e10_header_only.csv", contacts_csv(), ()),
    Case(
        "extra columns kept in _extra",
        "events",
        "e11_extra_columns.csv",
        events_csv(ev("e11_1") + ["web", "7"], header=EVENT_COLS + ["channel", "n"]),
        ("loaded",),
        check=("select _extra from raw.events where event_id = 'e11_1'", [('{"channel":"web","n":"7"}',)]),
    ),
    Case(
        "CRLF line endings, a byte-order mark and a blank line",
        "events",
        "e12_crlf_bom.csv",
        b"\xef\xbb\xbf"
        + events_csv(ev("e12_1"), newline="\r\n")
        + b"\r\n"
        + events_csv(ev("e12_3"), newline="\r\n").split(b"\r\n", 1)[1],
        {1: "loaded", 3: "loaded"},
        check=(
            "select event_id, _row_number from raw.events where event_id like 'e12_%' order by 1",
            [("e12_1", 1), ("e12_3", 3)],
        ),
    ),
    Case(
        "quoted field spanning lines, commas and quotes",
        "events",
        "e13_multiline.csv",
        events_csv(ev("e13_1", props='{"note": "a, \\"b\\"\\nc"}'), ev("e13_2")),
        ("loaded", "loaded"),
    ),
    Case(
        "binary junk named .csv",
        "events",
        "e14_binary.csv",
        b"\x89PNG\r\n\x1a\n\xff\xfe\xfd" * 40,
        failed="UTF-8",
    ),
    # -- files
    Case("empty JSONL file", "events", "f01_empty.jsonl", b"", ()),
    Case(
        "JSONL with no valid line",
        "events",
        "f02_garbage.jsonl",
        b"not json\nstill not\n",
        failed="not a JSONL",
    ),
    Case(
        "truncated Parquet",
        "events",
        "f03_truncated.parquet",
        _GOOD_PARQUET[: len(_GOOD_PARQUET) // 2],
        failed="Parquet",
    ),
    Case("empty Parquet file (0 bytes)", "events", "f04_empty.parquet", b"", failed="empty file"),
    Case(
        "Parquet lacking a required column",
        "events",
        "f05_parquet_missing_column.parquet",
        parquet_bytes({"event_id": ["f05_1"], "contact_id": ["c1"], "occurred_at": [TS]}),
        failed="lacks required column",
    ),
    Case("unsupported format", "events", "f06_export.xlsx", b"PK\x03\x04junk", failed="unsupported format"),
    Case("good Parquet", "events", "f07_good.parquet", _GOOD_PARQUET, ("loaded", "loaded")),
    Case(
        "the same bytes again under another name",
        "events",
        "f08_same_bytes_again.parquet",
        _GOOD_PARQUET,
        skipped=True,
    ),
    # -- duplicates
    Case(
        "repeated id with different content (same file)",
        "events",
        "g01_conflict.csv",
        events_csv(ev("g01_1"), ev("g01_1", etype="email_open"), ev("g01_1")),
        ("loaded", "conflicting_duplicate", "duplicate"),
    ),
    Case(
        "repeated id with different content (earlier file)",
        "events",
        "g02_conflict_across_files.jsonl",
        jsonl_bytes(evo("g01_1", etype="quote_request"), evo("g01_1")),
        ("conflicting_duplicate", "duplicate"),
    ),
    Case(
        "changing history rows of one contact (same key only when same updated_at)",
        "contacts",
        "g03_history.csv",
        contacts_csv(
            ct("g03_1", updated_at="2024-03-01T00:00:00Z"),
            ct("g03_1", job_title="CEO", updated_at="2024-03-02T00:00:00Z"),
        ),
        ("loaded", "loaded"),
    ),
    # -- text content
    Case(
        "SQL-looking strings in text fields",
        "contacts",
        "h01_sqlish.csv",
        contacts_csv(
            ct("h01_1", first_name=SQLISH, job_title=SQLISH2, lead_source="'; DELETE FROM raw.events; --")
        ),
        ("loaded",),
        check=(
            "select first_name, job_title, lead_source from raw.contacts where contact_id = 'h01_1'",
            [(SQLISH, SQLISH2, "'; DELETE FROM raw.events; --")],
        ),
    ),
    Case(
        "SQL-looking id and event type",
        "events",
        "h02_sqlish_keys.jsonl",
        jsonl_bytes(evo("h02_1'; DROP TABLE raw.events; --", etype="page_view' OR 1=1 --")),
        ("loaded",),
        check=(
            "select event_type from raw.events where event_id = 'h02_1''; DROP TABLE raw.events; --'",
            [("page_view' OR 1=1 --",)],
        ),
    ),
    Case(
        "unicode names",
        "contacts",
        "h03_unicode.jsonl",
        jsonl_bytes(
            *[
                dict(
                    zip(
                        CONTACT_COLS,
                        ct(f"h03_{i}", first_name=n, last_name=n[::-1], attributes=None),
                        strict=True,
                    )
                )
                for i, n in enumerate(UNICODE)
            ]
        ),
        ("loaded",) * len(UNICODE),
        check=(
            "select first_name from raw.contacts where contact_id like 'h03_%' order by contact_id",
            [(n,) for n in UNICODE],
        ),
    ),
    Case(
        "very long name within the limit",
        "contacts",
        "h04_long_name.csv",
        contacts_csv(ct("h04_1", last_name=LONG_NAME)),
        ("loaded",),
        check=("select length(last_name) from raw.contacts where contact_id = 'h04_1'", [(len(LONG_NAME),)]),
    ),
    Case(
        "name longer than the text limit",
        "contacts",
        "h05_too_long.csv",
        contacts_csv(ct("h05_1", first_name=TOO_LONG), ct("h05_2")),
        ("text_too_long", "loaded"),
    ),
    Case(
        "NUL and control characters in a text field",
        "events",
        "h06_control_chars.jsonl",
        jsonl_bytes(evo("h06_1", etype="page\u0000view\u0007")),
        ("loaded",),
    ),
    # == issue 16, ingest side: file and folder names, links and special files, encodings
    # == and line endings, column-name variants, very long rows and fields
    # -- file and folder names: each file loads its own rows only (never read as a glob)
    Case(
        "name with a bracket class (a glob: ev[1] matches ev1)",
        "events",
        "j01_ev[1].csv",
        events_csv(ev("j01_1")),
        ("loaded",),
        check=(rows_of("events/j01_ev[1].csv"), [("j01_1",)]),
    ),
    Case(
        "plain name that the bracket pattern would match",
        "events",
        "j01_ev1.csv",
        events_csv(ev("j02_1")),
        ("loaded",),
        check=(rows_of("events/j01_ev1.csv"), [("j02_1",)]),
    ),
    Case(
        "name with a star (a glob matching its neighbours)",
        "events",
        "j03_*.csv",
        events_csv(ev("j03_1")),
        ("loaded",),
        check=(rows_of("events/j03_*.csv"), [("j03_1",)]),
    ),
    Case(
        "name with a question mark (a glob matching the star file)",
        "events",
        "j03_?.csv",
        events_csv(ev("j04_1")),
        ("loaded",),
        check=(rows_of("events/j03_?.csv"), [("j04_1",)]),
    ),
    Case(
        "name with braces (JSONL)",
        "events",
        "j05_{a,b}.jsonl",
        jsonl_bytes(evo("j05_1")),
        ("loaded",),
        check=(rows_of("events/j05_{a,b}.jsonl"), [("j05_1",)]),
    ),
    Case(
        "name a brace pattern would match",
        "events",
        "j05_a.jsonl",
        jsonl_bytes(evo("j06_1")),
        ("loaded",),
        check=(rows_of("events/j05_a.jsonl"), [("j06_1",)]),
    ),
    Case(
        "name with single and double quotes",
        "events",
        'j07_it\'s "quoted".csv',
        events_csv(ev("j07_1")),
        ("loaded",),
        check=(rows_of('events/j07_it\'s "quoted".csv'), [("j07_1",)]),
    ),
    Case(
        "name with a leading dash",
        "events",
        "-j08_dash.csv",
        events_csv(ev("j08_1")),
        ("loaded",),
        check=(rows_of("events/-j08_dash.csv"), [("j08_1",)]),
    ),
    Case(
        "unicode name",
        "events",
        "j09_événements_日本.jsonl",
        jsonl_bytes(evo("j09_1")),
        ("loaded",),
        check=(rows_of("events/j09_événements_日本.jsonl"), [("j09_1",)]),
    ),
    Case(
        "name with spaces",
        "events",
        "j10 two  spaces .csv",
        events_csv(ev("j10_1")),
        ("loaded",),
        check=(rows_of("events/j10 two  spaces .csv"), [("j10_1",)]),
    ),
    Case(
        "name with a newline",
        "events",
        "j11_new\nline.csv",
        events_csv(ev("j11_1")),
        ("loaded",),
        check=(rows_of("events/j11_new\nline.csv"), [("j11_1",)]),
    ),
    Case(
        "name with glob characters (Parquet)",
        "events",
        "j12_[pq]*.parquet",
        parquet_bytes(
            {"event_id": ["j12_1"], "contact_id": ["c1"], "event_type": ["x"], "occurred_at": [TS]}
        ),
        ("loaded",),
        check=(rows_of("events/j12_[pq]*.parquet"), [("j12_1",)]),
    ),
    Case(
        "name with a backslash",
        "events",
        "j13_back\\slash.csv",
        events_csv(ev("j13_1")),
        ("loaded",),
        check=(rows_of("events/j13_back\\slash.csv"), [("j13_1",)]),
    ),
    Case("upper-case extension", "events", "j14_UPPER.CSV", events_csv(ev("j14_1")), ("loaded",)),
    Case("no extension", "events", "j15_no_extension", events_csv(ev("j15_1")), failed="unsupported format"),
    # -- links and special files: refused with a reason, never followed, nothing read
    Case(
        "symlink to a file of the same folder",
        "events",
        "k01_link.csv",
        b"",
        make=_link("events/k01_link.csv", "j01_ev1.csv"),
        refused="symbolic link",
    ),
    Case(
        "symlink to a system file",
        "events",
        "k02_passwd.csv",
        b"",
        make=_link("events/k02_passwd.csv", "/etc/passwd"),
        refused="symbolic link",
        check=("select count(*) from raw.load_log where error like '%root:%'", [(0,)]),
    ),
    Case(
        "symlink to a file outside landing/",
        "events",
        "k03_outside.csv",
        b"",
        make=_link("events/k03_outside.csv", _outside("outside_k03.csv", events_csv(ev("k03_1")))),
        refused="symbolic link",
        check=("select count(*) from raw.events where event_id = 'k03_1'", [(0,)]),
    ),
    Case(
        "dangling symlink",
        "events",
        "k04_dangling.csv",
        b"",
        make=_link("events/k04_dangling.csv", "does_not_exist.csv"),
        refused="symbolic link",
    ),
    Case(
        "looping symlink",
        "events",
        "k05_loop.csv",
        b"",
        make=_link("events/k05_loop.csv", "k05_loop.csv"),
        refused="symbolic link",
    ),
    Case(
        "symlink to a folder, named like a file",
        "events",
        "k06_dirlink.jsonl",
        b"",
        make=_link("events/k06_dirlink.jsonl", "/etc"),
        refused="symbolic link",
    ),
    Case(
        "FIFO named like a CSV",
        "events",
        "k07_fifo.csv",
        b"",
        make=_fifo("events/k07_fifo.csv"),
        refused="FIFO",
    ),
    Case(
        "socket named like a JSONL",
        "events",
        "k08_socket.jsonl",
        b"",
        make=_socket("events/k08_socket.jsonl"),
        refused="socket",
    ),
    Case(
        "folder named like a file",
        "events",
        "k09_folder.csv",
        b"",
        make=_folder("events/k09_folder.csv"),
        refused="a folder",
    ),
    Case(
        "file in a subfolder of an entity folder",
        "events",
        "k10_sub/k10.csv",
        b"",
        make=_folder("events/k10_sub", {"k10.csv": events_csv(ev("k10_1"))}),
        refused="inside a subfolder",
        also=("events/k10_sub",),
        check=("select count(*) from raw.events where event_id = 'k10_1'", [(0,)]),
    ),
    Case(
        "file placed directly in landing/",
        "",
        "k11_top.csv",
        events_csv(ev("k11_1")),
        refused="directly in landing/",
    ),
    Case(
        "misnamed entity folder (capitalised)",
        "",
        "Events/",
        b"",
        make=_folder("Events", {"k12.csv": events_csv(ev("k12_1"))}),
        refused="did you mean events/",
    ),
    Case(
        "misnamed entity folder (singular)",
        "",
        "contact/",
        b"",
        make=_folder("contact", {"k13.csv": contacts_csv(ct("k13_1"))}),
        refused="did you mean contacts/",
    ),
    Case(
        "a folder of landing/ that is no entity",
        "",
        "k14_archive/",
        b"",
        make=_folder("k14_archive", {"old.csv": events_csv(ev("k14_1"))}),
        logged="not an entity of the landing contract",
    ),
    Case(
        "hidden file in an entity folder (ignored by design)",
        "events",
        ".k15_hidden.csv",
        events_csv(ev("k15_1")),
        logged="hidden or *.tmp",
    ),
    Case(
        "*.tmp file being written (ignored by design: write as .tmp, then rename)",
        "events",
        "k16_part.csv.tmp",
        events_csv(ev("k16_1")),
        logged="hidden or *.tmp",
    ),
    Case(
        "unreadable file (chmod 000; as root it is readable and loads)",
        "events",
        "k17_unreadable.csv",
        b"",
        ("loaded",) if AS_ROOT else (),
        failed=None if AS_ROOT else "Permission denied",
        make=_unreadable("events/k17_unreadable.csv", events_csv(ev("k17_1"))),
    ),
    Case(
        "hard link to a file outside landing/ (a regular file: loaded)",
        "events",
        "k18_hardlink.csv",
        b"",
        ("loaded",),
        make=_hard_link("events/k18_hardlink.csv", events_csv(ev("k18_1"))),
    ),
    # -- encodings and line endings
    Case(
        "UTF-8 byte-order mark on a JSONL file",
        "events",
        "l01_bom.jsonl",
        b"\xef\xbb\xbf" + jsonl_bytes(evo("l01_1"), evo("l01_2")),
        ("loaded", "loaded"),
    ),
    Case(
        "UTF-16 CSV with a byte-order mark",
        "events",
        "l02_utf16.csv",
        events_csv(ev("l02_1")).decode().encode("utf-16"),
        failed="UTF-16",
    ),
    Case(
        "UTF-16 JSONL with a byte-order mark",
        "events",
        "l03_utf16.jsonl",
        jsonl_bytes(evo("l03_1")).decode().encode("utf-16"),
        failed="UTF-16",
    ),
    Case(
        "Latin-1 byte in the CSV header",
        "events",
        "l04_latin1_header.csv",
        b"event_id,contact_id,event_type,occurred_at,propri\xe9t\xe9s\n" + f"l04_1,c1,x,{TS},\n".encode(),
        failed="not UTF-8",
    ),
    Case(
        "CR-only line endings (classic Mac)",
        "events",
        "l05_cr_only.csv",
        events_csv(ev("l05_1"), ev("l05_2"), newline="\r"),
        failed="lone CR",
    ),
    Case(
        "CRLF line endings in JSONL",
        "events",
        "l06_crlf.jsonl",
        jsonl_bytes(evo("l06_1"), evo("l06_2")).replace(b"\n", b"\r\n"),
        ("loaded", "loaded"),
    ),
    Case(
        "mixed LF and CRLF line endings",
        "events",
        "l07_mixed.csv",
        events_csv(ev("l07_1"), ev("l07_2"), newline="\r\n") + events_csv(ev("l07_3")).split(b"\n", 1)[1],
        ("loaded", "loaded", "loaded"),
    ),
    Case(
        "NUL byte in a CSV field (kept)",
        "events",
        "l08_nul_field.csv",
        events_csv(ev("l08_1", etype="page\x00view"), ev("l08_2")),
        ("loaded", "loaded"),
        check=("select event_type from raw.events where event_id = 'l08_1'", [("page\x00view",)]),
    ),
    Case(
        "NUL bytes in the CSV header",
        "events",
        "l09_nul_header.csv",
        b"event_id,contact_id\x00,event_type,occurred_at\n" + f"l09_1,c1,x,{TS}\n".encode(),
        failed="NUL",
    ),
    Case(
        "no newline after the last CSV row",
        "events",
        "l10_no_final_newline.csv",
        events_csv(ev("l10_1"), ev("l10_2")).rstrip(b"\n"),
        ("loaded", "loaded"),
    ),
    Case(
        "no newline after the last JSONL line",
        "events",
        "l11_no_final_newline.jsonl",
        jsonl_bytes(evo("l11_1")).rstrip(b"\n"),
        ("loaded",),
    ),
    # -- column-name variants
    Case(
        "column names in another case (EVENT_ID, Properties)",
        "events",
        "m01_case.csv",
        events_csv(
            ev("m01_1", props='{"a": 1}'),
            header=["EVENT_ID", "Contact_Id", "event_type", "OCCURRED_AT", "Properties"],
        ),
        ("loaded",),
        check=("select properties, _extra from raw.events where event_id = 'm01_1'", [('{"a":1}', None)]),
    ),
    Case(
        "column names with surrounding spaces",
        "events",
        "m02_spaces.csv",
        events_csv(
            ev("m02_1"), header=[" event_id", "contact_id ", "event_type", "occurred_at", " properties "]
        ),
        ("loaded",),
        check=("select contact_id, _extra from raw.events where event_id = 'm02_1'", [("c1", None)]),
    ),
    Case(
        "byte-order mark before a quoted first column name",
        "events",
        "m03_bom_quoted.csv",
        b'\xef\xbb\xbf"event_id",contact_id,event_type,occurred_at,properties\n'
        + f"m03_1,c1,x,{TS},\n".encode(),
        ("loaded",),
    ),
    Case(
        "two columns naming one contract column in different case",
        "events",
        "m04_case_collision.csv",
        events_csv(ev("m04_1") + ["m04_1"], header=EVENT_COLS + ["EVENT_ID"]),
        failed="duplicate column event_id",
    ),
    Case(
        "two unknown columns with the same name",
        "events",
        "m05_duplicate_extra.csv",
        events_csv(ev("m05_1") + ["a", "b"], header=EVENT_COLS + ["channel", "channel"]),
        failed="two columns with the same name",
    ),
    Case(
        "an empty column name (kept in _extra as column_<n>)",
        "events",
        "m06_empty_name.csv",
        events_csv(ev("m06_1") + ["v"], header=EVENT_COLS + [""]),
        ("loaded",),
        check=("select _extra from raw.events where event_id = 'm06_1'", [('{"column_6":"v"}',)]),
    ),
    Case(
        "Parquet columns in another case, and an extra one",
        "events",
        "m07_case.parquet",
        parquet_bytes(
            {
                "EVENT_ID": ["m07_1"],
                "contact_id": ["c1"],
                "Event_Type": ["x"],
                "occurred_at": [TS],
                "Channel": ["web"],
            }
        ),
        ("loaded",),
        check=(
            "select event_type, _extra from raw.events where event_id = 'm07_1'",
            [("x", '{"Channel":"web"}')],
        ),
    ),
    Case(
        "JSONL keys in another case or with spaces (read as the contract column)",
        "events",
        "m09_case_keys.jsonl",
        jsonl_bytes(
            {
                "EVENT_ID": "m09_1",
                "Contact_Id": "c1",
                " event_type ": "x",
                "occurred_at": TS,
                "Properties": {"a": 1},
            }
        ),
        ("loaded",),
        check=(
            "select contact_id, event_type, properties, _extra from raw.events where event_id = 'm09_1'",
            [("c1", "x", '{"a":1}', None)],
        ),
    ),
    Case(
        "JSONL line with a key and its case variant (the exact key wins, the other kept in _extra)",
        "events",
        "m10_key_and_variant.jsonl",
        jsonl_bytes({**evo("m10_1"), "EVENT_ID": "m10_other"}),
        ("loaded",),
        check=("select _extra from raw.events where event_id = 'm10_1'", [('{"EVENT_ID":"m10_other"}',)]),
    ),
    Case(
        "headerless contacts file whose first row holds PII",
        "contacts",
        "m08_headerless_pii.csv",
        csv_bytes(
            ct("m08_1", email=PII_ROW[1], first_name=PII_ROW[2], last_name=PII_ROW[3], phone=PII_ROW[4]), []
        ),
        failed="looks like data",
    ),
    # -- very long rows and fields: quarantined rows are kept whole
    Case(
        "unparseable CSV row over 10,000 characters (kept whole)",
        "events",
        "n01_long_unparseable.csv",
        events_csv(ev("n01_1")) + f"n01_2,c1,{BIG},{TS},,surplus\n".encode(),
        ("loaded", "unparseable_row"),
        check=(
            "select length(raw_content) from raw.quarantine where file = 'events/n01_long_unparseable.csv'",
            [(len(f"n01_2,c1,{BIG},{TS},,surplus"),)],
        ),
    ),
    Case(
        "CSV record over DuckDB's 2,000,000-byte line limit (kept whole)",
        "events",
        "n02_huge_record.csv",
        events_csv(ev("n02_1")) + b"n02_2,c1," + b"z" * HUGE + f",{TS},\n".encode(),
        ("loaded", "unparseable_row"),
        check=(
            "select length(raw_content) from raw.quarantine where file = 'events/n02_huge_record.csv'",
            [(len(f"n02_2,c1,,{TS},") + HUGE,)],
        ),
    ),
    Case(
        "JSONL line over 2,000,000 bytes with a too long field",
        "events",
        "n03_huge_line.jsonl",
        jsonl_bytes(evo("n03_1"), evo("n03_2", etype="y" * HUGE)),
        ("loaded", "text_too_long"),
        check=(
            "select length(raw_content) from raw.quarantine where file = 'events/n03_huge_line.jsonl'",
            [(len(json.dumps(evo("n03_2", etype="y" * HUGE))),)],
        ),
    ),
    Case(
        "invalid JSON line over 10,000 characters (kept whole)",
        "events",
        "n04_long_invalid.jsonl",
        jsonl_bytes(evo("n04_1"), b'{"event_id": "n04_2", "x": "' + BIG.encode()),
        ("loaded", "invalid_json"),
        check=(
            "select length(raw_content) from raw.quarantine where file = 'events/n04_long_invalid.jsonl'",
            [(len('{"event_id": "n04_2", "x": "') + len(BIG),)],
        ),
    ),
    Case(
        "unbalanced quote opening a long last field (kept whole)",
        "events",
        "n05_long_open_quote.csv",
        events_csv(ev("n05_1")) + f'n05_2,c1,"{BIG}\n'.encode(),
        ("loaded", "unparseable_row"),
        check=(
            "select length(raw_content) from raw.quarantine where file = 'events/n05_long_open_quote.csv'",
            [(len(f'n05_2,c1,"{BIG}'),)],
        ),
    ),
    Case(
        "text field of exactly the limit (10,000 characters)",
        "events",
        "n06_at_the_limit.csv",
        events_csv(ev("n06_1", etype="t" * 10_000)),
        ("loaded",),
        check=("select length(event_type) from raw.events where event_id = 'n06_1'", [(10_000,)]),
    ),
    Case(
        "a thousand extra columns",
        "events",
        "n07_wide.csv",
        events_csv(ev("n07_1") + ["v"] * 1000, header=EVENT_COLS + [f"x{i}" for i in range(1000)]),
        ("loaded",),
        check=("select len(json_keys(_extra)) from raw.events where event_id = 'n07_1'", [(1000,)]),
    ),
    # -- references and vocabulary
    Case(
        "unknown event type (kept, scores nothing unless a rule names it)",
        "events",
        "i01_unknown_type.csv",
        events_csv(ev("i01_1", etype="hologram_call")),
        ("loaded",),
    ),
    Case(
        "contact naming a company never landed",
        "contacts",
        "i02_unknown_company.csv",
        contacts_csv(ct("i02_1", company_id="co_does_not_exist")),
        ("loaded",),
    ),
    Case(
        "event of a contact never landed",
        "events",
        "i03_unknown_contact.csv",
        events_csv(ev("i03_1", contact="ct_nobody")),
        ("loaded",),
    ),
    Case(
        "disposition outside the vocabulary, missing decision time",
        "lead_dispositions",
        "i04_dispositions.csv",
        csv_bytes(
            ["contact_id", "disposition", "reason", "decided_at"],
            [["c1", "maybe_later", "", TS], ["c1", "accepted", "", ""]],
        ),
        ("loaded", "missing_required"),
    ),
]
