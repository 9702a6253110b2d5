"""Jupyter server setting that lets a slider's plot update reach the browser without delay.

A kernel answers a slider move with ``busy``, the widget updates and ``idle`` within a couple of
milliseconds, but the stock server writes them to the browser's websocket with Nagle's algorithm
on: everything after the first message waits for the browser's delayed acknowledgement (40 ms on
Linux). :class:`NoDelayKernelWebsocketConnection` turns Nagle off (``TCP_NODELAY``) for kernel
websockets, as tornado recommends for interactive websockets. ``make lab`` uses it; with your own
server, put this in ``jupyter_server_config.py``::

    c.ServerApp.kernel_websocket_connection_class = (
        "margin_widgets.server.NoDelayKernelWebsocketConnection"
    )

This module is for the Jupyter server process only; nothing else in the package imports it.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection"]


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """Kernel websocket connection that sends every message at once (``TCP_NODELAY``)."""

    def connect(self) -> Any:
        """Turn Nagle's algorithm off on this websocket, then connect as usual."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()
