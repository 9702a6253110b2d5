"""Jupyter server extension that lets a slider's plot update reach the browser without delay.

A kernel answers a slider move with ``busy``, the widget updates and ``idle`` within a couple of
milliseconds, but the stock server writes them to the browser's websocket with Nagle's algorithm
on: everything after the first message waits for the browser's delayed acknowledgement (40 ms on
Linux). :class:`NoDelayKernelWebsocketConnection` turns Nagle off (``TCP_NODELAY``) for kernel
websockets, as tornado recommends for interactive websockets.

Installing the package enables this module as a ``jupyter_server`` extension (the wheel ships
``etc/jupyter/jupyter_server_config.d/margin_widgets.json``), so ``jupyter lab``, ``jupyter
notebook`` and JupyterHub single-user servers in the same environment serve kernel websockets
with :class:`NoDelayKernelWebsocketConnection`, with no configuration. The extension:

- replaces the connection class only while ``ServerApp.kernel_websocket_connection_class`` is
  the stock default: a class set in the user's configuration, by another extension or by the
  Jupyter Kernel Gateway client is kept;
- sets the class when the server loads its extensions, in the web application's settings, from
  which every kernel websocket handler reads it when a browser connects;
- logs one line saying which class kernel websockets use and why;
- is turned off with ``--MarginWidgets.nodelay=False`` (or ``c.MarginWidgets.nodelay = False``
  in ``jupyter_server_config.py``), or removed with
  ``jupyter server extension disable margin_widgets.server``.

The wheel also ships ``etc/jupyter/labconfig/page_config.d/margin_widgets.json``, which disables
JupyterLite's Pyodide kernel front end (``@jupyterlite/pyodide-kernel-extension``, installed
next to the package to build the JupyterLite course) in JupyterLab and Notebook 7, where it cannot
load; the extension makes their pages skip labextensions whose whole package is disabled
(``--MarginWidgets.skip_disabled_labextensions=False`` turns that off), so no page logs its
loading error.

This module is for the Jupyter server process only; nothing else in the package imports it.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from traitlets import Bool
from traitlets.config import Configurable

__all__ = ["MarginWidgets", "NoDelayKernelWebsocketConnection"]

#: the name under which ``etc/jupyter/jupyter_server_config.d/margin_widgets.json`` enables it
EXTENSION = "margin_widgets.server"
#: the trait this extension sets on ``ServerApp``
_TRAIT = "kernel_websocket_connection_class"


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """Kernel websocket connection that sends every message at once (``TCP_NODELAY``)."""

    def connect(self) -> Any:
        """Turn Nagle's algorithm off on this websocket, then connect as usual."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()


class MarginWidgets(Configurable):
    """Settings of the ``margin_widgets`` server extension."""

    nodelay = Bool(
        True,
        config=True,
        help=(
            "Serve kernel websockets without Nagle's delay (TCP_NODELAY) when "
            "ServerApp.kernel_websocket_connection_class is the stock default. "
            "False keeps the stock connection class."
        ),
    )
    skip_disabled_labextensions = Bool(
        True,
        config=True,
        help=(
            "JupyterLab and Notebook 7 pages do not fetch a prebuilt labextension whose whole "
            "package is listed in disabledExtensions (JupyterLab loads it anyway, and "
            "JupyterLite's kernel front ends fail to load outside JupyterLite)."
        ),
    )


def _skip_disabled_packages(page_config: dict[str, Any]) -> dict[str, Any]:
    """``page_config`` without the prebuilt labextensions whose whole package is disabled.

    JupyterLab lists such a package's plugins as disabled but still fetches and instantiates its
    module, which logs an error in the browser when the module cannot load at all (JupyterLite's
    Pyodide kernel front end needs ``@jupyterlite/services``, which only JupyterLite provides).
    Voilà already leaves such packages out of its pages in the same way.

    Examples
    --------
    >>> page = {"disabledExtensions": ["@x/lite-kernel", "@y/pkg:plugin"],
    ...         "federated_extensions": [{"name": "@x/lite-kernel"}, {"name": "@y/pkg"}]}
    >>> _skip_disabled_packages(page)["federated_extensions"]
    [{'name': '@y/pkg'}]
    """
    disabled = set(page_config.get("disabledExtensions") or [])
    extensions = page_config.get("federated_extensions")
    if disabled and isinstance(extensions, list):
        page_config["federated_extensions"] = [
            ext for ext in extensions if not (isinstance(ext, dict) and ext.get("name") in disabled)
        ]
    return page_config


def _install_page_config_hook(settings: dict[str, Any]) -> None:
    """Chain :func:`_skip_disabled_packages` after any ``page_config_hook`` already set."""
    previous = settings.get("page_config_hook")

    def hook(handler: Any, page_config: dict[str, Any]) -> dict[str, Any]:
        if previous is not None:
            page_config = previous(handler, page_config)
        return _skip_disabled_packages(page_config)

    settings["page_config_hook"] = hook


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Entry point ``jupyter_server`` calls to find this module's extension hooks."""
    return [{"module": EXTENSION}]


def _qualname(cls: Any) -> str:
    if isinstance(cls, str):
        return cls
    return f"{cls.__module__}.{cls.__qualname__}"


def _configured(serverapp: Any) -> bool:
    """Whether the user's configuration names a kernel websocket connection class."""
    config = serverapp.config
    return "ServerApp" in config and _TRAIT in config["ServerApp"]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Serve kernel websockets with :class:`NoDelayKernelWebsocketConnection` if nobody chose.

    ``jupyter_server`` loads extensions after it built the web application, whose settings
    hold the connection class; every kernel websocket handler reads the class from those
    settings when a browser connects, so replacing it there (and on ``ServerApp``, which closes
    the connections at shutdown) takes effect for every kernel websocket of the server. The
    class can only be read here: before the web application exists its default is not known
    yet (it depends on the Kernel Gateway client's configuration).
    """
    settings = serverapp.web_app.settings
    options = MarginWidgets(parent=serverapp)
    if options.skip_disabled_labextensions:
        _install_page_config_hook(settings)
    current = settings.get(_TRAIT)
    ours = _qualname(NoDelayKernelWebsocketConnection)
    if not options.nodelay:
        serverapp.log.info(
            "margin_widgets: MarginWidgets.nodelay=False, kernel websockets use %s",
            _qualname(current),
        )
    elif current is NoDelayKernelWebsocketConnection:
        serverapp.log.info("margin_widgets: kernel websockets already use %s", ours)
    elif current is not ZMQChannelsWebsocketConnection or _configured(serverapp):
        serverapp.log.info(
            "margin_widgets: kept the configured kernel websocket connection class %s "
            "(margin_widgets does not turn Nagle's delay off)",
            _qualname(current),
        )
    else:
        settings[_TRAIT] = NoDelayKernelWebsocketConnection
        setattr(serverapp, _TRAIT, NoDelayKernelWebsocketConnection)
        serverapp.log.info(
            "margin_widgets: kernel websockets use %s (TCP_NODELAY, no Nagle delay); "
            "turn off with --MarginWidgets.nodelay=False",
            ours,
        )
