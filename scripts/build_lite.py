"""Build the course as a static JupyterLite site (``make lite``).

The site needs no server and no CDN for the kernel itself:

* a local Pyodide core (``npm pack pyodide@<version the kernel names>``) is copied to
  ``static/pyodide/`` so the kernel starts without jsDelivr;
* the pure-Python wheels the kernel needs (micropip, IPython, jedi and friends) are downloaded from
  PyPI at the exact versions of Pyodide's lock, and the lock entries are rewritten to them (file
  name and sha256: Pyodide checks integrity and PyPI's wheels differ from Pyodide's repacked ones);
* ``comm``, ``ipywidgets``, ``traittypes``, ``bqscales``, ``bqplot``, ``psygnal``,
  ``anywidget`` and this package's own wheel are added to the lock, so a bare
  ``import margin_widgets`` works and lessons run unchanged in JupyterLab and in Lite;
* binary packages (numpy, pandas, ...) cannot come from PyPI for Pyodide's platform. Where the
  build machine can reach Pyodide's package files (its CDN, or ``--package-host``), the ones the
  course needs are downloaded, checked against the lock's sha256 and served by the site itself
  (a *fully bundled* site: the charts need nothing from outside). Where it cannot, their lock
  entries point at Pyodide's CDN with absolute URLs (a *light* site: ``import numpy``, and so
  the charts, work when the learner is online; offline the lessons show a placeholder instead),
  and the build says so. ``--no-bundle`` asks for the light site;
* the CDN URL uses the version of the Pyodide core the site ships, which must be the version the
  kernel expects (its Python package and its front-end's default URL): the build fails otherwise;
* ``disablePyPIFallback`` is set, so the site never fetches from PyPI behind the learner's back;
* only the front-end extensions the course needs are copied (ipywidgets' jupyterlab-manager,
  bqplot, bqscales, anywidget, the Pyodide kernel), from the build environment, after checking
  that their versions match the Python packages written into the lock.

Downloads are cached in ``build/lite-cache/`` (gitignored). ``<output>/.margin-widgets-build.json``
records which kind of site was built (``"charts": "bundled"`` or ``"cdn"``). Usage::

    .venv/bin/python scripts/build_lite.py            # -> _output/lite/
    .venv/bin/python scripts/build_lite.py --no-bundle   # light site, charts from the CDN
    .venv/bin/python scripts/build_lite.py --if-stale --output-dir build/lite-test  # tests
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "lite-cache"
DEFAULT_OUTPUT = ROOT / "_output" / "lite"
LITE_CONFIG_DIR = ROOT / "lite"
NOTEBOOKS = ROOT / "notebooks"
STAMP_NAME = ".margin-widgets-build.json"

#: pure-Python packages not in Pyodide's lock that the course needs, taken at the build
#: environment's versions so the Python side matches the front-end extensions copied below
#: (anywidget and its dependency psygnal: the explorers' arrow-key fix for Notebook 7 is an
#: anywidget; a dependency of this package, so its wheel names them)
EXTRA_PACKAGES = ("comm", "ipywidgets", "traittypes", "bqscales", "bqplot", "psygnal", "anywidget")
#: what the kernel itself loads from the lock before the first cell runs (see
#: jupyterlite-pyodide-kernel's worker: micropip, then ipykernel/comm/pyodide-kernel/jedi/ipython)
KERNEL_PACKAGES = ("micropip", "jedi", "ipython", "traitlets", "packaging")
#: Requires-Dist entries that only matter to a real Jupyter server, never inside Pyodide
SERVER_ONLY = {"widgetsnbextension", "jupyterlab-widgets"}
#: front-end extensions the site ships: npm name -> Python distribution they must match
LABEXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "jupyterlab_widgets",
    "bqplot": "bqplot",
    "bqscales": None,
    "anywidget": "anywidget",
    "@jupyterlite/pyodide-kernel-extension": "jupyterlite-pyodide-kernel",
}
LITE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


def log(msg: str) -> None:
    """Print a progress line."""
    print(f"[build_lite] {msg}", flush=True)


def canonical(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd: list[str], **kwargs: object) -> None:
    """Run a command, echoing it; raise on failure."""
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def pyodide_version() -> str:
    """The Pyodide version jupyterlite-pyodide-kernel was built for."""
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION  # type: ignore[import-untyped]

    return str(PYODIDE_VERSION)


def pyodide_cdn(version: str) -> str:
    """Pyodide's CDN folder for that version (for the packages not served locally)."""
    return f"https://cdn.jsdelivr.net/pyodide/v{version}/full/"


