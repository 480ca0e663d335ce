"""What makes renders fast changes nothing else: lazy imports, models only, the paused collector."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kubernetes import client

from syntho_ray import render_yaml
from syntho_ray.cli import COMMANDS, command_named
from syntho_ray.collector import paused
from syntho_ray.k8s import client as k8s

VALUES = {"SynthoLicense": "k", "worker": {"disabled": False, "tolerations": [{"key": "a"}]}}
CASE = Path(__file__).resolve().parent.parent.parent / "shared/reference/cases/02-production.yaml"
# The installed packages a command that renders may import: ours and what they import (click
# for a typer that does not carry its own; never rich, typer's pretty help and tracebacks).
RENDER_LIBRARIES = {
    *("kubernetes", "pydantic", "typer", "yaml"),  # the models only, of kubernetes
    *("annotated_doc", "annotated_types", "click", "pydantic_core", "shellingham"),
    *("six", "typing_extensions", "typing_inspection"),
}
# Standard library a command that renders never needs: asyncio (with ssl and
# concurrent.futures) came with typing_extensions' `deprecated` before 4.16, logging with
# values/helm.py's logger.
UNWANTED_STANDARD = ("asyncio", "ssl", "concurrent", "logging")
OFFLINE_COMMANDS = {
    "render": ["render", "-q", "-f", str(CASE)],
    "validate": ["validate", "-f", str(CASE)],
    "images": ["images", "-f", str(CASE)],
    "schema": ["schema"],
    "init": ["init", "--profile", "production"],
}


def run_python(code: str) -> str:
    """`code` in a new interpreter; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_importing_the_package_loads_nothing_heavy() -> None:
    loaded = run_python(
        """
        import sys
        import syntho_ray
        heavy = ("pydantic", "kubernetes", "syntho_ray.values.model")
        print(sorted(m for m in heavy if m in sys.modules))
        """
    )
    assert loaded.strip() == "[]"


def test_the_command_line_does_not_import_the_kubernetes_client_to_start() -> None:
    loaded = run_python(
        """
        import sys
        import syntho_ray.cli
        print(any(m == "kubernetes" or m.startswith("kubernetes.") for m in sys.modules))
        """
    )
    assert loaded.strip() == "False"


