"""Writing a rendered directory: locked, all or nothing, keeping what the user put there.

The files are written into a hidden staging directory beside the target and swapped into
place. A lock on the parent directory lets one render at a time do this; under it, what a
killed render left beside the target (its staging copy, or the retired old directory) is
removed when every file in it is ours or also in the target. The target keeps its mode;
a new one gets the mode `mkdir` would give it.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from syntho_ray.errors import OutputError
from syntho_ray.output.kustomize import HEADER, Files, keep_user_entries, written_by_us

LOCK_WAIT = 60.0  # seconds another render into the same place may hold the lock


def write_directory(
    files: Files,
    directory: Path,
    *,
    force: bool = False,
    notice: Callable[[str], None] = lambda line: None,
) -> None:
    """Write `files` under `directory` all at once: built aside, then moved into place.

    A directory an earlier render wrote is replaced (files the user added are kept, and so are
    their entries in a kustomization); a non-empty directory of someone else is refused unless
    `force`, and then only our files are written into it. A symbolic link is followed; the
    current directory and mount points, which cannot be swapped, get each file replaced in
    place instead.
    """
    target = _resolved(directory)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.parent, directory, notice):
            _remove_leftovers(target)
            _write_locked(files, target, directory, force=force)
    except OSError as exc:
        raise OutputError(f"cannot write {directory}: {exc.strerror or exc}") from None


def _resolved(directory: Path) -> Path:
    try:
        target = Path(directory).resolve()
    except RuntimeError:  # Python 3.11 and 3.12 raise this for a loop
        raise OutputError(f"{directory} is a loop of symbolic links") from None
    if target == Path(target.anchor):
        raise OutputError(f"{directory} is the root directory; choose a directory of its own")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{directory} exists and is not a directory")
    return target


def _write_locked(files: Files, target: Path, shown: Path, *, force: bool) -> None:
    previous = written_by_us(target) if target.exists() else set()
    if not previous and not force and _first_entry(target):
        raise OutputError(
            f"{shown} is not empty and was not written by syntho-ray "
            f"(it has {_first_entry(target)}); choose another directory or use --force"
        )
    files = keep_user_entries(files, target, previous)
    foreign = _foreign_files(target, previous)
    in_place = target.exists() and (target == Path.cwd().resolve() or target.is_mount())
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for rel, (text, mode) in sorted(files.items()):
            _write(staging / rel, text, mode)
        if in_place:
            _replace_files(staging, target, stale=previous - set(files))
        else:
            for rel in (f for f in foreign if f not in files):
                _copy(target / rel, staging / rel)
            staging.chmod(_mode_of(target))
            _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _first_entry(directory: Path) -> str | None:
    """Any entry of `directory` (None if it is empty or absent), without listing it all."""
    if not directory.is_dir():
        return None
    with os.scandir(directory) as entries:
        return next((entry.name for entry in entries), None)


@contextmanager
def _locked(parent: Path, shown: Path, notice: Callable[[str], None]) -> Iterator[None]:
    """An exclusive lock on `parent`, waited for at most LOCK_WAIT seconds."""
    descriptor = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"another syntho-ray render into {shown} held its lock for over "
                        f"{LOCK_WAIT:g}s; try again when it is done"
                    ) from None
                if not told:
                    notice(f"waiting for another syntho-ray render into {shown} to finish")
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _remove_leftovers(target: Path) -> None:
    """Remove what killed renders left beside `target`, where nothing of value is lost."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:old\.)?[a-z0-9_]{{8}}")
    for entry in target.parent.iterdir():
        leftover = pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()
        if leftover and _only_ours(entry, target):
            shutil.rmtree(entry, ignore_errors=True)


def _only_ours(leftover: Path, target: Path) -> bool:
    """Whether each file in `leftover` is one we wrote, or has the same copy in `target`."""
    for path in leftover.rglob("*"):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return False
        if path.is_dir():
            continue
        content = path.read_bytes()
        copy = target / path.relative_to(leftover)
        if not content.startswith(HEADER.encode()) and not (
            copy.is_file() and copy.read_bytes() == content
        ):
            return False
    return True


def _mode_of(target: Path) -> int:
    """The target's mode, or for a new directory the one `mkdir` gives (0777 less the umask)."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


def _replace_files(staging: Path, target: Path, *, stale: set[str]) -> None:
    """Move each staged file over its counterpart, then remove what an earlier render left."""
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        destination = target / path.relative_to(staging)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
    for rel in stale:
        (target / rel).unlink(missing_ok=True)


def _foreign_files(directory: Path, ours: set[str]) -> list[str]:
    if not directory.is_dir():
        return []
    found = [
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() or p.is_symlink()
    ]
    return sorted(f for f in found if f not in ours)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target, follow_symlinks=False)


def _write(path: Path, text: list[str], mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(text)
    path.chmod(mode)


def _swap(staging: Path, directory: Path) -> None:
    if not directory.exists():
        staging.rename(directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    retired.rmdir()
    directory.rename(retired)
    try:
        staging.rename(directory)
    except OSError:
        retired.rename(directory)
        raise
    shutil.rmtree(retired, ignore_errors=True)