#: where the kernel's front-end names its default Pyodide (a URL with ``/v<version>/``)
KERNEL_SCHEMA = Path(
    "@jupyterlite", "pyodide-kernel-extension", "static", "schema", "kernel.v0.schema.json"
)


def kernel_pyodide_expectations() -> dict[str, str]:
    """The Pyodide version the kernel expects, by who says so (Python package, front-end)."""
    found = {"jupyterlite-pyodide-kernel (Python)": pyodide_version()}
    schema = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / KERNEL_SCHEMA
    if schema.exists():
        match = re.search(r"/pyodide/v([0-9][^/]*)/", schema.read_text())
        if match:
            found["@jupyterlite/pyodide-kernel-extension (default pyodideUrl)"] = match.group(1)
    return found


def core_version(core: Path) -> str:
    """Version of a Pyodide core folder (its npm ``package.json``)."""
    return str(json.loads((core / "package.json").read_text())["version"])


def check_pyodide_version(loaded: str, expected: dict[str, str]) -> str:
    """Return ``loaded`` (the core the site ships) if every expectation agrees; else fail.

    >>> check_pyodide_version("314.0.6", {"kernel": "314.0.6"})
    '314.0.6'
    >>> check_pyodide_version("314.0.7", {"kernel": "314.0.6"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: Pyodide version mismatch: the site ships Pyodide 314.0.7, but kernel expects ...
    """
    wrong = {who: v for who, v in expected.items() if v != loaded}
    if wrong:
        said = ", ".join(f"{who} expects {v}" for who, v in wrong.items())
        raise SystemExit(
            f"Pyodide version mismatch: the site ships Pyodide {loaded}, but {said}. Ship the "
            f"core the kernel names (delete build/lite-cache/pyodide-* and rebuild), or install "
            f"a jupyterlite-pyodide-kernel made for {loaded}."
        )
    return loaded


# --------------------------------------------------------------------------- binary packages


def fetch_binary_packages(
    packages: dict[str, dict[str, Any]], keys: list[str], base_url: str, cache: Path
) -> dict[str, Path] | str:
    """Download the lock entries ``keys`` from ``base_url`` (Pyodide's package folder).

    Returns ``{key: file}`` when every file was fetched and matches the lock's sha256, or the
    reason (a string) when the host could not be reached or lacks a file: the caller then keeps
    the CDN URLs. A file whose sha256 differs from the lock stops the build (``SystemExit``):
    the host serves other files than this Pyodide's.
    """
    cache.mkdir(parents=True, exist_ok=True)
    base = base_url if base_url.endswith("/") else base_url + "/"
    found: dict[str, Path] = {}
    for key in keys:
        entry = packages[key]
        name = str(entry["file_name"])
        target = cache / name
        if not (target.exists() and sha256_of(target) == entry["sha256"]):
            partial = target.with_name(target.name + ".partial")
            try:
                with (
                    urllib.request.urlopen(base + name, timeout=30) as resp,
                    partial.open("wb") as out,
                ):
                    shutil.copyfileobj(resp, out)
            except (urllib.error.URLError, OSError, TimeoutError) as exc:
                partial.unlink(missing_ok=True)
                return f"{base + name}: {exc}"
            got = sha256_of(partial)
            if got != entry["sha256"]:
                partial.unlink(missing_ok=True)
                raise SystemExit(
                    f"{base + name} has sha256 {got}, but Pyodide's lock says {entry['sha256']}: "
                    "that host serves other files than this Pyodide version's. Check "
                    "--package-host."
                )
            partial.replace(target)
        found[key] = target
    return found


