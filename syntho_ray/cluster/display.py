"""Progress while waiting: redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

from typing import TextIO

from syntho_ray.cluster.wait import Readiness

_UP_AND_CLEAR = "\x1b[{n}F\x1b[J"  # cursor up n lines to column 1, clear to the end


class LiveDisplay:
    """A `Progress` callback: one line per object being waited for."""

    def __init__(self, stream: TextIO, *, live: bool | None = None) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self._drawn = 0
        self._printed: dict[str, str] = {}

    def __call__(self, states: list[Readiness]) -> None:
        lines = [state.line() for state in states]
        if self.live:
            self._redraw(lines)
        else:
            self._print_changes(states)
        self.stream.flush()

    def _redraw(self, lines: list[str]) -> None:
        if self._drawn:
            self.stream.write(_UP_AND_CLEAR.format(n=self._drawn))
        self.stream.write("".join(f"{line}\n" for line in lines))
        self._drawn = len(lines)

    def _print_changes(self, states: list[Readiness]) -> None:
        for state in states:
            key, line = str(state.ref), state.line()
            if self._printed.get(key) != line and state.detail != "waiting":
                self.stream.write(f"{line}\n")
                self._printed[key] = line
