"""Servers and page helpers shared by the browser tests and ``benchmarks/browser_latency.py``.

Everything here follows one recipe: Debian's Chromium driven by Python
Playwright, JupyterLab / Voila started from the project's venv with hermetic ``JUPYTER_*`` dirs,
a static server for the JupyterLite site. No sleeps: every wait is on a condition, and every wait
for a server notices when its process died.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NOTEBOOKS = ROOT / "notebooks"
DASHBOARDS = ROOT / "dashboards"
ARTIFACTS = ROOT / "test-artifacts"
VENV_BIN = Path(sys.executable).parent

INSTALL_HINT = (
    "Chromium is needed for the browser tests: apt-get install -y chromium fonts-dejavu-core "
    "(Debian/Ubuntu; never `playwright install`)"
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: proves that a page needs nothing from outside 127.0.0.1
OFFLINE_ARG = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def find_chromium() -> str | None:
    """Debian's Chromium (``/usr/bin/chromium``) or a ``chromium`` on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright: Any, offline: bool = False, **kwargs: Any) -> Any:
    path = find_chromium()
    if path is None:
        raise RuntimeError(INSTALL_HINT)
    args = [*CHROMIUM_ARGS, *([OFFLINE_ARG] if offline else [])]
    return playwright.chromium.launch(executable_path=path, headless=True, args=args, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(
    url: str, proc: subprocess.Popen[bytes] | None, log: Path | None, timeout: float
) -> None:
    """Wait until ``url`` answers 200; fail at once if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with code {proc.returncode} before {url}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)  # polling interval of a readiness loop, not a fixed wait
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise TimeoutError(f"{url} not ready after {timeout} s ({last}):\n{tail}")


def hermetic_env(home: Path) -> dict[str, str]:
    """Environment with every Jupyter config/runtime/settings dir inside ``home``."""
    env = dict(os.environ)
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
    }
    for key, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    settings = dirs["JUPYTERLAB_SETTINGS_DIR"]
    # no news setting here: the package's own default (share/jupyter/lab/settings/overrides.d)
    # must keep JupyterLab from asking to fetch news, as it does for `make lab`
    # every cell in the DOM, so explorers far down a lesson render and can be checked
    _write_settings(
        settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    return env


def _write_settings(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def _stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


#: the test-only server extension that reports open kernel websockets (``server_probe.py``)
PROBE_EXTENSION = "server_probe"
PROBE_PATH = "/mw-probe/kernel-websockets"


class LabServer:
    """``jupyter lab`` (or ``jupyter notebook``: ``app="notebook"``) on a free port, serving a
    temp copy of ``sources`` as its root dir.

    The package's server extension (``margin_widgets.server``, enabled by installing the package)
    serves kernel websockets without Nagle's delay; ``stock=True`` turns it off with
    ``--MarginWidgets.nodelay=False``. The test-only ``server_probe`` extension is enabled through
    a config file in the server's temp config dir (``PROBE_PATH`` reports kernel websockets).
    """

    def __init__(
        self,
        sources: list[Path],
        workdir: Path | None = None,
        stock: bool = False,
        app: str = "lab",
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.stock = stock
        self.app = app
        self.extra_args = list(extra_args)
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="mw-lab-")
        self.home = Path(workdir or self._tmp.name)  # type: ignore[union-attr]
        self.root_dir = self.home / "root"
        self.root_dir.mkdir(parents=True, exist_ok=True)
        for src in sources:
            if src.is_dir():
                shutil.copytree(
                    src,
                    self.root_dir,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
                )
            elif src.exists():
                shutil.copy2(src, self.root_dir / src.name)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.home / f"{app}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.cmd: list[str] = []

    def start(self, timeout: float = 60) -> LabServer:
        env = hermetic_env(self.home)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
        _write_settings(
            Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d" / "server_probe.json",
            {"ServerApp": {"jpserver_extensions": {PROBE_EXTENSION: True}}},
        )
        app_class = "LabApp" if self.app == "lab" else "JupyterNotebookApp"
        cmd = [
            str(VENV_BIN / f"jupyter-{self.app}"), "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # window.jupyterapp: the tests read execution counts and error outputs from the
            # notebook model (in the DOM an error renders like stderr)
            f"--{app_class}.expose_app_in_browser=True",
        ]  # fmt: skip
        if self.app == "lab":
            cmd += [
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class="
                "jupyterlab.handlers.announcements.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
            ]
        if self.stock:
            cmd.append("--MarginWidgets.nodelay=False")
        cmd += self.extra_args
        self.cmd = cmd
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.root_dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        wait_http(f"{self.base}/api/status?token={self.token}", self.proc, self.log, timeout)
        return self

    def url(self, notebook: str) -> str:
        if self.app == "notebook":
            return f"{self.base}/notebooks/{notebook}?token={self.token}"
        return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"

    def kernel_websockets(self) -> list[dict[str, Any]]:
        """Open kernel websockets: connection class and ``TCP_NODELAY`` (``server_probe``)."""
        return list(self.api(PROBE_PATH))

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base}{path}?token={self.token}", timeout=10) as r:
            return json.loads(r.read())

    def shutdown_kernels(self) -> None:
        """Stop every kernel (one per opened notebook) so a long session stays small."""
        for kernel in self.api("/api/kernels"):
            req = urllib.request.Request(
                f"{self.base}/api/kernels/{kernel['id']}?token={self.token}", method="DELETE"
            )
            with contextlib.suppress(urllib.error.URLError):
                urllib.request.urlopen(req, timeout=10).close()

    def stop(self) -> None:
        if self.proc is not None:
            # shut kernels down through the API first so no kernel process is orphaned
            with contextlib.suppress(Exception):
                req = urllib.request.Request(
                    f"{self.base}/api/shutdown?token={self.token}", method="POST"
                )
                urllib.request.urlopen(req, timeout=5).close()
                self.proc.wait(10)
            _stop(self.proc)
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class VoilaServer:
    """``voila <notebook>`` on 127.0.0.1 and a free port, hermetic dirs, as root too."""

    def __init__(self, notebook: Path) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="mw-voila-")
        self.home = Path(self._tmp.name)
        self.notebook = self.home / notebook.name
        shutil.copy2(notebook, self.notebook)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.home / "voila.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> VoilaServer:
        env = hermetic_env(self.home)
        cmd = [
            str(VENV_BIN / "voila"), str(self.notebook), "--no-browser",
            f"--port={self.port}", "--Voila.ip=127.0.0.1", "--ServerApp.port_retries=0",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        # /voila/static answers before any kernel is started (GET / would execute the notebook)
        wait_http(f"{self.base}/voila/static/voila.js", self.proc, self.log, timeout)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
        self._tmp.cleanup()

    def __enter__(self) -> VoilaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".whl": "application/octet-stream",
    }

    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``directory`` on 127.0.0.1 (a thread); yield (base URL, list of paths requested)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- JupyterLab pages


def open_notebook(page: Any, url: str, timeout: float = 60_000) -> None:
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout)
    wait_kernel_idle(page, timeout)


def wait_kernel_idle(page: Any, timeout: float = 60_000) -> None:
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=timeout)


def run_all_cells(page: Any, clear: bool = True) -> None:
    """Run → Run All Cells through the menu bar, like a learner.

    ``clear`` first clears outputs and execution counts (needs ``window.jupyterapp``, which the
    test server exposes) so a notebook saved with outputs cannot look finished already.
    """
    if clear:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function(f"() => ({NOTEBOOK_STATE_JS})()?.executed === 0")
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')


#: the current notebook's code cells as the model sees them: how many ran, which raised, kernel
NOTEBOOK_STATE_JS = """
() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const code = [...panel.content.model.cells].filter(c => c.type === 'code');
  const errors = [];
  code.forEach((c, i) => c.outputs.toJSON().forEach(o => {
    if (o.output_type === 'error') errors.push(`code cell ${i + 1}: ${o.ename}: ${o.evalue}`);
  }));
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {
    total: code.length,
    executed: code.filter(c => c.executionCount !== null && c.executionCount !== undefined).length,
    errors,
    kernel: kernel ? kernel.status : 'none',
  };
}
"""

#: Run All is over: the kernel is idle and every code cell ran, or a cell raised (Run All stops)
ALL_EXECUTED_JS = f"""
() => {{
  const s = ({NOTEBOOK_STATE_JS})();
  return !!s && s.kernel === 'idle' && (s.executed === s.total || s.errors.length > 0);
}}
"""


def notebook_state(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(NOTEBOOK_STATE_JS) or {})


def wait_all_executed(page: Any, timeout: float = 120_000) -> dict[str, Any]:
    """Wait until Run All is over; return the notebook state (see ``NOTEBOOK_STATE_JS``)."""
    try:
        page.wait_for_function(ALL_EXECUTED_JS, timeout=timeout)
    except Exception as exc:
        state = notebook_state(page)
        dialogs = [d.inner_text() for d in page.query_selector_all(".jp-Dialog")]
        raise AssertionError(f"Run All not over after {timeout} ms: {state} {dialogs}") from exc
    return notebook_state(page)


def error_outputs(page: Any) -> list[str]:
    """Error outputs of the current notebook, from the model and, as a fallback, the DOM (in
    JupyterLab 4 an error renders as ``application/vnd.jupyter.stderr``, like a warning, so the
    DOM can only be searched for a traceback)."""
    errors = list(notebook_state(page).get("errors", []))
    if not errors:
        for el in page.query_selector_all(f"{ERROR_OUTPUT}, {STDERR_OUTPUT}"):
            text = el.inner_text()
            if "Traceback (most recent call last)" in text:
                errors.append(text[:2000])
    return errors


#: DOM-only variant of ``ALL_EXECUTED_JS`` (JupyterLite does not expose its app): every code cell
#: of the visible notebook shows an execution count and the status bar says Idle
PROMPTS_DONE_JS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
  const done = prompts.every(p => /^\\[\\d+\\]:?$/.test(p.textContent.trim()));
  const status = document.querySelector('#jp-main-statusbar');
  return done && !!status && /Idle/.test(status.textContent);
}
"""


