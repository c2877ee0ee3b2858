"""Files kept between runs: the validated knowledge and the search index built from it.

Both are msgpack, named by a hash of what they were made from, so a changed input simply finds no file. A
missing, damaged or unwritable cache is never an error: the caller rebuilds and carries on.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import msgspec

T = TypeVar("T")


def cache_dir() -> Path:
    """Where validated knowledge and the search index built from it are kept between runs."""
    env = os.environ.get("STATUSBOT_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "statusbot"


@contextmanager
def _ctrl_c_waits() -> Iterator[None]:
    """Hold Ctrl-C back until msgspec is done: a KeyboardInterrupt raised in the middle of a decode crashes the
    interpreter (a segmentation fault, seen with msgspec 0.19 when `statusbot ask` was interrupted while it read
    the cache). The signal is delivered, and handled as usual, the moment the block ends."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def read_cached(path: Path, kind: type[T]) -> T | None:
    """The object stored at `path`, or None when there is none or it does not decode as `kind`."""
    try:
        data = path.read_bytes()
        with _ctrl_c_waits():
            return msgspec.msgpack.decode(data, type=kind)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


def write_cached(path: Path, obj: object) -> None:
    """Store `obj` at `path` atomically (a reader never sees half a file); a read-only place is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with _ctrl_c_waits():
            data = msgspec.msgpack.encode(obj)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass
