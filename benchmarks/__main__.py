"""Run every benchmark suite: ``python -m benchmarks``.

Each suite is a module with a ``main()`` that prints its figures. ``benchmarks.engine`` always
runs; ``benchmarks.widgets`` runs when the module exists.
"""

from __future__ import annotations

import importlib
import importlib.util

SUITES = ("benchmarks.engine", "benchmarks.widgets")
OPTIONAL = frozenset({"benchmarks.widgets"})


def main() -> int:
    """Run each suite's ``main()`` in order; a non-zero return of any suite is returned."""
    status = 0
    for name in SUITES:
        if name in OPTIONAL and importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        result = module.main()
        if isinstance(result, int) and result:
            status = result
        print(flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
