"""Opening files so that no file is ever destroyed and nothing waits for ever.

Outputs (``-o``): a new name, or an existing *regular* file, is written. Anything else is
refused before a byte is written or truncated:

- a symbolic link (we do not guess whether the link or its target was meant; give the real path),
- a FIFO, a device (``/dev/null``, ``/dev/sda``), a socket or a folder (writing to stdout is
  what leaving out ``-o`` is for),
- the same file as an input, compared by device and inode (so a hard link or another spelling of
  the input's path is caught, not only an identical path).

Files written whole are written to a temporary file beside the target and renamed over it, so
a full disk or a kill leaves the old file or the new one, never half of one. The batch's JSONL
output is opened without truncation (``O_NOFOLLOW | O_NONBLOCK``), checked with ``fstat``, and
only then truncated, so the checks and the file written are the same file.

Inputs: only regular files (or ``-`` for stdin) are read; a FIFO or a device as input would
block for ever or never end, so it is refused. Reads are bounded in size.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from advisor.errors import AdvisorError, os_error_text

Identity = tuple[int, int]


class UnsafePathError(AdvisorError):
    """A path was refused before anything was opened for writing (exit 2: invalid input)."""

    def __init__(self, path: str | Path, en: str, zh: str) -> None:
        self.path = str(path)
        self.en = en
        self.zh = zh
        super().__init__(f"{path}: {en}")


class OutputError(AdvisorError):
    """Writing failed (disk full, permission denied, read-only); nothing half-written is left."""


def identity(path: str | Path) -> Identity | None:
    """(st_dev, st_ino) of the file ``path`` names (following links), or None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def identities(paths: Iterable[str | Path]) -> set[Identity]:
    """The identities of those of ``paths`` that exist."""
    return {i for p in paths if (i := identity(p)) is not None}


_SAME_AS_INPUT = (
    "is the input file itself (the same file, perhaps a hard link); nothing was written",
    "就是输入文件本身（同一文件，可能是硬链接）；未写入任何内容",
)


def _kind(mode: int) -> tuple[str, str]:
    if stat.S_ISDIR(mode):
        return "is a folder; give a file name", "是文件夹，请给出文件名"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file", "是命名管道（FIFO），不是普通文件"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file", "是设备文件，不是普通文件"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file", "是套接字，不是普通文件"
    return "is not a regular file", "不是普通文件"


def check_output(path: str | Path, inputs: Iterable[Identity] = ()) -> None:
    """Refuse an output path that is not a new name or an existing regular file of its own.

    Raises UnsafePathError (or OutputError when the folder is missing); touches nothing.
    """
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        folder = p.parent if str(p.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"cannot write {p}: the folder {folder} does not exist") from None
        return
    except OSError as exc:
        raise UnsafePathError(p, os_error_text(exc), "无法访问该路径") from None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(
            p,
            "is a symbolic link; give the path of the file itself (nothing was written)",
            "是符号链接，请直接给出文件本身的路径（未写入任何内容）",
        )
    if not stat.S_ISREG(st.st_mode):
        en, zh = _kind(st.st_mode)
        raise UnsafePathError(p, en + " (nothing was written)", zh + "（未写入任何内容）")
    if (st.st_dev, st.st_ino) in set(inputs):
        raise UnsafePathError(p, *_SAME_AS_INPUT)


def write_atomic(path: str | Path, data: str | bytes, inputs: Iterable[Identity] = ()) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file + rename).

    Raises UnsafePathError (see ``check_output``) or OutputError (disk full, permission...).
    """
    inputs = set(inputs)
    check_output(path, inputs)
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        if target.exists():
            mode = target.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, mode)
        check_output(target, inputs)  # the name may have changed meanwhile
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {os_error_text(exc)}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def open_output_fd(path: str | Path, inputs: Iterable[Identity] = (), append: bool = False) -> int:
    """Open ``path`` for writing whole lines (the batch's JSONL), checked before truncation.

    ``append`` keeps the content (``--resume``); otherwise the file is emptied, but only after
    ``fstat`` has shown that the very file opened is a regular file and not an input.
    """
    inputs = set(inputs)
    check_output(path, inputs)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    if append:
        flags |= os.O_APPEND
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO):  # a link or a FIFO slipped in meanwhile
            check_output(path, inputs)
        raise OutputError(f"cannot write {path}: {os_error_text(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            en, zh = _kind(st.st_mode)
            raise UnsafePathError(path, en + " (nothing was written)", zh + "（未写入任何内容）")
        if (st.st_dev, st.st_ino) in inputs:
            raise UnsafePathError(path, *_SAME_AS_INPUT)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        if not append:
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_input(path: str | Path) -> os.stat_result:
    """Refuse an input that is not a regular file (a FIFO would block, a device never end)."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise UnsafePathError(p, "no such file", "文件不存在") from None
    except OSError as exc:
        raise UnsafePathError(p, os_error_text(exc), "无法读取文件") from None
    if not stat.S_ISREG(st.st_mode):
        en, zh = _kind(st.st_mode)
        raise UnsafePathError(p, en, zh)
    return st


def open_input(path: str | Path) -> int:
    """Open a regular file for reading without ever blocking on a FIFO; return the descriptor."""
    check_input(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UnsafePathError(path, os_error_text(exc), "无法读取文件") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped for a FIFO between the check and the open
            en, zh = _kind(st.st_mode)
            raise UnsafePathError(path, en, zh)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bounded(path: str | Path, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of a regular file (the caller refuses more than ``limit``)."""
    fd = open_input(path)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit + 1)
