"""The ``margin_widgets.server`` extension as installed: enabled by the package's shared config,
it serves kernel websockets without Nagle's delay unless a connection class was chosen elsewhere
or ``MarginWidgets.nodelay`` is False. No browser: a real ``ServerApp`` is initialized (extensions
linked and loaded, web application built) in a subprocess with temp Jupyter dirs, and its web
application's settings are read back. The browser side is ``test_lab.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import browser_harness as h
import pytest

from margin_widgets.server import _skip_disabled_packages

OURS = "margin_widgets.server.NoDelayKernelWebsocketConnection"
STOCK = "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection"

#: initializes a ServerApp as `jupyter server` would (without listening), prints what it chose
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from jupyter_server.serverapp import ServerApp

    def name(cls):
        return f"{cls.__module__}.{cls.__qualname__}"

    app = ServerApp()
    app.initialize(argv=sys.argv[1:], new_httpserver=False)
    settings = app.web_app.settings
    print("RESULT " + json.dumps({
        "settings": name(settings["kernel_websocket_connection_class"]),
        "serverapp": name(app.kernel_websocket_connection_class),
        "extensions": sorted(app.extension_manager.extensions),
    }))
    """
)

#: another extension that chooses its own class while extensions are linked
OTHER_EXTENSION = textwrap.dedent(
    """
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection,
    )

    class OtherConnection(ZMQChannelsWebsocketConnection):
        pass

    def _jupyter_server_extension_points():
        return [{"module": "other_connection_ext"}]

    def _link_jupyter_server_extension(serverapp):
        serverapp.kernel_websocket_connection_class = OtherConnection
    """
)


#: for the cases beyond the default one: the other installed extensions are beside the point
#: and cost seconds each to load
OTHERS_OFF = {
    name: False
    for name in ("jupyterlab", "notebook", "voila.server_extension", "jupyter_lsp",
                 "jupyter_server_terminals", "notebook_shim")
}  # fmt: skip


def _serverapp(
    tmp_path: Path, *argv: str, extensions: dict[str, bool] | None = None
) -> tuple[dict[str, object], list[str]]:
    if extensions is not None:
        argv = (*argv, f"--ServerApp.jpserver_extensions={extensions!r}")
    env = h.hermetic_env(tmp_path)
    env["PYTHONPATH"] = str(tmp_path)
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    cmd = [sys.executable, "-c", SCRIPT, "--allow-root", f"--ServerApp.root_dir={root}", *argv]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    ours = [x for x in proc.stderr.splitlines() if "margin_widgets: " in x]
    return json.loads(line.removeprefix("RESULT ")), ours


#: jupyter-config/ file -> where the wheel (pyproject's shared-data) installs it under sys.prefix
SHARED_DATA = {
    "jupyter_server_config.d": "etc/jupyter/jupyter_server_config.d",
    "labconfig/page_config.d": "etc/jupyter/labconfig/page_config.d",
    "lab-settings/overrides.d": "share/jupyter/lab/settings/overrides.d",
}


def test_enabled_by_installing_the_package() -> None:
    shipped = h.ROOT / "jupyter-config" / "jupyter_server_config.d" / "margin_widgets.json"
    config = json.loads(shipped.read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"margin_widgets.server": True}}}
    # what `pip install` / `pip install -e .` put in the environment
    for source, target in SHARED_DATA.items():
        src = h.ROOT / "jupyter-config" / source / "margin_widgets.json"
        installed = Path(sys.prefix) / target / "margin_widgets.json"
        assert json.loads(installed.read_text()) == json.loads(src.read_text()), target


def test_default_server_uses_nodelay(tmp_path: Path) -> None:
    result, log = _serverapp(tmp_path)
    assert "margin_widgets.server" in result["extensions"]  # type: ignore[operator]
    assert result["settings"] == OURS
    assert result["serverapp"] == OURS
    assert len(log) == 1 and "TCP_NODELAY" in log[0], log


def test_turned_off_by_one_setting(tmp_path: Path) -> None:
    result, log = _serverapp(tmp_path, "--MarginWidgets.nodelay=False", extensions=OTHERS_OFF)
    assert result["settings"] == STOCK
    assert len(log) == 1 and "MarginWidgets.nodelay=False" in log[0], log


def test_turned_off_in_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.py").write_text("c.MarginWidgets.nodelay = False\n")
    result, _ = _serverapp(tmp_path, extensions=OTHERS_OFF)
    assert result["settings"] == STOCK


@pytest.mark.parametrize("configured", [STOCK, "jupyter_server.gateway.connections."
                                        "GatewayWebSocketConnection"])  # fmt: skip
def test_keeps_a_class_the_user_configured(tmp_path: Path, configured: str) -> None:
    # even the stock class, named explicitly, is the user's choice
    result, log = _serverapp(
        tmp_path,
        f"--ServerApp.kernel_websocket_connection_class={configured}",
        extensions=OTHERS_OFF,
    )
    assert result["settings"] == configured
    assert len(log) == 1 and "kept the configured" in log[0], log


def test_keeps_a_class_another_extension_chose(tmp_path: Path) -> None:
    (tmp_path / "other_connection_ext.py").write_text(OTHER_EXTENSION)
    result, log = _serverapp(tmp_path, extensions={**OTHERS_OFF, "other_connection_ext": True})
    assert result["settings"] == "other_connection_ext.OtherConnection"
    assert len(log) == 1 and "kept the configured" in log[0], log


def test_disabled_lite_kernel_front_end_is_not_fetched() -> None:
    shipped = h.ROOT / "jupyter-config" / "labconfig" / "page_config.d" / "margin_widgets.json"
    disabled = json.loads(shipped.read_text())["disabledExtensions"]
    assert disabled == {"@jupyterlite/pyodide-kernel-extension": True}
    page = {
        "disabledExtensions": ["@jupyterlite/pyodide-kernel-extension", "@a/b:one-plugin"],
        "federated_extensions": [
            {"name": "@jupyterlite/pyodide-kernel-extension", "load": "x.js"},
            {"name": "@a/b", "load": "y.js"},
            {"name": "bqplot", "load": "z.js"},
        ],
    }
    # a package with one disabled plugin still loads; a whole disabled package does not
    names = [e["name"] for e in _skip_disabled_packages(page)["federated_extensions"]]
    assert names == ["@a/b", "bqplot"]