def collect_console_errors(page: Any) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions from now on."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console.error: {msg.text[:500]}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc.stack or exc}"[:1000]))
    return errors


#: what a page may fetch: the local server, and data/blob URLs made in the page
LOCAL_URL = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]|^(data|blob|about):")


def collect_outside_requests(page: Any) -> list[str]:
    """A list that fills with the URLs the page requests from anywhere but 127.0.0.1.

    The test browser cannot resolve any other host (``OFFLINE_ARG``), so such a request fails;
    not every failure reaches the console, this list catches them all.
    """
    outside: list[str] = []
    page.on("request", lambda r: None if LOCAL_URL.match(r.url) else outside.append(r.url))
    return outside


def toasts(page: Any) -> list[str]:
    """Texts of the notification toasts shown (JupyterLab's news question is one)."""
    return [t.inner_text() for t in page.query_selector_all(".jp-Notification-Toast")]


def widget_failures(page: Any) -> list[str]:
    """Texts of widget outputs that failed to render (model missing or view error)."""
    bad = []
    for el in page.query_selector_all(".jp-OutputArea-output"):
        text = el.inner_text()
        if "Error displaying widget" in text or "Error rendering" in text:
            bad.append(text[:500])
    return bad


#: number of explorers without an <svg>, and the total number of explorers
EXPLORERS_JS = """
() => {
  const all = [...document.querySelectorAll('.mw-explorer')];
  return {total: all.length, without_svg: all.filter(e => !e.querySelector('svg')).length};
}
"""


