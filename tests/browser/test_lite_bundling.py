"""``scripts/build_lite.py``: bundling Pyodide's binary packages, and the Pyodide version check.

Pyodide's numpy and pandas live on no registry this machine reaches, so a local HTTP server
stands in for Pyodide's package host, serving stand-in files whose sha256 a stand-in lock names.
No browser, no npm, no network: :func:`build_lite.write_lock` runs on a stand-in Pyodide core
with the PyPI download step replaced (the pure-Python wheels are not what is tested here).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = "314.0.6"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{VERSION}/full/"
NUMPY = "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
PANDAS = "pandas-3.0.2-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
SCIPY = "scipy-1.16.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
DATEUTIL = "python_dateutil-2.9.0.post0-py2.py3-none-any.whl"
#: stand-in contents of the package host's files
CONTENT = {
    NUMPY: b"stand-in numpy wheel " * 100,
    PANDAS: b"stand-in pandas wheel " * 200,
    SCIPY: b"stand-in scipy wheel",
    DATEUTIL: b"stand-in dateutil wheel",
}


@pytest.fixture(scope="module")
def build_lite() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "scripts" / "build_lite.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(name: str, file_name: str, depends: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "version": file_name.split("-")[1],
        "file_name": file_name,
        "install_dir": "site",
        "sha256": _sha(CONTENT[file_name]),
        "package_type": "package",
        "imports": [name.replace("python-", "")],
        "depends": depends,
    }


@pytest.fixture
def core(tmp_path: Path) -> Path:
    """A stand-in Pyodide core: package.json, a lock naming the stand-in files, pyodide.mjs."""
    folder = tmp_path / "core"
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps({"name": "pyodide", "version": VERSION}))
    (folder / "pyodide.mjs").write_text("// stand-in")
    lock = {
        "info": {"python": "3.14.2", "platform": "emscripten_5_0_3"},
        "packages": {
            "numpy": _entry("numpy", NUMPY, []),
            "pandas": _entry("pandas", PANDAS, ["numpy", "python-dateutil"]),
            "python-dateutil": _entry("python-dateutil", DATEUTIL, []),
            "scipy": _entry("scipy", SCIPY, ["numpy"]),  # in the lock, not needed
        },
    }
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return folder


@pytest.fixture
def own_wheel(tmp_path: Path) -> Path:
    """A stand-in margin_widgets wheel that needs pandas (as bqplot does)."""
    path = tmp_path / "margin_widgets-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("margin_widgets/__init__.py", "")
        zf.writestr(
            "margin_widgets-0.1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: margin_widgets\nVersion: 0.1.0\nRequires-Dist: pandas\n",
        )
    return path


@pytest.fixture
def offline_build(
    build_lite: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    """The build module with its cache in tmp and no PyPI step (no pure wheel found there)."""
    monkeypatch.setattr(build_lite, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(build_lite, "EXTRA_PACKAGES", ())
    monkeypatch.setattr(build_lite, "KERNEL_PACKAGES", ())
    monkeypatch.setattr(build_lite, "download_pure_wheels", lambda pins, python_version: {})
    return build_lite


class _Host(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A local HTTP server standing in for Pyodide's package host: (URL, its folder, requests)."""
    folder = tmp_path / "host" / "full"
    folder.mkdir(parents=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Host, directory=str(folder))
    )
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        yield url, folder, server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def _serve(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(CONTENT[name])


def _write(build: ModuleType, core: Path, wheel: Path, dest: Path, url: str | None) -> Any:
    return build.write_lock(core, dest, VERSION, wheel, url)


def test_reachable_host_gives_a_fully_bundled_site(
    offline_build: ModuleType, core: Path, own_wheel: Path, host: Any, tmp_path: Path
) -> None:
    url, folder, requests = host
    _serve(folder, NUMPY, PANDAS, DATEUTIL, SCIPY)
    dest = tmp_path / "site" / "static" / "pyodide"
    added, charts = _write(offline_build, core, own_wheel, dest, url)

    # what the course needs: numpy, pandas and pandas' dependency; scipy is not needed
    assert charts["charts"] == "bundled"
    assert charts["packages"] == ["numpy", "pandas", "python-dateutil"]
    assert sorted(requests) == sorted(f"/{n}" for n in (DATEUTIL, NUMPY, PANDAS))
    lock = json.loads((dest / "pyodide-lock.json").read_text())["packages"]
    for key, name in (("numpy", NUMPY), ("pandas", PANDAS), ("python-dateutil", DATEUTIL)):
        assert lock[key]["file_name"] == name  # relative: served by the site itself
        assert (dest / name).read_bytes() == CONTENT[name]
        assert lock[key]["sha256"] == _sha(CONTENT[name])
    # not needed: stays on the CDN of the shipped version, with an absolute URL
    assert lock["scipy"]["file_name"] == CDN + SCIPY
    assert not (dest / SCIPY).exists()
    # the package's own wheel is in the lock and depends on pandas
    assert added == {"margin-widgets": "0.1.0"}
    assert lock["margin-widgets"]["depends"] == ["pandas"]
    assert (dest / "pyodide.mjs").exists()

    # a second build takes the files from the cache: nothing is fetched again
    requests.clear()
    _write(offline_build, core, own_wheel, tmp_path / "again", url)
    assert requests == []


def test_host_missing_a_file_keeps_the_light_site(
    offline_build: ModuleType,
    core: Path,
    own_wheel: Path,
    host: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, folder, _ = host
    _serve(folder, NUMPY, DATEUTIL)  # pandas is missing: 404
    dest = tmp_path / "static" / "pyodide"
    _, charts = _write(offline_build, core, own_wheel, dest, url)

    assert charts["charts"] == "cdn"
    assert "404" in charts["reason"] and PANDAS in charts["reason"]
    lock = json.loads((dest / "pyodide-lock.json").read_text())["packages"]
    for key, name in (("numpy", NUMPY), ("pandas", PANDAS), ("python-dateutil", DATEUTIL)):
        assert lock[key]["file_name"] == CDN + name
        assert not (dest / name).exists()  # all or nothing
    out = capsys.readouterr().out
    assert "LIGHT SITE" in out and "the charts need the internet" in out


def test_unreachable_host_keeps_the_light_site(
    offline_build: ModuleType, core: Path, own_wheel: Path, tmp_path: Path
) -> None:
    with http.server.HTTPServer(("127.0.0.1", 0), _Host) as closed:
        port = closed.server_address[1]  # bound then closed below: nothing listens there
    dest = tmp_path / "static" / "pyodide"
    _, charts = _write(offline_build, core, own_wheel, dest, f"http://127.0.0.1:{port}/full/")
    assert charts["charts"] == "cdn"
    lock = json.loads((dest / "pyodide-lock.json").read_text())["packages"]
    assert lock["numpy"]["file_name"] == CDN + NUMPY


def test_no_bundle_never_asks_the_host(
    offline_build: ModuleType, core: Path, own_wheel: Path, host: Any, tmp_path: Path
) -> None:
    _, folder, requests = host
    _serve(folder, NUMPY, PANDAS, DATEUTIL)
    _, charts = _write(offline_build, core, own_wheel, tmp_path / "light", None)
    assert charts == {
        "charts": "cdn",
        "packages": ["numpy", "pandas", "python-dateutil"],
        "reason": "--no-bundle",
    }
    assert requests == []


def test_a_file_that_differs_from_the_lock_stops_the_build(
    offline_build: ModuleType, core: Path, own_wheel: Path, host: Any, tmp_path: Path
) -> None:
    url, folder, _ = host
    _serve(folder, PANDAS, DATEUTIL)
    (folder / NUMPY).write_bytes(b"not the numpy of this Pyodide")
    with pytest.raises(SystemExit, match=r"has sha256 .* but Pyodide's lock says"):
        _write(offline_build, core, own_wheel, tmp_path / "site", url)


def test_pyodide_version_must_match_the_kernel(build_lite: ModuleType) -> None:
    expected = {"jupyterlite-pyodide-kernel (Python)": VERSION, "front-end": VERSION}
    assert build_lite.check_pyodide_version(VERSION, expected) == VERSION
    with pytest.raises(SystemExit) as info:
        build_lite.check_pyodide_version("314.0.7", expected)
    message = str(info.value)
    assert "the site ships Pyodide 314.0.7" in message
    assert "jupyterlite-pyodide-kernel (Python) expects 314.0.6" in message


def test_installed_kernel_agrees_with_itself(build_lite: ModuleType) -> None:
    """The kernel's Python package and its front-end name the same Pyodide (what a build
    checks the shipped core against). Needs the ``lite`` extra, which ``make test`` installs."""
    found = build_lite.kernel_pyodide_expectations()
    assert len(found) == 2, found  # both sources were read
    assert len(set(found.values())) == 1, found
