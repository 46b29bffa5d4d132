"""Great Expectations, imported once per process, optionally ahead of time in a thread.

`import great_expectations` takes 2.5-4 s (it pulls in scipy, altair, its expectation
registry...). Loading the definitions never pays for it (see checks.gx); a run pays for it
once, in its first GX check. `preload()` starts that import in a daemon thread at a moment
the run mostly waits: the dbt_build step calls it before starting dbt, whose subprocess
then runs while the import proceeds, and the GX checks after the build find it done.
`module()` returns the module, waiting for a preload under way; if the preload failed,
it imports again here, so its error surfaces where it always did.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from types import ModuleType

# Great Expectations imports pyspark when it is installed (it is, for the Spark target),
# and pyspark 4 warns at import that it does not fully support pandas 3. No pyspark code
# runs in these checks: GX validates pandas DataFrames. The Spark target itself does not
# use pandas either (dbt-spark's session method runs SQL).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _environment() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _import() -> None:
    # A failed import is not this thread's to report: module() imports again and raises there.
    with contextlib.suppress(BaseException):
        import great_expectations  # noqa: F401


def preload() -> None:
    """Start importing Great Expectations in the background (once per process)."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        _environment()
        _thread = threading.Thread(target=_import, name="leadscore-gx-import", daemon=True)
        _thread.start()


def module() -> ModuleType:
    """The great_expectations module (waits for a preload under way)."""
    with _lock:
        thread = _thread
    if thread is not None:
        thread.join()
    _environment()
    import great_expectations

    return great_expectations