# --------------------------------------------------------------------------- Pyodide core


def fetch_pyodide_core(version: str) -> Path:
    """Return a folder holding the npm package's files (pyodide.mjs, lock, wasm, stdlib)."""
    dest = CACHE / f"pyodide-{version}"
    if (dest / "pyodide-lock.json").exists() and (dest / "pyodide.mjs").exists():
        return dest
    CACHE.mkdir(parents=True, exist_ok=True)
    tgz = CACHE / f"pyodide-{version}.tgz"
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is needed once to fetch the Pyodide core (npm pack pyodide)")
        run([npm, "pack", f"pyodide@{version}", "--pack-destination", str(CACHE)], cwd=CACHE)
    tmp = CACHE / f"pyodide-{version}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp, filter="data")
    shutil.rmtree(dest, ignore_errors=True)
    (tmp / "package").rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------- wheels


def wheel_dir() -> Path:
    """Cache folder of downloaded wheels."""
    path = CACHE / "wheels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_cached_wheel(name: str, version: str) -> Path | None:
    """A cached wheel of ``name`` at exactly ``version``, if any."""
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for candidate in wheel_dir().glob("*.whl"):
        dist, ver = candidate.name.split("-")[:2]
        if dist.lower().replace(".", "_") == stem and ver == version:
            return candidate
    return None


def download_pure_wheels(pins: dict[str, str], python_version: str) -> dict[str, Path]:
    """``pip download`` each ``name==version`` as a pure-Python wheel; return those found."""
    missing = {n: v for n, v in pins.items() if find_cached_wheel(n, v) is None}
    base = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--python-version", python_version,
        "--implementation", "py", "--abi", "none", "--platform", "any",
        "--dest", str(wheel_dir()),
    ]  # fmt: skip
    if missing:
        reqs = [f"{n}=={v}" for n, v in sorted(missing.items())]
        try:
            run([*base, *reqs])
        except subprocess.CalledProcessError:
            log("batch download failed, retrying one by one")
            for req in reqs:
                try:
                    run([*base, req])
                except subprocess.CalledProcessError:
                    log(f"no pure-Python wheel on PyPI for {req}: it stays on the CDN")
    found = {}
    for name, version in pins.items():
        path = find_cached_wheel(name, version)
        if path is not None:
            found[name] = path
    return found


