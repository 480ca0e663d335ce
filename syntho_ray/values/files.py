"""The user's input files, read safely: regular files only, sizes checked before reading.

A device (`/dev/zero`), a FIFO or a directory is refused at once, without waiting for a
writer; a file over its limit is refused from its size, before a byte is read; standard
input, whose size is unknown, is read up to the limit and refused past it.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import BinaryIO

MIB = 1024 * 1024
VALUES_FILE_LIMIT = 16 * MIB  # a values file (or standard input): 50,000 worker groups fit
SET_FILE_LIMIT = 1 * MIB  # a --set-file: what a Secret (or any object) can hold
STDIN = "-"

_KINDS = {
    stat.S_ISDIR: "a directory",
    stat.S_ISFIFO: "a FIFO",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


class UnreadableFile(Exception):
    """A file that cannot be read as input; str() says why, without the file's name."""


def read_input(name: str, limit: int) -> bytes:
    """The bytes of regular file `name` (`-`: standard input), at most `limit` of them."""
    if name == STDIN:
        return _read_stream(sys.stdin.buffer, limit)
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror}") from None
    try:
        _check_regular(os.fstat(descriptor), limit)
    except UnreadableFile:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as handle:
        return _read_stream(handle, limit)


def _check_regular(status: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS.items() if test(status.st_mode)), None)
        raise UnreadableFile(f"not a regular file ({kind or 'a special file'})")
    if status.st_size > limit:
        raise UnreadableFile(too_large(limit, status.st_size))


def _read_stream(handle: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes (a buffered read returns as many as asked, or all there is)."""
    try:
        data = handle.read(limit + 1)
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror}") from None
    if len(data) > limit:
        raise UnreadableFile(too_large(limit))
    return data


def too_large(limit: int, size: int | None = None) -> str:
    """The message for an input over its limit."""
    given = f" ({_size(size)})" if size is not None else ""
    return f"larger than the limit of {_size(limit)}{given}"


def _size(count: int) -> str:
    if count >= MIB:
        return f"{count / MIB:g} MiB" if count % MIB == 0 else f"{count / MIB:.1f} MiB"
    return f"{count} bytes"


def decode_text(data: bytes) -> str:
    """UTF-8 text without a leading byte order mark; UnicodeDecodeError if not UTF-8."""
    return data.decode("utf-8-sig")
