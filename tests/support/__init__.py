"""Helpers the test modules share; the fixtures are in tests/conftest.py.

`kube_emulator` (the Kubernetes API emulator, with `kube_ssa`'s server-side apply) and
`cluster_setup` (running the command line against it), `schema_check` (the API's and KubeRay's
schemas), `parity` (comparing a render with the Helm chart's), `builders` (each builder's
objects and the values its tests render), `cli_runner` (the command line in-process),
`cli_process` (`python -m syntho_ray` as a real, time- and memory-bounded process), and for
the tests that run real Ray: `ray_venv` (Ray in cached venvs), `kuberay_start` (KubeRay's
`ray start` command lines) and `ray_nodes` (Ray nodes in a loopback-only network namespace).
"""
