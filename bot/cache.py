"""Files kept between runs: the validated knowledge and the search index built from it.

Both are msgpack, named by a hash of what they were made from, so a changed input simply finds no file. A
missing, damaged or unwritable cache is never an error: the caller rebuilds and carries on.
"""

from __future__ import annotations

import os
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


def read_cached(path: Path, kind: type[T]) -> T | None:
    """The object stored at `path`, or None when there is none or it does not decode as `kind`."""
    try:
        return msgspec.msgpack.decode(path.read_bytes(), type=kind)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


def write_cached(path: Path, obj: object) -> None:
    """Store `obj` at `path` atomically (a reader never sees half a file); a read-only place is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(msgspec.msgpack.encode(obj))
        os.replace(tmp, path)
    except OSError:
        pass
