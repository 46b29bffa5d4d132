"""Vectorised formatting and atomic file writers for the demo-data generator.

Strings are built as fixed-width byte matrices (ids, timestamps) turned into Arrow string
arrays without copying, or with pyarrow.compute for variable-width text. CSV and JSONL are
rendered column-wise by pyarrow.compute, never row by row in Python.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_POW10 = 10 ** np.arange(18, dtype=np.int64)


def fixed_strings(mat: np.ndarray) -> pa.Array:
    """(n, w) uint8 matrix of ASCII -> Arrow string array of n strings of width w."""
    n, w = mat.shape
    data = np.ascontiguousarray(mat, dtype=np.uint8).reshape(-1)
    if n * w < 2**31 - 1:
        offsets = np.arange(n + 1, dtype=np.int32) * np.int32(w)
        typ = pa.string()
    else:  # pragma: no cover - only for gigantic single arrays
        offsets = np.arange(n + 1, dtype=np.int64) * w
        typ = pa.large_string()
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints, as an (n, width) uint8 matrix."""
    v = np.asarray(values, dtype=np.int64)
    return ((v[:, None] // _POW10[width - 1 :: -1]) % 10 + 48).astype(np.uint8)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """e.g. ids("ct_", [1, 2], 7) -> ["ct_0000001", "ct_0000002"]."""
    numbers = np.asarray(numbers)
    p = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat = np.empty((len(numbers), len(p) + width), dtype=np.uint8)
    mat[:, : len(p)] = p
    mat[:, len(p) :] = digits(numbers, width)
    return fixed_strings(mat)


def id_width(max_number: int, minimum: int) -> int:
    return max(minimum, len(str(int(max_number))))


def civil(days: np.ndarray):
    """Days since 1970-01-01 -> (year, month, day) int64 arrays (proleptic Gregorian)."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (m <= 2)
    return y, m, d


def _date_into(mat: np.ndarray, days: np.ndarray) -> None:
    y, m, d = civil(days)
    mat[:, 0:4] = digits(y, 4)
    mat[:, 4] = ord("-")
    mat[:, 5:7] = digits(m, 2)
    mat[:, 7] = ord("-")
    mat[:, 8:10] = digits(d, 2)


def timestamps(epoch_seconds: np.ndarray) -> pa.Array:
    """Epoch seconds -> "YYYY-MM-DDTHH:MM:SSZ" strings."""
    s = np.asarray(epoch_seconds, dtype=np.int64)
    days, sod = np.divmod(s, 86400)
    mat = np.empty((len(s), 20), dtype=np.uint8)
    _date_into(mat, days)
    mat[:, 10] = ord("T")
    mat[:, 11:13] = digits(sod // 3600, 2)
    mat[:, 13] = ord(":")
    mat[:, 14:16] = digits(sod // 60 % 60, 2)
    mat[:, 16] = ord(":")
    mat[:, 17:19] = digits(sod % 60, 2)
    mat[:, 19] = ord("Z")
    return fixed_strings(mat)


def day_timestamps(day_epoch: int, seconds_of_day: np.ndarray) -> pa.Array:
    """Fast path for one calendar day: the date part is computed once."""
    sod = np.asarray(seconds_of_day, dtype=np.int64)
    head = timestamps(np.array([day_epoch * 86400]))[0].as_py()[:11].encode()
    mat = np.empty((len(sod), 20), dtype=np.uint8)
    mat[:, :11] = np.frombuffer(head, dtype=np.uint8)
    mat[:, 11:13] = digits(sod // 3600, 2)
    mat[:, 13] = ord(":")
    mat[:, 14:16] = digits(sod // 60 % 60, 2)
    mat[:, 16] = ord(":")
    mat[:, 17:19] = digits(sod % 60, 2)
    mat[:, 19] = ord("Z")
    return fixed_strings(mat)


def decimals(cents: np.ndarray) -> pa.Array:
    """Integer cents -> "1234.56" (with "-" for negatives)."""
    c = np.asarray(cents, dtype=np.int64)
    a = np.abs(c)
    whole = pc.cast(pa.array(a // 100), pa.string())
    frac = fixed_strings(digits(a % 100, 2))
    sign = pa.array(np.where(c < 0, "-", ""))
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def replace_at(arr: pa.Array, positions: np.ndarray, values) -> pa.Array:
    """Overwrite arr at positions with values (a list/array of str or None, or one value)."""
    positions = np.asarray(positions, dtype=np.int64)
    if len(positions) == 0:
        return arr
    if not isinstance(values, (list, tuple, np.ndarray, pa.Array)):
        values = [values] * len(positions)
    order = np.argsort(positions, kind="stable")
    mask = np.zeros(len(arr), dtype=bool)
    mask[positions] = True
    vals = pa.array(values, type=pa.string()) if not isinstance(values, pa.Array) else values
    vals = vals.take(pa.array(order))
    return pc.replace_with_mask(arr, pa.array(mask), vals)


# -------------------------------------------------------------------------- writers
def atomic_write_bytes(path: Path, payload) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(payload)
    os.replace(tmp, path)


def _lines_payload(lines: pa.Array) -> memoryview:
    """Concatenate a string array (each element already ending in "\\n") into bytes."""
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    off_t = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    bufs = lines.buffers()
    offsets = np.frombuffer(bufs[1], dtype=off_t)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(bufs[2])[int(offsets[0]) : int(offsets[-1])]


def write_csv(path: Path, columns: list[str], arrays: dict[str, pa.Array]) -> None:
    """UTF-8, comma, header row, minimal quoting (RFC 4180); null -> empty field."""
    cols = []
    for name in columns:
        a = pc.fill_null(arrays[name], "")
        needs = pc.match_substring_regex(a, '[",\r\n]')
        if pc.any(needs).as_py():
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(a, '"', '""'), '"', "")
            a = pc.if_else(needs, quoted, a)
        cols.append(a)
    lines = pc.binary_join_element_wise(*cols, ",")
    lines = pc.binary_join_element_wise(lines, "\n", "")
    header = (",".join(columns) + "\n").encode()
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(header)
        fh.write(_lines_payload(lines))
    os.replace(tmp, path)


def write_jsonl(path: Path, columns: list[str], arrays: dict[str, pa.Array], raw: set[str]) -> None:
    """One JSON object per line. Columns in `raw` hold JSON text already (numbers,
    booleans, nested objects) and go in unquoted; others are JSON strings; null -> null."""
    frags = []
    for i, name in enumerate(columns):
        a = arrays[name]
        if name in raw:
            v = pc.fill_null(a, "null")
        else:
            esc = pc.replace_substring(pc.replace_substring(a, "\\", "\\\\"), '"', '\\"')
            v = pc.if_else(pc.is_null(a), "null", pc.binary_join_element_wise('"', esc, '"', ""))
        key = ("{" if i == 0 else ", ") + json.dumps(name) + ": "
        frags.append(pc.binary_join_element_wise(key, v, ""))
    lines = pc.binary_join_element_wise(*frags, "}\n", "")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(_lines_payload(lines))
    os.replace(tmp, path)


def write_parquet(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
