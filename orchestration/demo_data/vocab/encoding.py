"""How vocabulary entries are encoded: JSON text (for `properties` and `attributes`) and
probability weights normalised to sum to one."""

from __future__ import annotations

import json

import numpy as np


def js(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def weights(values) -> np.ndarray:
    w = np.asarray(values, dtype=np.float64)
    return w / w.sum()
