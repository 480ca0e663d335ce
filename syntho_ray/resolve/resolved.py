"""`Resolved`: the settings of a release in the one shape the builders read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from syntho_ray.facts.charts import ChartFacts
from syntho_ray.k8s import client
from syntho_ray.values.shared import enabled_groups

if TYPE_CHECKING:
    from syntho_ray.values.model114 import Values114, WorkerGroup114
    from syntho_ray.values.shared import StartParam

SECRET_NAME = "ray-secret"
SECRET_KEY = "license_key"
LICENSE_ENV = "LICENSE_KEY_SIGNED"


@dataclass(frozen=True)
class Resolved:
    """Every setting of a release in the 1.14 layout, and its chart generation's facts."""

    values: Values114
    facts: ChartFacts
    kuberay: str  # the KubeRay release rendered for

    @property
    def secret_name(self) -> str:
        """The Secret the Ray pods read the license from."""
        return self.values.manual_secret_name or SECRET_NAME

    def worker_groups(self) -> list[tuple[str, WorkerGroup114]]:
        """(name, group) of every enabled group: extra groups by name, then the default one."""
        cluster = self.values.cluster
        worker: WorkerGroup114 | None = cluster.worker
        name = cluster.worker.group_name if cluster.worker else None
        return enabled_groups(cluster.additional_worker_groups, worker, name)


def license_env(secret_name: str) -> client.V1EnvVar:
    """`LICENSE_KEY_SIGNED` from the license Secret."""
    return client.V1EnvVar(
        name=LICENSE_ENV,
        value_from=client.V1EnvVarSource(
            secret_key_ref=client.V1SecretKeySelector(name=secret_name, key=SECRET_KEY)
        ),
    )


def go_text(value: StartParam) -> str:
    """A scalar as Helm's `quote` prints it (Go's `fmt.Sprint`), integers in full."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """Go's `%v` for a float64: shortest digits, exponent form below 1e-4 and from 1e6."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if value == 0:
        return "0"
    number = Decimal(repr(abs(value))).normalize()
    digits = "".join(map(str, number.as_tuple().digits))
    exponent = len(digits) - 1 + int(number.as_tuple().exponent)
    sign = "-" if value < 0 else ""
    if -4 <= exponent < 6:
        return sign + format(number, "f")
    fraction = f".{digits[1:]}" if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{fraction}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
