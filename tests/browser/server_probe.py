"""Test-only ``jupyter_server`` extension: reports the kernel websockets a server has open.

The browser tests enable it through a config file in the server's own (temp) config dir, never
through the package. ``GET /mw-probe/kernel-websockets`` answers, for every open kernel
websocket, the connection class serving it and whether ``TCP_NODELAY`` is set on its socket as
the kernel sees it from the server side (``getsockopt``): the observable fact behind "kernel
messages are sent without Nagle's delay". It only reads: handlers are found with ``gc``.
"""

from __future__ import annotations

import gc
import json
import socket
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from tornado import web

NAME = "server_probe"


def kernel_websockets() -> list[dict[str, Any]]:
    found = []
    for obj in gc.get_objects():
        if not isinstance(obj, KernelWebsocketHandler):
            continue
        conn = getattr(obj, "ws_connection", None)
        stream = getattr(conn, "stream", None)
        sock = getattr(stream, "socket", None)
        if sock is None:  # closed
            continue
        cls = type(obj.connection)
        found.append(
            {
                "kernel_id": getattr(obj, "kernel_id", None),
                "connection_class": f"{cls.__module__}.{cls.__qualname__}",
                "tcp_nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
            }
        )
    return found


class ProbeHandler(JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(kernel_websockets()))


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": NAME}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    base = serverapp.web_app.settings["base_url"].rstrip("/")
    serverapp.web_app.add_handlers(".*$", [(f"{base}/mw-probe/kernel-websockets", ProbeHandler)])
