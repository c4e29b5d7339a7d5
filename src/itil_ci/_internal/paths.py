"""Paths given to the register, the reports and the readers: checked once, OS errors explained.

A path argument is refused with :class:`~itil_ci.errors.InvalidInputError`
when it cannot name a file at all (not a string or path, empty, a NUL
character, a lone surrogate) or names the wrong kind of thing (a directory
where a file is written, a file where a directory is); what the operating
system refuses while reading or writing (permissions, a read-only or full
disk, a special file) raises :class:`~itil_ci.errors.StorageError` saying
what was being done and where.  Nothing here lets a bare :class:`OSError`
escape.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from itil_ci._internal.validate import fail
from itil_ci.errors import InvalidInputError, StorageError


def check(name: str, value: object) -> Path:
    """``value`` as a :class:`~pathlib.Path`, or InvalidInputError naming ``name``.

    Examples:
        >>> check("path", "out/report.html").name
        'report.html'
        >>> check("path", "a\\x00b")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: path: expected a file path without NUL characters, ...
    """
    if not isinstance(value, str | os.PathLike):
        raise fail(name, "a file path (a string or os.PathLike)", value)
    try:
        text = os.fspath(value)
    except TypeError:  # a PathLike whose __fspath__ returns something else
        raise fail(name, "a file path (a string or os.PathLike)", value) from None
    if not isinstance(text, str):
        raise fail(name, "a file path as text (not bytes)", value)
    if not text:
        raise fail(name, "a non-empty file path", value)
    if "\x00" in text:
        raise fail(name, "a file path without NUL characters", value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise fail(name, "a file path that encodes as UTF-8 (no lone surrogates)", value) from None
    return Path(text)


def _kind(path: Path) -> str:
    """What exists at ``path`` (following links): 'missing', 'file', 'directory' or 'special'."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "missing"
    except NotADirectoryError:
        return "missing"
    except OSError:
        return "special"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    return "special"


def output_file(name: str, value: object) -> Path:
    """A path a file will be written to: not a directory or special file, in a directory.

    Examples:
        >>> import tempfile
        >>> output_file("path", tempfile.gettempdir())
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: path: expected a file to write, got a directory ...
    """
    path = check(name, value)
    kind = _kind(path)
    if kind == "directory":
        raise InvalidInputError(
            f"{name}: expected a file to write, got a directory ({str(path)!r})"
        )
    if kind == "special":
        raise InvalidInputError(
            f"{name}: expected a regular file to write, got {str(path)!r}, which is a device, "
            "pipe, socket or other special file"
        )
    parent = path.parent
    if _kind(parent) != "directory":
        raise InvalidInputError(
            f"{name}: expected a file in an existing directory, got {str(path)!r} "
            f"({str(parent)!r} is not a directory)"
        )
    return path


def os_error(exc: OSError, doing: str, path: Path | str) -> StorageError | InvalidInputError:
    """The library error for an :class:`OSError` raised while ``doing`` something at ``path``.

    Examples:
        >>> import errno
        >>> print(os_error(OSError(errno.ENOSPC, "No space left on device"), "write", "r.csv"))
        'r.csv': cannot write: the disk is full (No space left on device)
    """
    where = repr(str(path))
    why = exc.strerror or str(exc)
    code = exc.errno
    if code in (errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ELOOP):
        return InvalidInputError(f"{where}: cannot {doing}: the path is not usable ({why})")
    if code in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    elif code == errno.EROFS:
        reason = "the file system is read-only"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    elif code == errno.ENOENT:
        reason = "the file or its directory does not exist"
    else:
        reason = "the operating system refused"
    return StorageError(f"{where}: cannot {doing}: {reason} ({why})")