def wait_explorers_rendered(page: Any, minimum: int = 0, timeout: float = 30_000) -> dict[str, int]:
    """Wait until at least ``minimum`` explorers exist and every one holds an ``<svg>``."""
    page.wait_for_function(
        """(minimum) => { const all = [...document.querySelectorAll('.mw-explorer')];
             return all.length >= minimum && all.every(e => e.querySelector('svg')); }""",
        arg=minimum,
        timeout=timeout,
    )
    return dict(page.evaluate(EXPLORERS_JS))


def run_explorer_cases(page: Any, count: int, selector: str = ".mw-layout-case") -> None:
    """Run every cell of the open notebook of ``count`` explorers (CSS class ``selector``) and
    wait until they are drawn: no cell raised, every explorer rendered, and the texts of every
    figure stopped changing (all labels placed)."""
    run_all_cells(page)
    state = wait_all_executed(page, timeout=600_000)
    errors = error_outputs(page)
    assert errors == [], "cells raised:\n" + "\n---\n".join(errors)
    assert state["executed"] == state["total"], state
    wait_explorers_rendered(page, minimum=count, timeout=120_000)
    assert widget_failures(page) == []
    page.wait_for_function(
        """(sel) => { const sig = [...document.querySelectorAll(sel + ' svg text')]
                     .map(t => t.textContent).join('|')
                     + document.querySelectorAll(sel + ' .bqplot.figure').length;
                   const same = window.__mwSig === sig; window.__mwSig = sig;
                   window.__mwSame = same ? (window.__mwSame || 0) + 1 : 0;
                   return window.__mwSame >= 4; }""",
        arg=selector,
        polling=250,
        timeout=60_000,
    )