def modules_of_a_new_process(arguments: list[str], tmp_path: Path) -> dict[str, list[str]]:
    """The modules `syntho-ray ARGUMENTS` imports in a new process: installed top-level
    packages (`installed`), and every module's full name (`all`)."""
    found = tmp_path / "modules.json"
    run_python(
        f"""
        import json, sys, sysconfig
        before = set(sys.modules)
        sys.argv = ["syntho-ray", *{arguments!r}]
        from syntho_ray.cli import main
        try:
            main()
        except SystemExit as exit:
            assert not exit.code, exit.code
        new = set(sys.modules) - before
        paths = sysconfig.get_paths()
        places = (paths["purelib"], paths["platlib"])
        installed = {{
            name.split(".")[0]
            for name in new
            if (getattr(sys.modules[name], "__file__", None) or "").startswith(places)
        }} - {{"syntho_ray"}}
        found = {{"installed": sorted(installed), "all": sorted(new)}}
        open({str(found)!r}, "w").write(json.dumps(found))
        """
    )
    return json.loads(found.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.skipif(not CASE.is_file(), reason="../shared is not there")
@pytest.mark.parametrize("command", OFFLINE_COMMANDS)
def test_an_offline_command_loads_no_cluster_code_and_no_http_client(
    command: str, tmp_path: Path
) -> None:
    found = modules_of_a_new_process(OFFLINE_COMMANDS[command], tmp_path)
    assert set(found["installed"]) <= RENDER_LIBRARIES
    assert {"pydantic", "typer"} <= set(found["installed"])
    unwanted = [
        name
        for name in found["all"]
        if name.startswith(("syntho_ray.cluster", "urllib3", "requests", "http.client"))
        or (name.startswith("kubernetes") and not name.startswith("kubernetes.client.models."))
    ]
    assert unwanted == []
    assert [name for name in found["all"] if name.split(".")[0] in UNWANTED_STANDARD] == []


@pytest.mark.skipif(not CASE.is_file(), reason="../shared is not there")
@pytest.mark.parametrize("command", ["render", "apply"])
def test_a_command_imports_no_other_commands_module(command: str, tmp_path: Path) -> None:
    arguments = OFFLINE_COMMANDS.get(command, [command, "--help"])
    found = modules_of_a_new_process(arguments, tmp_path)
    others = {f"syntho_ray.cli.{module}" for module in COMMANDS.values()}
    others.discard(f"syntho_ray.cli.{COMMANDS[command]}")
    assert others & set(found["all"]) == set()
    assert f"syntho_ray.cli.{COMMANDS[command]}" in found["all"]


def test_help_lists_every_command_in_order_whichever_module_came_first() -> None:
    out = run_python(
        """
        import sys
        from syntho_ray.cli import release, cluster  # as a test might, before the app
        sys.argv = ["syntho-ray", "--help"]
        from syntho_ray.cli import main
        try:
            main()
        except SystemExit:
            pass
        """
    )
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    hidden = [verb for verb, module in COMMANDS.items() if module == "helm"]
    assert listed == [name for name in COMMANDS if name not in hidden]


def test_the_command_named_is_the_first_word_unless_an_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert command_named(["render", "-f", "values.yaml"]) == "render"
    assert command_named(["apply", "--help"]) == "apply"
    assert command_named(["-h", "status"]) is None  # the root's help: every command
    assert command_named([]) is None
    monkeypatch.setenv("_SYNTHO_RAY_COMPLETE", "bash_complete")
    assert command_named(["render"]) is None  # completion needs every command


@pytest.mark.skipif(not CASE.is_file(), reason="../shared is not there")
def test_a_render_of_chart_113_values_loads_nothing_of_chart_114(tmp_path: Path) -> None:
    found = modules_of_a_new_process(OFFLINE_COMMANDS["render"], tmp_path)
    assert "syntho_ray.values.model" in found["all"]
    chart_114 = ("syntho_ray.values.model114", "syntho_ray.values.checks114")
    assert [name for name in found["all"] if name.startswith(chart_114)] == []


def test_models_only_renders_the_same_and_the_whole_client_still_loads_after() -> None:
    out = run_python(
        f"""
        import sys
        from syntho_ray import render_yaml
        from syntho_ray.k8s import client as k8s
        k8s.load_models_only()
        text = render_yaml({VALUES!r})
        print("kubernetes" in sys.modules)
        import kubernetes
        from kubernetes import client, config
        print(client.V1Container is k8s.model_class("V1Container"))
        print(callable(config.load_kube_config) and callable(client.CoreV1Api))
        sys.stdout.write(text)
        """
    )
    whole_client_loaded, same_classes, full_client, text = out.split("\n", 3)
    assert (whole_client_loaded, same_classes, full_client) == ("False", "True", "True")
    assert text == render_yaml(VALUES)


def test_models_only_loads_the_models_a_render_uses_and_no_http_client() -> None:
    out = run_python(
        f"""
        import sys
        from syntho_ray import render_yaml
        from syntho_ray.k8s import client as k8s
        k8s.load_models_only()
        render_yaml({VALUES!r})
        models = [m for m in sys.modules if m.startswith("kubernetes.client.models.")]
        print(len(models))
        print(sorted(m for m in ("urllib3", "kubernetes.client.configuration") if m in sys.modules))
        """
    )
    models, http = out.split("\n", 1)
    assert 10 < int(models) < 60  # of about 800; the whole client loads every one
    assert http.strip() == "[]"


def test_a_model_built_without_a_configuration_gets_the_clients_once_it_is_loaded() -> None:
    out = run_python(
        """
        from syntho_ray.k8s import client as k8s
        k8s.load_models_only()
        container = k8s.model_class("V1Container")
        print(container(name="a").local_vars_configuration.client_side_validation)
        from kubernetes import client
        default = client.Configuration()
        default.client_side_validation = False
        client.Configuration.set_default(default)
        print(container(name="b").local_vars_configuration.client_side_validation)
        """
    )
    assert out.split() == ["True", "False"]


def test_an_unknown_layout_falls_back_to_the_whole_client() -> None:
    out = run_python(
        f"""
        import re, sys
        from syntho_ray import render_yaml
        from syntho_ray.k8s import client as k8s
        k8s._IMPORT_LINE = re.compile("no such line")
        k8s.load_models_only()
        text = render_yaml({VALUES!r})
        print("kubernetes" in sys.modules)
        sys.stdout.write(text)
        """
    )
    whole_client_loaded, text = out.split("\n", 1)
    assert whole_client_loaded == "True"
    assert text == render_yaml(VALUES)


def test_factories_build_client_models_with_one_shared_configuration() -> None:
    first = k8s.V1Container(name="a")
    second = k8s.V1ObjectMeta(name="b")
    assert isinstance(first, client.V1Container)
    assert first.local_vars_configuration is second.local_vars_configuration
    assert k8s.model_class("V1Container") is client.V1Container


def test_the_collector_is_paused_during_a_render_only() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    render_yaml(VALUES)
    assert gc.isenabled()


def test_a_collector_the_caller_paused_stays_paused() -> None:
    gc.disable()
    try:
        render_yaml(VALUES)
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_cluster_command_loads_only_the_clients_http_side(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n",
        encoding="utf-8",
    )
    out = run_python(
        f"""
        import sys
        from syntho_ray.cluster import operations
        from syntho_ray.cluster.connect import connect
        session = connect({str(config)!r})
        print(session.api.headers())
        whole = ("kubernetes", "kubernetes.client.api", "kubernetes.dynamic", "kubernetes.watch")
        others = ("requests", "requests_oauthlib", "oauthlib.oauth2")
        migrate = ("syntho_ray.cluster.helm_migrate", "syntho_ray.cluster.takeover")
        print(sorted(m for m in (*whole, *others, *migrate) if m in sys.modules))
        import kubernetes
        from kubernetes import config
        print(config.new_client_from_config({str(config)!r}).configuration.host)
        """
    )
    headers, loaded, host = out.splitlines()
    assert headers == "{'authorization': 'Bearer t'}"
    assert loaded == "[]"
    assert host == "http://127.0.0.1:9"  # the client's own ApiClient, once it is wanted


def test_the_cluster_client_falls_back_to_the_whole_client() -> None:
    out = run_python(
        """
        import sys
        from syntho_ray.k8s import client as k8s
        from syntho_ray.cluster import kubeclient
        def broken(*args, **kwargs):
            raise ImportError("an unknown layout")
        k8s.bare_packages = broken
        loaded = kubeclient.client()
        print("kubernetes" in sys.modules, loaded.rest.RESTClientObject.__module__)
        """
    )
    assert out.split() == ["True", "kubernetes.client.rest"]


def test_the_command_line_freezes_what_exists_before_the_interpreter_ends() -> None:
    out = run_python(
        """
        import atexit, gc, sys
        atexit.register(lambda: print(gc.get_freeze_count() > 0))
        sys.argv = ["syntho-ray", "schema"]
        from syntho_ray.cli import main
        print(gc.get_freeze_count() > 0, file=sys.stderr)
        main()
        """
    )
    assert out.splitlines()[-1] == "True"  # the last collections skip the values models
