"""The errors syntho-ray reports to its users."""

from __future__ import annotations

from dataclasses import dataclass

# A place in the values: keys and list indexes from the top, ("head", "ports", 0, "name").
KeyPath = tuple[str | int, ...]

# The exit codes of every command, in one place (the README's "Exit codes" table is this one).
OK = 0
FAILED = 1  # the values, the cluster or the output: one line per problem on stderr
USAGE = 2  # the command line itself
DIFFERS = 1  # `diff` only: the cluster differs from the render (as `kubectl diff`)
DIFF_FAILED = 2  # `diff` only: any error, so that 1 keeps meaning "differs"
EXIT_CODES = {
    OK: "Done. `diff`: no differences.",
    FAILED: (
        "An error in the values, the cluster or the output (with `--strict`, a warning), one "
        "line per problem on stderr; `apply --wait`: not ready in time; `status`: the release "
        "is not installed. `diff`: differences."
    ),
    USAGE: "A wrong command line. `diff`: any error.",
}


class SynthoRayError(Exception):
    """Base of every error the command line reports without a traceback."""

    exit_code = FAILED

    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(self)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the values: where it came from, its key path, what is wrong.

    `line` and `column` (1-based) are None where no file says them: values given as data
    (`values_from_mapping`), the chart's defaults, or a key no file wrote.
    """

    source: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """`file:line:column`, as far as known."""
        parts = [self.source] + [str(n) for n in (self.line, self.column) if n]
        return ":".join(parts)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.source else ""
        return f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"


class ValuesError(SynthoRayError):
    """The values cannot be rendered; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))

    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]


class UsageError(SynthoRayError):
    """The command line itself is wrong."""

    exit_code = USAGE


class OutputError(SynthoRayError):
    """The output could not be written."""


class ClusterError(SynthoRayError):
    """Talking to the cluster failed, or the cluster is not ready for the release."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def lines(self) -> list[str]:
        """One line per problem."""
        return list(self.problems)