def full_screenshot(page: Any, name: str) -> Path:
    """Screenshot of the whole document: JupyterLab and Voila scroll inside an element, so grow
    the viewport to the tallest scroller's content and scroll it to the top first."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        """() => {
          const scrollers = [...document.querySelectorAll('*')].filter(e =>
            e.scrollHeight > e.clientHeight + 10 &&
            /(auto|scroll)/.test(getComputedStyle(e).overflowY));
          scrollers.forEach(e => { e.scrollTop = 0; });
          return Math.max(document.documentElement.scrollHeight,
                          ...scrollers.map(e => e.scrollHeight + e.getBoundingClientRect().top));
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 100, 12_000)})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


# --------------------------------------------------------------------------- flagship helpers

LEVERAGE_HANDLE = ".mw-control-leverage .noUi-handle"
LEVERAGE_READOUT = ".mw-control-leverage .widget-readout"
PRICE_LADDER = ".mw-figure-price-ladder"


def ladder_labels_js(kind: str) -> str:
    return rf"""
() => {{
  const fig = document.querySelector('{PRICE_LADDER}');
  if (!fig) return null;
  const texts = [...fig.querySelectorAll('svg text')].map(t => t.textContent.trim());
  // the value label, e.g. "isolated liq. 19,698.49" (not the legend entry "isolated liq.")
  const re = /^{kind} liq\.\s+(-?[\d,]+(\.\d+)?|--)$/i;
  const hit = texts.find(t => re.test(t.replace(/\s+/g, ' ')));
  return hit === undefined ? null : hit;
}}
"""


def ladder_label(page: Any, kind: str) -> str | None:
    return page.evaluate(ladder_labels_js(kind))  # type: ignore[no-any-return]


def ladder_line_paths(page: Any) -> list[str]:
    return list(
        page.evaluate(
            f"""() => [...document.querySelectorAll('{PRICE_LADDER} svg path.line')]
                 .map(p => p.getAttribute('d') || '')"""
        )
    )


def readout_value(page: Any) -> str:
    return str(page.inner_text(LEVERAGE_READOUT)).strip()


def parse_number(text: str) -> float:
    return float(text.replace(",", "").replace("x", "").replace("×", "").strip())


class EngineOracle:
    """Kernel-free: what the flagship shows for a leverage, computed in this process."""

    def __init__(self) -> None:
        import warnings

        with warnings.catch_warnings():
            # bqscales/traitlets deprecation noise from third-party imports and constructors
            warnings.simplefilter("ignore", DeprecationWarning)
            from margin_widgets import MarginModeExplorer

            self.explorer = MarginModeExplorer()
        self.control = self.explorer.controls["leverage"]

    @property
    def bounds(self) -> tuple[float, float, float]:
        """(min, max, step) of the leverage slider."""
        return float(self.control.min), float(self.control.max), float(self.control.step)

    def labels(self, leverage: float) -> dict[str, str]:
        self.control.value = type(self.control.value)(leverage)
        return dict(self.explorer.price_labels())


def plan_moves(start: float, bounds: tuple[float, float, float], count: int) -> list[str]:
    """Arrow keys that move the slider ``count`` times, bouncing at the ends."""
    low, high, step = bounds
    pos, direction, keys = start, 1, []
    for _ in range(count):
        if direction > 0 and pos + step > high + 1e-9:
            direction = -1
        elif direction < 0 and pos - step < low - 1e-9:
            direction = 1
        pos += direction * step
        keys.append("ArrowRight" if direction > 0 else "ArrowLeft")
    return keys


def final_position(start: float, bounds: tuple[float, float, float], keys: list[str]) -> float:
    low, high, step = bounds
    pos = start
    for key in keys:
        pos = min(high, pos + step) if key == "ArrowRight" else max(low, pos - step)
    return pos


