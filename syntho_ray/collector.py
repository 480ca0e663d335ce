"""Python's cycle collector, paused while syntho-ray builds many objects that form no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the block or the decorated function; refcounting still frees.

    Reading, validating and rendering values make many objects that live until the end and
    form no cycles. The collector's full passes over them found nothing and, with a thousand
    worker groups, took about half of the time, growing faster than the groups. Mercurial's
    `util.nogc` does the same for its parsers. A collector the caller paused stays paused.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_for_exit() -> None:
    """The process is about to end: the interpreter's last collections skip what exists now.

    On exit the interpreter runs the collector over every object left, and the values
    models' validators made by pydantic are many: a third of a second of each command that
    loads them, after its work is done. Frozen objects are not collected; the process's end
    frees them all the same.
    """
    gc.freeze()
