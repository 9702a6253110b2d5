"""The JupyterLite site, lesson by lesson, in a browser that reaches no outside host.

The module's Chromium resolves no host but 127.0.0.1, so the Pyodide core and margin_widgets
must come from the site itself (no CDN, no PyPI). The site is built here as the *light* site
(``--no-bundle``: numpy and pandas stay on Pyodide's CDN, see ``scripts/build_lite.py``), so
the browser is exactly a learner offline: every lesson must still run, cell by cell, with no
cell raising; each explorer shows a placeholder that says what is missing, and every exercise
check works (a wrong answer, Show answer, the answer shown: accepted). The fully bundled site's
packaging is tested without a browser in ``test_lite_bundling.py``.

One static server, one browser context and two JupyterLite pages serve every lesson (the
browser cache keeps the Pyodide wheels between lessons): each lesson opens with a fresh kernel,
booted in one page while the previous lesson runs in the other.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import browser_harness as h
import pytest

from margin_widgets import registry

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(h.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00-")]
#: every explorer's name (a lesson that creates one shows a placeholder offline)
EXPLORERS = registry.names()
SETUP_MARK = "# Setup: run this cell first"
PLACEHOLDER = ".mw-charts-unavailable"
#: what the setup cell prints when the charts' packages cannot be downloaded
OFFLINE_MESSAGE = "The explorers cannot draw their charts here"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"

#: index (among all cells) of every code cell of the current notebook
CODE_CELLS_JS = """
() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return nb.widgets.map((w, k) => [w.model.type, k]).filter(([t]) => t === 'code')
    .map(([, k]) => k);
}
"""
#: start running one cell (as Shift+Enter would, without moving on); the result lands in a global
RUN_CELL_JS = """
(k) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  window.__mwDone = null;
  nb.activeCellIndex = k;
  nb.deselectAll();
  app.commands.execute('notebook:run-cell').then(
    ok => { window.__mwDone = {k, ok: !!ok}; },
    err => { window.__mwDone = {k, ok: false, js: String(err)}; });
}
"""
#: the outputs of cell ``k``: errors (ename, evalue) and text
CELL_OUTPUTS_JS = """
(k) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[k];
  const outs = cell.model.outputs.toJSON();
  const text = outs.map(o => [].concat(o.text || (o.data && o.data['text/plain']) || []).join(''))
    .join('\\n');
  return {
    count: cell.model.executionCount,
    errors: outs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`),
    text,
  };
}
"""


class _SiteHandler(h._QuietHandler):
    """Serves the site as built, except that its ``jupyter-lite.json`` exposes the app as
    ``window.jupyterapp`` (the test reads cell outputs from the notebook model) and renders
    every cell (no windowing), for the test only."""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/jupyter-lite.json":
            config = json.loads((Path(self.directory) / "jupyter-lite.json").read_text())
            data = config["jupyter-config-data"]
            data["exposeAppInBrowser"] = "true"
            data.setdefault("settingsOverrides", {})["@jupyterlab/notebook-extension:tracker"] = {
                "windowingMode": "none"
            }
            body = json.dumps(config).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            self.server.requests.append(self.path)  # type: ignore[attr-defined]
            return
        super().do_GET()


#: the light site, built apart from what ``make lite`` publishes
LIGHT_SITE = h.ROOT / "build" / "lite-test"


@pytest.fixture(scope="module")
def lite_site() -> Path:
    """The course's light JupyterLite site (lessons only, nothing added for the tests), rebuilt
    whenever an input changed (``scripts/build_lite.py --if-stale``)."""
    reason = None
    if not (h.VENV_BIN / "jupyter-lite").exists():
        reason = 'jupyterlite-core is not installed: pip install -e ".[lite]"'
    elif shutil.which("npm") is None and not any(
        (h.ROOT / "build" / "lite-cache").glob("pyodide-*/pyodide.mjs")
    ):
        reason = "npm is needed once to fetch the Pyodide core for the JupyterLite site"
    if reason is not None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} (CI=true: browser tests must run on CI)", pytrace=False)
        pytest.skip(reason)
    cmd = [
        sys.executable, str(h.ROOT / "scripts" / "build_lite.py"), "--if-stale", "--no-bundle",
        "--output-dir", str(LIGHT_SITE),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=h.ROOT)
    if proc.returncode != 0:
        pytest.fail(f"JupyterLite build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return LIGHT_SITE


@pytest.fixture(scope="module")
def site(lite_site: Path) -> Iterator[tuple[str, list[str]]]:
    handler = functools.partial(_SiteHandler, directory=str(lite_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def lite_context(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    failed: list[str] = []
    # the kernel fetches from a worker: listen on the context, which sees workers' requests too
    context.on("requestfailed", lambda r: failed.append(r.url))
    yield context, failed
    context.close()


#: start opening ``path`` in this page: close every open notebook (its kernel shut down, no
#: "save?" dialog), open ``path``; ``window.__mwOpened`` names it once its session is ready
OPEN_LESSON_JS = """
(path) => {
  window.__mwOpened = null;
  window.__mwOpening = (async () => {
    const app = window.jupyterapp;
    await app.restored;
    for (const widget of [...app.shell.widgets('main')]) {
      if (widget.sessionContext) { await widget.sessionContext.shutdown(); }
      if (widget.context && widget.context.model) { widget.context.model.dirty = false; }
      widget.dispose();
    }
    const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
    await panel.context.ready;
    await panel.sessionContext.ready;
    app.shell.activateById(panel.id);
    window.__mwKernelName = panel.sessionContext.session.kernel.name;
    window.__mwOpened = path;
  })();
}
"""
#: run ``code`` in the open notebook's kernel; its printed text (or the error) comes back
KERNEL_RUN_JS = """
async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let out = '';
  const future = kernel.requestExecute({code: code, store_history: false});
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += `ERROR ${msg.content.ename}: ${msg.content.evalue}`;
  };
  await future.done;
  return out;
}
"""
#: 10,000 liquidation_price calls, best of three rounds, in seconds (the same code in both kernels)
TIMING_CODE = """
import time
from margin_widgets.engine import liquidation_price
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    for i in range(10_000):
        liquidation_price("long", 1, 20_000 + i % 97, 400, 0.005, 0)
    best = min(best, time.perf_counter() - start)
print(f"SECONDS {best:.6f}")
"""
#: ``path`` is open in this page and its kernel is idle
LESSON_READY_JS = """
(path) => {
  const panel = window.__mwOpened === path && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}
"""


class LitePages:
    """Two JupyterLite pages that take the lessons in turn: while one lesson runs in one page,
    the next lesson's kernel boots in the other (Pyodide's start is most of a lesson's time).
    Each lesson opens with a fresh kernel; the previous one in that page is shut down."""

    def __init__(self, context: Any, base: str) -> None:
        self.pages = []
        #: console errors and uncaught exceptions of both pages, since the last ``clear()``
        self.console: list[str] = []
        for _ in range(2):  # one after the other: two sites starting at once share storage
            page = context.new_page()
            page.set_default_timeout(30_000)
            errors = h.collect_console_errors(page)
            page.on("console", lambda _msg, e=errors: self._gather(e))
            page.on("pageerror", lambda _exc, e=errors: self._gather(e))
            page.goto(f"{base}/lab/index.html")
            page.wait_for_function("() => !!window.jupyterapp", timeout=60_000, polling=100)
            page.evaluate("async () => { await window.jupyterapp.restored; }")
            page.wait_for_selector(".jp-DirListing-item", timeout=60_000)  # contents listed
            self.pages.append(page)
        self.opened: dict[str, Any] = {}
        self.turn = 0

    def _gather(self, errors: list[str]) -> None:
        self.console += errors
        errors.clear()

    def open(self, lesson: str, next_lesson: str | None) -> Any:
        """The page with ``lesson`` open (its kernel maybe still booting); start ``next_lesson``
        in the other page."""
        page = self.opened.get(lesson)
        if page is None:
            page = self.pages[self.turn % 2]
            self.turn += 1
            page.evaluate(OPEN_LESSON_JS, lesson)
            self.opened[lesson] = page
        if next_lesson is not None and next_lesson not in self.opened:
            other = self.pages[self.turn % 2]
            if other is not page:
                self.turn += 1
                other.evaluate(OPEN_LESSON_JS, next_lesson)
                self.opened = {lesson: page, next_lesson: other}
        # the lesson's page in front: Chromium pauses animation frames in background pages
        page.bring_to_front()
        return page

    def close(self) -> None:
        for page in self.pages:
            page.close()


@pytest.fixture(scope="module")
def lite_pages(
    site: tuple[str, list[str]], lite_context: tuple[Any, list[str]]
) -> Iterator[LitePages]:
    pages = LitePages(lite_context[0], site[0])
    yield pages
    pages.close()


def _next_lesson(request: pytest.FixtureRequest) -> str | None:
    """The lesson of the next selected test of this function, if any."""
    items = request.session.items
    index = items.index(request.node)
    for item in items[index + 1 :]:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "originalname", None) == request.node.originalname and callspec:
            return str(callspec.params["lesson"])
    return None


@pytest.fixture(scope="module")
def build_info(lite_site: Path) -> dict[str, Any]:
    return dict(json.loads((lite_site / ".margin-widgets-build.json").read_text()))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_site_config_is_offline_first(lite_site: Path, build_info: dict[str, Any]) -> None:
    config = json.loads((lite_site / "jupyter-lite.json").read_text())
    kernel = config["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    names = {e["name"] for e in config["jupyter-config-data"]["federated_extensions"]}
    assert {"@jupyter-widgets/jupyterlab-manager", "bqplot", "bqscales", "anywidget"} <= names
    pyodide = lite_site / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    own = lock["packages"]["margin-widgets"]
    assert own["imports"] == ["margin_widgets"]
    assert (pyodide / own["file_name"]).is_file()
    for name in ("micropip", "ipython", "jedi", "ipywidgets", "comm", "bqplot", "anywidget"):
        entry = next(v for k, v in lock["packages"].items() if canonical(k) == name)
        assert not entry["file_name"].startswith("http"), name
        assert (pyodide / entry["file_name"]).is_file(), name
    # the light site: numpy and pandas on the CDN of the Pyodide version the site ships
    assert build_info["charts"] == "cdn" and build_info["reason"] == "--no-bundle"
    version = build_info["pyodide"]  # the core the site ships, checked against the kernel
    for name in ("numpy", "pandas"):
        file_name = lock["packages"][name]["file_name"]
        assert file_name.startswith(f"https://cdn.jsdelivr.net/pyodide/v{version}/full/")


def test_site_lessons_are_current(lite_site: Path) -> None:
    """The site holds today's lessons (the build noticed every change), with the Lite kernel."""
    assert LESSONS
    for lesson in NOTEBOOKS:
        built = lite_site / "files" / lesson.name
        assert built.is_file(), lesson.name
        ours, theirs = (json.loads(p.read_text(encoding="utf-8")) for p in (lesson, built))
        assert [c["source"] for c in theirs["cells"]] == [c["source"] for c in ours["cells"]]
        assert theirs["metadata"]["kernelspec"]["name"] == "python"  # Pyodide's: no dialog


def _run_every_cell(page: Any) -> tuple[list[str], str]:
    """Run each code cell in turn (not Run All: a raising cell must not stop the others);
    return the errors (``code cell n: ename: evalue``) and the setup cell's text output."""
    errors: list[str] = []
    setup_text = ""
    for n, k in enumerate(page.evaluate(CODE_CELLS_JS), start=1):
        page.evaluate(RUN_CELL_JS, k)
        page.wait_for_function(
            "(k) => window.__mwDone && window.__mwDone.k === k", arg=k, timeout=120_000, polling=20
        )
        out = page.evaluate(CELL_OUTPUTS_JS, k)
        assert out["count"] is not None, f"code cell {n} did not run"
        errors += [f"code cell {n}: {e}" for e in out["errors"]]
        if n == 1:
            setup_text = out["text"]
    return errors, setup_text


def _feedback(check: Any, previous: str, timeout: float = 20_000) -> str:
    feedback = check.locator(".mw-answer-feedback")
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        text = feedback.inner_text().strip()
        if text and text != previous:
            return str(text)
        check.page.wait_for_timeout(50)  # polling a widget's text, not a fixed wait
    raise AssertionError(f"no new feedback after {timeout} ms (still {previous!r})")


def _answer_check_works(check: Any) -> bool:
    """AnswerCheck, as a learner: a wrong answer (Enter), Show answer, the answer shown."""
    box = check.locator(".mw-answer-box input")
    box.fill("-12345")
    box.press("Enter")
    first = _feedback(check, "")
    if first.startswith("\u2714"):
        return True
    _show(check)
    shown = _feedback(check, first)
    match = re.match(r"Answer: (.+?)\.(?:\s|$)", shown)
    assert match, shown
    box.fill(match.group(1))
    box.press("Enter")
    return _feedback(check, shown).startswith("\u2714")


def _choice_check_works(check: Any) -> bool:
    """ChoiceCheck, as a learner: pick each option and Check until one is accepted."""
    previous = ""
    options = check.locator(".mw-choice-options input[type=radio]")
    for i in range(options.count()):
        options.nth(i).check()
        check.locator(".mw-answer-button").click()
        previous = _feedback(check, previous)
        if previous.startswith("\u2714"):
            return True
    return False


#: DesignTask fields: name (from the ``mw-design-<name>`` class), label, toggle options
DESIGN_FIELDS_JS = """
(task) => [...task.querySelectorAll('[class*="mw-design-"]')]
  .filter(el => !el.classList.contains('mw-design-task'))
  .map(el => ({
    name: [...el.classList].find(c => c.startsWith('mw-design-')).slice(10),
    label: el.parentElement.firstElementChild.innerText.trim(),
    options: [...el.querySelectorAll('button')].map(b => b.innerText.trim()),
  }))
"""


def _design_task_works(task: Any) -> bool:
    """DesignTask, as a learner: Check an empty design, Show an example, enter it, Check."""
    task.locator(".mw-answer-button").click()
    first = _feedback(task, "")
    _show(task)
    shown = _feedback(task, first)
    assert shown.startswith("One valid design: "), shown
    for field in task.evaluate(DESIGN_FIELDS_JS):
        after = shown.split(field["label"] + " ", 1)[1]
        box = task.locator(f".mw-design-{field['name']}")
        if field["options"]:
            option = max((o for o in field["options"] if after.startswith(o)), key=len)
            box.locator("button", has_text=option).first.click()
        else:
            box.locator("input").fill(after.split(" ")[0].rstrip(",."))
    task.locator(".mw-answer-button").click()
    return _feedback(task, shown).startswith("\u2714")


def _show(check: Any) -> None:
    show = check.locator(".mw-answer-show")
    check.page.wait_for_function("(b) => !b.disabled", arg=show.element_handle(), polling=50)
    show.click()


#: the exercise checks a lesson can hold, by CSS class, and how a learner works each
CHECKS = {
    ".mw-answer-check": _answer_check_works,
    ".mw-choice-check": _choice_check_works,
    ".mw-design-task": _design_task_works,
}


def _exercise_checks(page: Any) -> tuple[int, int, list[str]]:
    """(checks found, checks that work, the ones that did not) in the visible notebook."""
    found = working = 0
    broken: list[str] = []
    for css, works in CHECKS.items():
        checks = page.locator(f"{NOTEBOOK} {css}")
        for i in range(checks.count()):
            check = checks.nth(i)
            check.scroll_into_view_if_needed()
            found += 1
            if works(check):
                working += 1
            else:
                broken.append(f"{css} #{i + 1}: {check.inner_text()[:200]}")
    return found, working, broken


#: console errors in JupyterLite that are not this package's, each with its cause; nothing
#: else is allowed:
#: - the site runs offline here, so Pyodide's package loader logs its failed fetches of numpy
#:   and pandas from its CDN (the lesson then shows the explorers' placeholders, checked above);
#: - this test boots the next lesson's kernel in a second page while one runs and shuts kernels
#:   down between lessons; two Pyodide kernels syncing their files through the site's service
#:   worker at once can lose a drive request (jupyterlite/jupyterlite#1460, "Pyodide crashes
#:   when starting two pyodide kernels at the same time in Chrome"): a failed ``/api/drive``
#:   request, then Pyodide's fatal-error report in that kernel's worker. The lesson's own cells
#:   and checks are asserted above.
LITE_THIRD_PARTY = re.compile(
    r"^console\.error: (The following error occurred while loading (numpy|pandas):$"
    r"|Failed to fetch$"
    r"|NetworkError: Failed to execute 'send' on 'XMLHttpRequest': Failed to load '[^']*/api/drive'"
    r"|Pyodide has suffered a fatal error\."
    r"|The cause of the fatal error was:$"
    r"|SyntaxError: Unexpected end of JSON input\s+at JSON\.parse[^\n]*\n\s+at \w+\.request "
    r"[^\n]*pyodide-kernel-extension"
    r"|Recursive call to fatal_error\. Inner error was:$"
    r"|NoGilError: Attempted to use PyProxy when Python GIL not held)"
)

#: the lesson whose kernel also times the engine against CPython (its kernel is up anyway)
TIMED_LESSON = "01-margin-leverage-liquidation.ipynb"


def _seconds(text: str) -> float:
    match = re.search(r"SECONDS ([0-9.]+)", text)
    assert match, text
    return float(match.group(1))


def _time_engine_in_both_kernels(
    page: Any, record_property: Any, request: pytest.FixtureRequest
) -> None:
    """10,000 ``liquidation_price`` calls in the browser's Pyodide kernel and in CPython, in
    the same run; the ratio is printed (a figure, not a pass/fail threshold)."""
    pyodide = _seconds(page.evaluate(KERNEL_RUN_JS, TIMING_CODE))
    done = subprocess.run(
        [sys.executable, "-c", TIMING_CODE], capture_output=True, text=True, check=True
    )
    cpython = _seconds(done.stdout)
    figure = (
        f"10,000 liquidation_price calls: Pyodide {pyodide * 1e3:.1f} ms "
        f"({pyodide * 1e2:.2f} µs per call), CPython {cpython * 1e3:.1f} ms; "
        f"Pyodide / CPython = {pyodide / cpython:.2f}"
    )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # a figure for the run's log, not a threshold
        print(f"\n{figure}")
    record_property("pyodide_timing", figure)


@pytest.mark.parametrize("lesson", [p.name for p in NOTEBOOKS])
def test_lesson_runs_offline_cell_by_cell(
    lesson: str,
    site: tuple[str, list[str]],
    lite_context: tuple[Any, list[str]],
    lite_pages: LitePages,
    record_property: Any,
    request: pytest.FixtureRequest,
) -> None:
    base, requests = site
    _, failed = lite_context
    failed.clear()
    lite_pages.console.clear()
    started = time.monotonic()
    page = lite_pages.open(lesson, _next_lesson(request))
    try:
        # Pyodide, micropip, IPython & co. load before the kernel is idle
        page.wait_for_function(LESSON_READY_JS, arg=lesson, timeout=180_000, polling=100)
        kernel = page.evaluate("() => window.__mwKernelName")
        assert kernel == "python", kernel  # the Pyodide kernel, no kernel dialog
        page.wait_for_selector(f"{NOTEBOOK} .jp-CodeCell", timeout=60_000)
        assert SETUP_MARK in page.locator(f"{NOTEBOOK} .jp-CodeCell").nth(0).inner_text()

        kernel_ready = time.monotonic()
        errors, setup_text = _run_every_cell(page)
        cells_done = time.monotonic()
        placeholders = page.locator(f"{NOTEBOOK} {PLACEHOLDER}").count()
        found, working, broken = _exercise_checks(page)
        now = time.monotonic()
        summary = (
            f"{lesson}: {len(errors)} cells raising, {working}/{found} exercise checks "
            f"working, {placeholders} explorer placeholders; {now - started:.0f} s (kernel "
            f"{kernel_ready - started:.0f} s, cells {cells_done - kernel_ready:.0f} s, checks "
            f"{now - cells_done:.0f} s)"
        )
        print(summary)
        record_property("lite_summary", summary)

        # no cell may raise anything but the placeholder's short ChartsUnavailableError, and
        # only where a cell reads an explorer's state (never NameError, never a traceback)
        other = [e for e in errors if "ChartsUnavailableError" not in e]
        assert other == [], f"{summary}\n" + "\n".join(other)
        assert broken == [], f"{summary}\n" + "\n".join(broken)
        if lesson in {p.name for p in LESSONS}:
            assert found >= 1, summary
        # margin_widgets came from the site's own wheel, next to the local Pyodide lock
        assert any(re.search(r"/static/pyodide/margin_widgets-.*\.whl", r) for r in requests)
        outside = [u for u in failed if not u.startswith(base)]
        # the learner offline: told once by the setup cell, and by each explorer
        assert OFFLINE_MESSAGE in setup_text, setup_text
        assert "Traceback" not in setup_text
        code = "\n".join(
            "".join(c["source"])
            for c in json.loads((h.NOTEBOOKS / lesson).read_text())["cells"]
            if c["cell_type"] == "code"
        )
        uses_explorers = bool(re.search(rf"\b({'|'.join(EXPLORERS)})\(", code))
        assert (placeholders > 0) == uses_explorers, summary
        # nothing was asked of an outside host but Pyodide's CDN for numpy and pandas
        assert all(
            re.search(r"cdn\.jsdelivr\.net/pyodide/v[^/]+/full/(numpy|pandas)-", u) for u in outside
        ), outside
        # goal 0: a lesson computes its numbers with the engine and reads an explorer's state
        # only where the charts load
        assert errors == [], f"{summary}\n" + "\n".join(errors)
        # a clean console: nothing but the documented third-party causes
        console = [e for e in lite_pages.console if not LITE_THIRD_PARTY.search(e)]
        assert console == [], f"{summary}\n" + "\n".join(console)
        if lesson == TIMED_LESSON:
            _time_engine_in_both_kernels(page, record_property, request)
            # the explorers' arrow-key fix (an anywidget) imports offline from the site's lock
            out = page.evaluate(KERNEL_RUN_JS, "import anywidget; print(anywidget.__version__)")
            assert out.strip() == metadata.version("anywidget"), out
    except Exception:  # not pytest's xfail/skip outcomes
        h.full_screenshot(page, "lite-" + lesson.removesuffix(".ipynb"))
        raise