def wait_label(page: Any, kind: str, text: str, timeout: float = 5_000) -> None:
    """Wait until the ladder shows ``<kind> liq. <text>``."""
    page.wait_for_function(
        f"""(want) => {{ const got = ({ladder_labels_js(kind)})(); return got !== null &&
            got.replace(/\\s+/g, ' ').endsWith(want); }}""",
        arg=text,
        timeout=timeout,
    )


def open_flagship(page: Any, server: LabServer, notebook: str = "flagship.ipynb") -> None:
    """Open the one-cell flagship notebook, run it, wait for the explorer and its labels."""
    open_notebook(page, server.url(notebook))
    run_all_cells(page)
    wait_all_executed(page)
    wait_explorers_rendered(page, minimum=1)
    page.wait_for_selector(LEVERAGE_HANDLE)
    iso, cross = ladder_labels_js("isolated"), ladder_labels_js("cross")
    page.wait_for_function(f"() => ({iso})() !== null && ({cross})() !== null")


def flagship_settled_js() -> str:
    """Predicate: both ladder labels end with ``want`` and the kernel is idle."""
    return f"""(want) => {{
        const iso = ({ladder_labels_js("isolated")})();
        const cross = ({ladder_labels_js("cross")})();
        const s = document.querySelector('#jp-main-statusbar');
        return iso !== null && cross !== null && iso.endsWith(want.isolated)
            && cross.endsWith(want.cross) && !!s && /Idle/.test(s.textContent);
    }}"""


def fast_moves(
    page: Any, oracle: EngineOracle, count: int, timeout: float = 2_000
) -> dict[str, Any]:
    """Press arrow keys ``count`` times as fast as the keyboard sends them (bouncing at the
    ends); wait at most ``timeout`` ms for the ladder to show the engine's values for the final
    position with the kernel idle. Return the final position, the expected labels, the time to
    send the keys and the time from the last key to settled."""
    start = parse_number(readout_value(page))
    keys = plan_moves(start, oracle.bounds, count)
    final = final_position(start, oracle.bounds, keys)
    want = oracle.labels(final)
    page.focus(LEVERAGE_HANDLE)
    t0 = time.monotonic()
    for key in keys:
        page.keyboard.press(key)
    last = time.monotonic()
    page.wait_for_function(flagship_settled_js(), arg=want, timeout=timeout)
    settled = time.monotonic() - last
    return {
        "final": final,
        "want": want,
        "readout": parse_number(readout_value(page)),
        "send_s": last - t0,
        "settle_s": settled,
    }


#: capture-phase keydown stores performance.now(); a MutationObserver on the price ladder's
#: SVG stores the first change after it
LATENCY_PROBE_JS = f"""
() => {{
  const probe = window.__mwProbe = {{down: null, samples: []}};
  document.addEventListener('keydown', () => {{ probe.down = performance.now(); }}, true);
  // bqplot draws into several <svg>s of the figure: watch them all (the whole figure subtree)
  const figure = document.querySelector('{PRICE_LADDER}');
  new MutationObserver((records) => {{
    if (probe.down === null) return;
    if (!records.some(r => r.target.closest && r.target.closest('svg')
                           || r.target.parentElement && r.target.parentElement.closest('svg')))
      return;
    probe.samples.push(performance.now() - probe.down);
    probe.down = null;
  }}).observe(figure, {{subtree: true, attributes: true, childList: true, characterData: true}});
  return true;
}}
"""


def measured_moves(page: Any, oracle: EngineOracle, count: int) -> list[float]:
    """``count`` single moves; each waits until the ladder settled before the next one.
    Return keydown → first SVG mutation latencies in ms."""
    page.evaluate(LATENCY_PROBE_JS)
    start = parse_number(readout_value(page))
    keys = plan_moves(start, oracle.bounds, count)
    low, high, step = oracle.bounds
    pos = start
    page.focus(LEVERAGE_HANDLE)
    for i, key in enumerate(keys):
        pos = min(high, pos + step) if key == "ArrowRight" else max(low, pos - step)
        page.keyboard.press(key)
        page.wait_for_function("(n) => window.__mwProbe.samples.length > n", arg=i)
        page.wait_for_function(flagship_settled_js(), arg=oracle.labels(pos), timeout=5_000)
    return list(page.evaluate("() => window.__mwProbe.samples"))
