"""Without numpy (a light JupyterLite site offline), every explorer resolves to a placeholder.

No browser: a fresh Python in which ``import numpy`` fails, as in Pyodide when the CDN is out of
reach, imports every registered explorer, creates each one and reads its state.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import json, sys
    sys.modules["numpy"] = None          # import numpy -> ModuleNotFoundError, name 'numpy'
    import margin_widgets
    from margin_widgets import registry
    from margin_widgets.engine import liquidation_price
    from margin_widgets.widgets.exercise import AnswerCheck
    from margin_widgets.widgets._fallback import ChartsUnavailableError, PLACEHOLDER_CLASS

    report = {"status": margin_widgets.charts_status(), "explorers": {}}
    for name in registry.names():
        cls = getattr(margin_widgets, name)
        view = cls(leverage=20)
        try:
            view.controls
            refused = None
        except ChartsUnavailableError as exc:
            refused = exc._render_traceback_()
        report["explorers"][name] = {
            "class": cls.__name__,
            "module": cls.__module__,
            "css": PLACEHOLDER_CLASS in view._dom_classes,
            "message": view.message,
            "refused": refused,
        }
    check = AnswerCheck("Liquidation price?", liquidation_price("long", 1, 20_000, 400, 0.005, 0))
    report["check"] = check.check("19,698.49")[0]
    print("REPORT" + json.dumps(report))
    """
)


def test_every_explorer_has_a_placeholder_without_numpy() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT"))
    report = json.loads(line.removeprefix("REPORT"))

    # the setup cell's message: what is missing, why, what to do
    status = report["status"]
    assert "'numpy' is missing" in status and "bqplot" in status and "restart the kernel" in status
    assert len(report["explorers"]) >= 6
    for name, found in report["explorers"].items():
        assert found["class"] == name
        assert found["module"] == "margin_widgets.widgets._fallback"
        assert found["css"], name
        assert f"{name} cannot draw its chart here" in found["message"]
        # reading its state: one short line, no traceback
        (line,) = found["refused"]
        assert line.startswith("ChartsUnavailableError: ") and "numpy is missing" in line
    # the exercises do not depend on the charts
    assert report["check"] is True
