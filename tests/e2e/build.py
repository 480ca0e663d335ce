"""Build the end-to-end test components from the Go module proxy, cached by version.

    python tests/e2e/build.py            # build what is missing, print where each binary is
    python tests/e2e/build.py --check    # exit 1 (and say what) when something is not built yet

Each component has its own Go module under tests/e2e/components/ (go.mod and go.sum pin every
version). Binaries land in $SYNTHO_RAY_E2E_CACHE (default ~/.cache/syntho-ray-e2e) under
bin/<component>-<version>-<key>/, where <key> hashes go.mod, go.sum, the build flags and the Go
version: a second run builds nothing. The Go module and build caches live there too (gomod/,
gobuild/), apart from the user's own, unless GOMODCACHE or GOCACHE are set.

Without Go on PATH this exits 3 and the tests skip, saying so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = HERE / "components"
KUBE_VERSION = "v1.37.2"
KUBERAY_MODULE = "github.com/ray-project/kuberay/ray-operator"
# The operator releases the tests run (README.md says why these): chart 1.13 ships 0.4.0, which
# the proxy refuses (403, also by commit), so 0.5.0 runs it; chart 1.14 ships 1.2.2.
KUBERAY_OPERATORS = ("0.5.0", "1.2.2")
NO_GO = 3


@dataclass(frozen=True)
class Component:
    """One Go module of components/ and the binaries built from it."""

    name: str  # the folder under components/
    version: str  # the upstream release it builds
    packages: dict[str, str]  # binary name -> Go package
    ldflags: tuple[str, ...] = ()

    @property
    def module(self) -> Path:
        return MODULES / self.name


def _kube_ldflags() -> tuple[str, ...]:
    major, minor = KUBE_VERSION.lstrip("v").split(".")[:2]
    pkg = "k8s.io/component-base/version"
    values = {
        "gitVersion": KUBE_VERSION,
        "gitMajor": major,
        "gitMinor": minor,
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
    }
    return tuple(f"-X {pkg}.{k}={v}" for k, v in values.items())


COMPONENTS: tuple[Component, ...] = (
    Component(
        "kubernetes",
        KUBE_VERSION,
        {
            name: f"k8s.io/kubernetes/cmd/{name}"
            for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
        },
        _kube_ldflags(),
    ),
    Component("etcd", "v3.7.3", {"etcd": "go.etcd.io/etcd/server/v3"}),
    Component("kwok", "v0.8.0", {"kwok": "sigs.k8s.io/kwok/cmd/kwok"}),
    *(
        Component(f"kuberay-v{v}", f"v{v}", {f"kuberay-operator-{v}": KUBERAY_MODULE})
        for v in KUBERAY_OPERATORS
    ),
)


def cache_root() -> Path:
    return Path(os.environ.get("SYNTHO_RAY_E2E_CACHE") or Path.home() / ".cache" / "syntho-ray-e2e")


def go_binary() -> str | None:
    return shutil.which("go")


def go_env() -> dict[str, str]:
    """The environment of every go command: our own caches unless the caller set theirs."""
    env = dict(os.environ)
    env.setdefault("GOMODCACHE", str(cache_root() / "gomod"))
    env.setdefault("GOCACHE", str(cache_root() / "gobuild"))
    env["GOFLAGS"] = "-mod=readonly -buildvcs=false"
    env["CGO_ENABLED"] = "0"
    env["GOTOOLCHAIN"] = "local"
    return env


def _go_version() -> str:
    out = subprocess.run([go_binary() or "go", "version"], capture_output=True, text=True)
    return out.stdout.strip()


def bin_dir(component: Component) -> Path:
    """Where this component's binaries are, for these pins, flags and this Go."""
    digest = hashlib.sha256()
    for part in ("go.mod", "go.sum"):
        digest.update((component.module / part).read_bytes())
    digest.update(" ".join(component.ldflags).encode())
    digest.update(_go_version().encode())
    return cache_root() / "bin" / f"{component.name}-{digest.hexdigest()[:12]}"


def is_built(component: Component) -> bool:
    return (bin_dir(component) / "build.json").is_file()


def build(component: Component) -> Path:
    """Build the component's binaries unless they are cached; return their folder."""
    target = bin_dir(component)
    if is_built(component):
        return target
    started = time.monotonic()
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    ldflags = " ".join(("-s", "-w", *component.ldflags))
    command = [go_binary() or "go", "build", "-trimpath", "-ldflags", ldflags, "-o", f"{partial}/"]
    print(f"building {component.name} {component.version} ...", file=sys.stderr, flush=True)
    for name, package in component.packages.items():
        subprocess.run(
            [*command[:-1], str(partial / name), package],
            check=True,
            cwd=component.module,
            env=go_env(),
        )
    seconds = round(time.monotonic() - started, 1)
    info = {
        "component": component.name,
        "version": component.version,
        "go": _go_version(),
        "binaries": sorted(component.packages),
        "build_seconds": seconds,
    }
    (partial / "build.json").write_text(json.dumps(info, indent=1) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    print(f"built {component.name} {component.version} in {seconds} s", file=sys.stderr)
    return target


def binaries() -> dict[str, Path]:
    """Every binary by name, from the cache (KeyError-free: only built components)."""
    found: dict[str, Path] = {}
    for component in COMPONENTS:
        if is_built(component):
            found |= {name: bin_dir(component) / name for name in component.packages}
    return found


def versions() -> dict[str, str]:
    """The upstream release each binary was built from."""
    return {name: c.version for c in COMPONENTS for name in c.packages}


def module_source(component: str, module: str) -> Path:
    """The source folder of `module` as a component's go.mod pins it (module cache)."""
    command = [go_binary() or "go", "mod", "download", "-json", module]
    return _downloaded(
        subprocess.run(
            command, capture_output=True, text=True, env=go_env(), cwd=MODULES / component
        )
    )


def kuberay_source(version: str) -> Path:
    """KubeRay's ray-operator module at `version`, from the Go module cache (downloaded once)."""
    command = [go_binary() or "go", "mod", "download", "-json", f"{KUBERAY_MODULE}@v{version}"]
    return _downloaded(
        subprocess.run(command, capture_output=True, text=True, env=go_env(), cwd=MODULES)
    )


def _downloaded(out: subprocess.CompletedProcess[str]) -> Path:
    info = json.loads(out.stdout or "{}")
    if out.returncode != 0 or "Dir" not in info:
        raise RuntimeError(info.get("Error") or out.stderr.strip())
    return Path(info["Dir"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether all are built")
    args = parser.parse_args()
    if go_binary() is None:
        print("go is not installed: the end-to-end components cannot be built", file=sys.stderr)
        return NO_GO
    missing = [c.name for c in COMPONENTS if not is_built(c)]
    if args.check:
        print("not built: " + ", ".join(missing) if missing else "all built", file=sys.stderr)
        return 1 if missing else 0
    for component in COMPONENTS:
        build(component)
    for name, path in binaries().items():
        print(f"{name} {versions()[name]} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