def build_own_wheel() -> Path:
    """Build this project's wheel (hatchling) into the cache."""
    out = CACHE / "own-wheel"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(out)])
    wheels = list(out.glob("margin_widgets-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one margin_widgets wheel in {out}, got {wheels}")
    return wheels[0]


def wheel_metadata(path: Path) -> tuple[str, str, list[str], list[str]]:
    """Return (name, version, top-level imports, unconditional Requires-Dist names)."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
        top_txt = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        if top_txt is not None:
            imports = [ln.strip() for ln in zf.read(top_txt).decode().splitlines() if ln.strip()]
        else:
            tops = set()
            for n in names:
                first = n.split("/")[0]
                if first.endswith((".dist-info", ".data")):
                    continue
                if "/" in n and n.endswith(".py"):
                    tops.add(first)
                elif "/" not in n and n.endswith(".py"):
                    tops.add(first[:-3])
            imports = sorted(tops)
    requires = []
    for req in meta.get_all("Requires-Dist") or []:
        if ";" in req and "extra" in req.split(";", 1)[1]:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
        if match:
            requires.append(canonical(match.group(1)))
    return meta["Name"], meta["Version"], sorted(imports), requires


# --------------------------------------------------------------------------- lock


def closure(packages: dict[str, dict[str, Any]], roots: list[str]) -> set[str]:
    """Lock keys of ``roots`` and everything they depend on."""
    index = {canonical(k): k for k in packages}
    seen: set[str] = set()
    todo = [canonical(r) for r in roots]
    while todo:
        key = index.get(todo.pop())
        if key is None or key in seen:
            continue
        seen.add(key)
        todo.extend(canonical(d) for d in packages[key].get("depends", []))
    return seen


def is_pure(entry: dict[str, Any]) -> bool:
    """True for a pure-Python wheel entry of the lock."""
    return entry.get("package_type") == "package" and str(entry["file_name"]).endswith(
        "-none-any.whl"
    )


def write_lock(
    core: Path, dest: Path, version: str, own_wheel: Path, package_host: str | None
) -> tuple[dict[str, str], dict[str, Any]]:
    """Assemble ``static/pyodide/`` in the staging dir.

    ``package_host`` is where to fetch the binary packages the course needs (``None``: do not
    try; they stay on Pyodide's CDN). Returns ({package: version} added to the lock, a summary
    of where the charts' packages come from).
    """
    lock = json.loads((core / "pyodide-lock.json").read_text())
    packages: dict[str, dict[str, Any]] = lock["packages"]
    py_version = ".".join(lock["info"]["python"].split(".")[:2])

    dest.mkdir(parents=True, exist_ok=True)
    for item in core.iterdir():
        if item.suffix == ".map" or item.name in {"pyodide-lock.json", "package.json"}:
            continue
        if item.suffix in {".mjs", ".js", ".wasm", ".zip"}:
            shutil.copy2(item, dest / item.name)

    # 1. the extra packages, at the build environment's versions
    extra_pins = {name: metadata.version(name) for name in EXTRA_PACKAGES}
    extra_wheels = download_pure_wheels(extra_pins, py_version)
    missing = sorted(set(extra_pins) - set(extra_wheels))
    if missing:
        raise SystemExit(f"could not download pure-Python wheels for {missing}")
    extra_wheels["margin_widgets"] = own_wheel

    added: dict[str, str] = {}
    new_entries: dict[str, dict[str, Any]] = {}
    lock_names = {canonical(k) for k in packages}
    for wheel in extra_wheels.values():
        name, ver, imports, requires = wheel_metadata(wheel)
        key = canonical(name)
        depends = []
        for req in requires:
            if req in SERVER_ONLY:
                continue
            if req not in lock_names and req not in {canonical(n) for n in extra_wheels}:
                raise SystemExit(f"{name} needs {req}, which is neither in the lock nor added")
            depends.append(req)
        new_entries[key] = {
            "name": key,
            "version": ver,
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": sha256_of(wheel),
            "package_type": "package",
            "imports": imports,
            "depends": sorted(depends),
            "unvendored_tests": False,
        }
        shutil.copy2(wheel, dest / wheel.name)
        added[key] = ver

    # 2. the pure-Python part of what the kernel and the course load from the lock
    roots = list(KERNEL_PACKAGES)
    for entry in new_entries.values():
        roots.extend(entry["depends"])
    needed = closure(packages, roots)
    pure = {k: packages[k]["version"] for k in sorted(needed) if is_pure(packages[k])}
    local = download_pure_wheels(pure, py_version)
    for key, wheel in local.items():
        entry = packages[key]
        entry["file_name"] = wheel.name
        entry["sha256"] = sha256_of(wheel)
        shutil.copy2(wheel, dest / wheel.name)
    log(f"{len(local)} pure-Python wheels from the lock served locally: {', '.join(sorted(local))}")

    # 3. the binary packages the course needs (numpy, pandas): bundled when their host answers
    binary = sorted(
        k for k in needed if k not in local and packages[k].get("package_type") == "package"
    )
    charts: dict[str, Any] = {"charts": "cdn", "packages": binary, "reason": "--no-bundle"}
    if binary and package_host is not None:
        fetched = fetch_binary_packages(
            packages, binary, package_host, CACHE / f"packages-{version}"
        )
        if isinstance(fetched, dict):
            for key, path in fetched.items():
                shutil.copy2(path, dest / path.name)
                local[key] = path
            size = sum(p.stat().st_size for p in fetched.values()) / 1e6
            charts = {"charts": "bundled", "packages": binary, "megabytes": round(size, 1)}
            log(
                f"bundled from {package_host}: {', '.join(binary)} ({size:.1f} MB); the site "
                "needs nothing from any outside host"
            )
        else:
            charts["reason"] = fetched
            log(f"could not fetch the charts' packages ({fetched}).")
    elif not binary:
        charts = {"charts": "bundled", "packages": [], "megabytes": 0.0}

    # 4. everything else stays on Pyodide's CDN, with absolute URLs, for the version shipped
    cdn = pyodide_cdn(version)
    for key, entry in packages.items():
        if key not in local:
            entry["file_name"] = cdn + entry["file_name"]
    if charts["charts"] == "cdn":
        log(
            f"LIGHT SITE: {', '.join(binary)} stay on {cdn}: the charts need the internet in "
            "the learner's browser (about 10 MB, once); offline the lessons run without them. "
            "Build on a machine that reaches that host for a fully bundled site."
        )

    packages.update(new_entries)
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return added, charts


# --------------------------------------------------------------------------- extensions


def bqplot_frontend_version() -> str:
    """``bqplot.__frontend_version__`` without importing bqplot (and numpy)."""
    files = metadata.files("bqplot") or []
    version_py = next(f for f in files if str(f).replace("\\", "/") == "bqplot/_version.py")
    match = re.search(r"__frontend_version__\s*=\s*['\"]([^'\"]+)", version_py.read_text())
    if match is None:
        raise SystemExit("cannot read bqplot's __frontend_version__")
    return match.group(1).lstrip("^~=")


def labextension_paths() -> list[Path]:
    """The prebuilt front-end extensions to copy, after checking their versions."""
    share = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    paths = []
    for npm_name, dist in LABEXTENSIONS.items():
        path = share / npm_name
        pkg = path / "package.json"
        if not pkg.exists():
            raise SystemExit(f"front-end extension {npm_name} is not installed in {sys.prefix}")
        js_version = json.loads(pkg.read_text())["version"]
        if dist == "bqplot":
            wanted = bqplot_frontend_version()
            if js_version.split(".")[:2] != wanted.split(".")[:2]:
                raise SystemExit(f"bqplot wants JS {wanted}, the extension is {js_version}")
        elif dist == "jupyterlab_widgets":
            # jupyterlab_widgets 3.0.x ships @jupyter-widgets/jupyterlab-manager 5.0.x, which
            # talks to ipywidgets 8 (the ipywidgets wheel put in the lock is the same version
            # as the one installed here)
            py = metadata.version("jupyterlab_widgets")
            ipyw = metadata.version("ipywidgets")
            if not (py.startswith("3.") and js_version.startswith("5.") and ipyw.startswith("8.")):
                raise SystemExit(f"mismatch: jupyterlab_widgets {py}, JS {js_version}, {ipyw}")
        elif dist is not None:
            py = metadata.version(dist)
            if py != js_version:
                raise SystemExit(f"{dist} {py} != {npm_name} {js_version}")
        log(f"front-end extension {npm_name} {js_version}")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- contents


def stage_contents(files: Path, sources: list[Path]) -> None:
    """Copy notebooks (and other contents) saving notebooks with the Lite kernelspec."""
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir(parents=True)
    for src in sources:
        items = sorted(src.iterdir()) if src.is_dir() else [src]
        for item in items:
            if item.name.startswith(".") or item.name == "__pycache__":
                continue
            target = files / item.name
            if item.is_dir():
                shutil.copytree(
                    item, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
                )
            elif item.suffix == ".ipynb":
                nb = json.loads(item.read_text(encoding="utf-8"))
                nb.setdefault("metadata", {})["kernelspec"] = dict(LITE_KERNELSPEC)
                target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
            else:
                shutil.copy2(item, target)


# --------------------------------------------------------------------------- freshness


def input_digest(extra: list[Path], options: str = "") -> str:
    """Digest of everything the site is built from, and the build ``options`` (``--if-stale``)."""
    digest = hashlib.sha256(options.encode())
    inputs = [
        Path(__file__).resolve(),
        ROOT / "pyproject.toml",
        *sorted((ROOT / "margin_widgets").rglob("*")),
        *sorted(LITE_CONFIG_DIR.rglob("*")),
        *sorted(NOTEBOOKS.rglob("*")),
    ]
    for path in extra:
        inputs.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    for path in inputs:
        if path.is_file() and "__pycache__" not in path.parts:
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            digest.update(str(shown).encode())
            digest.update(path.read_bytes())
    for name in (
        "jupyterlite-core",
        "jupyterlite-pyodide-kernel",
        "jupyterlab_widgets",  # ships the widget front-end copied into the site
        *EXTRA_PACKAGES,
    ):
        digest.update(f"{name}=={metadata.version(name)}".encode())
    return digest.hexdigest()


def build(
    output: Path,
    extra: list[Path],
    if_stale: bool,
    package_host: str | None = "",
) -> Path:
    """Build the site into ``output``; skip when ``if_stale`` and nothing changed.

    ``package_host``: where to fetch numpy, pandas and friends for a fully bundled site; ``""``
    means Pyodide's CDN for the shipped version, ``None`` builds the light site.
    """
    digest = input_digest(extra, f"package-host={package_host}")
    stamp = output / STAMP_NAME
    if if_stale and stamp.exists():
        if json.loads(stamp.read_text()).get("inputs") == digest:
            log(f"{output} is up to date")
            return output

    version = pyodide_version()
    stage = ROOT / "build" / f"lite-src-{output.name}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    for item in LITE_CONFIG_DIR.iterdir():
        if item.is_file():
            shutil.copy2(item, stage / item.name)

    core = fetch_pyodide_core(version)
    version = check_pyodide_version(core_version(core), kernel_pyodide_expectations())
    host = pyodide_cdn(version) if package_host == "" else package_host
    own = build_own_wheel()
    added, charts = write_lock(core, stage / "static" / "pyodide", version, own, host)
    sources = [p for p in [NOTEBOOKS] if p.exists()] + extra
    stage_contents(stage / "files", sources)

    cmd = [
        str(Path(sys.executable).parent / "jupyter-lite"), "build",
        "--lite-dir", str(stage), "--output-dir", str(output.resolve()),
    ]  # fmt: skip
    for path in labextension_paths():
        cmd += ["--LiteBuildConfig.federated_extensions", str(path)]
    shutil.rmtree(output, ignore_errors=True)
    env = {**os.environ, "JUPYTERLITE_NO_LIBARCHIVE": "1"}
    run(cmd, cwd=stage, env=env)

    config = json.loads((output / "jupyter-lite.json").read_text())
    kernel = config["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.mjs" or not kernel.get(
        "disablePyPIFallback"
    ):
        raise SystemExit(f"unexpected kernel settings in jupyter-lite.json: {kernel}")
    # GitHub Pages (branch deploys) must not run Jekyll, which hides files starting with "_"
    (output / ".nojekyll").write_text("")
    stamp.write_text(
        json.dumps({"inputs": digest, "pyodide": version, "lock_added": added, **charts})
    )
    kind = "fully bundled" if charts["charts"] == "bundled" else "light (charts from the CDN)"
    log(f"{kind} site written to {output} (Pyodide {version}; added to the lock: {added})")
    return output


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--extra-contents",
        type=Path,
        action="append",
        default=[],
        help="more files or folders for the site's file browser (repeatable)",
    )
    parser.add_argument(
        "--if-stale", action="store_true", help="do nothing if the output is up to date"
    )
    parser.add_argument(
        "--package-host",
        default="",
        help="URL of Pyodide's package folder to bundle numpy, pandas & co. from (default: "
        "Pyodide's CDN for the shipped version)",
    )
    parser.add_argument(
        "--no-bundle",
        action="store_true",
        help="light site: leave numpy, pandas & co. on Pyodide's CDN (the learner downloads them)",
    )
    args = parser.parse_args(argv)
    extra = [p.resolve() for p in args.extra_contents]
    host = None if args.no_bundle else args.package_host
    build(args.output_dir.resolve(), extra, args.if_stale, host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
