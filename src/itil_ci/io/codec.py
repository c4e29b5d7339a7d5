"""One cattrs converter for every domain object, and JSON on top of it.

Documents are plain JSON data: enums as their string values, datetimes as
ISO-8601 strings in UTC, dates as ``YYYY-MM-DD``, a :class:`~itil_ci.Series`
as two lists (times as ISO-8601 UTC strings with nanoseconds, values as
numbers with ``null`` for a missing value), numpy arrays in result records as
lists.  The top-level document carries ``schema_version`` and ``type``.

Decoding is strict and never executes anything: numbers must be JSON numbers
(``"1.5"`` is not a number), unknown fields are rejected, and every problem
is reported with the path of the bad field, e.g.
``initiative.kpis[2].target.value: expected a number, got 'abc'``.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
import numpy as np
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from itil_ci._internal.validate import fail, whole
from itil_ci.errors import DecodeError, InvalidInputError
from itil_ci.io._codec_values import Problem, describe
from itil_ci.io._codec_values import register as register_values

__all__ = ["SCHEMA_VERSION", "converter", "from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")

#: Version of the document format written by this library.
SCHEMA_VERSION = 1


# --- containers and objects (through the converter) ----------------------------------


def _u_frozenset(value: frozenset[Any]) -> list[Any]:
    items = [converter.unstructure(x) for x in value]
    return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))


def _is_frozenset(tp: Any) -> bool:
    return bool(tp is frozenset or typing.get_origin(tp) is frozenset)


_CONTAINERS = {list: list, tuple: tuple, set: set, frozenset: frozenset}


def _is_container(tp: Any) -> bool:
    return typing.get_origin(tp) in _CONTAINERS or typing.get_origin(tp) is dict


def _element_error(exc: Exception, index: int | str, tp: Any, elem: Any) -> Exception:
    note = IterableValidationNote(f"Structuring {tp} @ index {index!r}", index, elem)
    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
    return exc


def _container_structure_factory(tp: Any) -> Callable[[Any, Any], Any]:
    """Strict lists, tuples, sets and dicts: a JSON array (or object) and nothing else.

    cattrs' own hooks accept any iterable, so the string ``"mttr"`` for a
    list of KPI keys became ``['m', 't', 't', 'r']``; here a list-typed field
    needs a JSON array and a dict-typed field a JSON object.  Elements are
    structured by the converter, and their errors keep their index for the
    path of the DecodeError.
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is dict:
        key_t, val_t = args if len(args) == 2 else (Any, Any)

        def structure_dict(value: Any, _: Any) -> dict[Any, Any]:
            if not isinstance(value, dict):
                raise Problem(f"expected an object, got {describe(value)}")
            out: dict[Any, Any] = {}
            errors: list[Exception] = []
            for k, item in value.items():
                try:
                    out[converter.structure(k, key_t)] = converter.structure(item, val_t)
                except Exception as exc:
                    errors.append(_element_error(exc, k, tp, val_t))
            if errors:
                raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
            return out

        return structure_dict
    make = _CONTAINERS[origin]
    fixed = origin is tuple and not (len(args) == 2 and args[1] is Ellipsis)

    def structure_items(value: Any, _: Any) -> Any:
        if not isinstance(value, list | tuple):  # a JSON array (a tuple from to_dict)
            raise Problem(f"expected a list, got {describe(value)}")
        if fixed and len(value) != len(args):
            raise Problem(f"expected a list of {len(args)} items, got {describe(value)}")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            elem = args[i] if fixed else (args[0] if args else Any)
            try:
                out.append(converter.structure(item, elem))
            except Exception as exc:
                errors.append(_element_error(exc, i, tp, elem))
        if errors:
            raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
        return make(out)

    return structure_items


def _is_own_codec(tp: Any) -> bool:
    """Classes that write and read themselves (``to_dict``/``from_dict``), imported lazily."""
    return isinstance(tp, type) and (tp.__module__, tp.__name__) in (
        ("itil_ci.measurement.calendar", "BusinessCalendar"),
        ("itil_ci.measurement.sla_definition", "SLADefinition"),
    )


def _u_own(value: Any) -> dict[str, Any]:
    data = value.to_dict()
    assert isinstance(data, dict)
    return data


def _own_structure_factory(tp: Any) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        try:
            return tp.from_dict(value)
        except InvalidInputError as exc:
            raise Problem(str(exc)) from None

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    register_values(conv)
    conv.register_unstructure_hook_func(_is_frozenset, _u_frozenset)
    conv.register_structure_hook_factory(_is_container, _container_structure_factory)
    conv.register_unstructure_hook_func(_is_own_codec, _u_own)
    conv.register_structure_hook_factory(_is_own_codec, _own_structure_factory)
    return conv


#: The one converter. Use :func:`to_dict`/:func:`from_dict` rather than calling it directly.
converter = _make_converter()


# --- error paths -------------------------------------------------------------------


def _join(path: str, message: str) -> str:
    if message.startswith((".", "[")):
        head, sep, rest = message.partition(": ")
        return f"{path}{head}{sep}{rest}" if sep else f"{path}{message}"
    return f"{path}: {message}"


def _leaf(exc: BaseException, path: str, cls_name: str | None) -> list[str]:
    if isinstance(exc, ForbiddenExtraKeysError):
        return [f"{path}: unknown field(s) {sorted(exc.extra_fields)}"]
    if isinstance(exc, Problem):
        return [_join(path, str(exc))]
    if isinstance(exc, InvalidInputError):
        message = str(exc)
        # Validator messages start with "Class.field" (or "Class.field[i]"): re-root them.
        m = re.match(r"^([A-Z]\w*)\.([\w\[\]'\".]+(?: \(keys\))?(?: key)?):\s(.*)$", message)
        if m and (cls_name is None or m.group(1) == cls_name):
            return [f"{path}.{m.group(2)}: {m.group(3)}"]
        return [f"{path}: {message}"]
    if isinstance(exc, KeyError):
        key = str(exc.args[0]) if exc.args else "?"
        where = path if path.endswith(f".{key}") else f"{path}.{key}"
        return [f"{where}: required field is missing"]
    if isinstance(exc, TypeError) and "missing" in str(exc) and "argument" in str(exc):
        names = re.findall(r"'(\w+)'", str(exc))
        return [f"{path}.{n}: required field is missing" for n in names] or [f"{path}: {exc}"]
    return [f"{path}: {type(exc).__name__}: {exc}"]


def _problems(exc: BaseException, path: str, cls_name: str | None = None) -> list[str]:
    if isinstance(exc, ClassValidationError):
        with_notes, others = exc.group_exceptions()
        out: list[str] = []
        for sub, note in with_notes:
            sub_cls = _type_name(note.type)
            out += _problems(sub, f"{path}.{note.name}", sub_cls)
        for sub in others:
            out += _problems(sub, path, cls_name)
        return out
    if isinstance(exc, IterableValidationError):
        with_notes_i, others_i = exc.group_exceptions()
        out = []
        for sub, inote in with_notes_i:
            idx = inote.index
            out += _problems(
                sub,
                f"{path}[{idx!r}]" if isinstance(idx, str) else f"{path}[{idx}]",
                _type_name(inote.type),
            )
        for sub in others_i:
            out += _problems(sub, path, cls_name)
        return out
    if isinstance(exc, BaseValidationError):
        return [p for sub in exc.exceptions for p in _problems(sub, path, cls_name)]
    return _leaf(exc, path, cls_name)


def _type_name(tp: Any) -> str | None:
    return tp.__name__ if isinstance(tp, type) and attrs.has(tp) else None


def _root_name(cls: Any) -> str:
    name = getattr(cls, "__name__", "document")
    if name.isupper():
        return name.lower()
    # "SLADefinition" -> "sla_definition", "PDCARecord" -> "pdca_record", "Opportunity" -> ...
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


# --- public API ---------------------------------------------------------------------


def to_dict(obj: Any) -> dict[str, Any]:
    """Turn a domain or result object into plain JSON data.

    The top-level document carries ``schema_version`` and ``type``.

    Examples:
        >>> from itil_ci import KPI
        >>> d = to_dict(KPI("mttr", direction="lower"))
        >>> d["schema_version"], d["type"], d["direction"]
        (1, 'KPI', 'lower-is-better')
    """
    if not attrs.has(type(obj)):
        raise fail("obj", "an itil_ci domain or result object (an attrs class)", obj)
    data = converter.unstructure(obj)
    assert isinstance(data, dict)
    return {"schema_version": SCHEMA_VERSION, "type": type(obj).__name__, **data}


def from_dict(data: Any, cls: type[T]) -> T:
    """Rebuild an object of ``cls`` from :func:`to_dict` output.

    Raises :class:`~itil_ci.errors.DecodeError` naming the path of every bad
    field.

    Examples:
        >>> from itil_ci import KPI
        >>> from_dict(to_dict(KPI("mttr")), KPI).key
        'mttr'
        >>> from_dict({"schema_version": 1, "key": "x", "unit": 3}, KPI)
        Traceback (most recent call last):
        ...
        itil_ci.errors.DecodeError: kpi.unit: expected a string, got 3
    """
    root = _root_name(cls)
    if not isinstance(data, dict):
        raise DecodeError([f"{root}: expected an object, got {describe(data)}"])
    body = dict(data)
    version = body.pop("schema_version", None)
    if version is None:
        raise DecodeError([f"{root}.schema_version: required field is missing"])
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DecodeError(
            [f"{root}.schema_version: expected a whole number >= 1, got {describe(version)}"]
        )
    if version > SCHEMA_VERSION:
        raise DecodeError(
            [
                f"{root}.schema_version: this library reads documents up to version "
                f"{SCHEMA_VERSION}, got {version} (upgrade itil_ci)"
            ]
        )
    kind = body.pop("type", None)
    name = getattr(cls, "__name__", None)
    if kind is not None and (not isinstance(kind, str) or kind != name):
        raise DecodeError([f"{root}.type: expected {name!r}, got {describe(kind)}"])
    try:
        return converter.structure(body, cls)
    except DecodeError:
        raise
    except Exception as exc:  # every failure becomes one DecodeError with paths
        raise DecodeError(_problems(exc, root, name)) from None


def _reject_constant(name: str) -> float:
    raise DecodeError([f"document: {name} is not valid JSON (use null for a missing value)"])


def _plain(value: object) -> object:
    """``json.dumps`` fallback: numpy scalars as the Python numbers they hold."""
    if isinstance(value, np.integer | np.floating | np.bool_):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialise ``obj`` to a JSON string (see :func:`to_dict`).

    A field holding something JSON cannot carry (an object, NaN, an
    infinity: possible only by changing a dict or list inside an object
    after it was built) is an :class:`~itil_ci.errors.InvalidInputError`.

    Examples:
        >>> from itil_ci import Target
        >>> to_json(Target(4.0, due="2027-01-31"))
        '{"schema_version": 1, "type": "Target", "value": 4.0, "due": "2027-01-31", ...}'
    """
    if indent is not None:
        whole("indent", indent, minimum=0)
        if indent > 64:
            raise fail("indent", "None or a whole number from 0 to 64", indent)
    data = to_dict(obj)
    try:
        return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False, default=_plain)
    except (TypeError, ValueError, RecursionError) as exc:
        raise fail("obj", "an object whose fields are all JSON data", f"{exc}") from None


#: How deeply a document may nest arrays and objects (the library's own nest about 8 deep).
_MAX_DEPTH = 100

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= _MAX_DEPTH:
        return 0  # too few brackets to be too deep: skip the scan
    bare = _JSON_STRING.sub("", text).encode("utf-8", "surrogatepass")
    b = np.frombuffer(bare, dtype=np.uint8)
    step = (b == ord("[")).astype(np.int64) + (b == ord("{"))
    step -= (b == ord("]")).astype(np.int64) + (b == ord("}"))
    return int(np.cumsum(step).max(initial=0))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DecodeError(
                [f"document: the key {describe(key)} appears twice in one object (must be unique)"]
            )
        out[key] = value
    return out


def from_json(text: str | bytes, cls: type[T]) -> T:
    """Parse a JSON document written by :func:`to_json` into ``cls``.

    ``text`` is a string, or bytes in UTF-8 (a leading byte-order mark is
    allowed).  A document that is not valid JSON, not UTF-8, nested more than
    100 levels deep, or that repeats a key inside one object
    raises :class:`~itil_ci.errors.DecodeError` (JSON parsers disagree on
    which of two equal keys wins, so neither is chosen).

    Examples:
        >>> from itil_ci import Opportunity
        >>> opp = Opportunity(title="Self-service password reset")
        >>> from_json(to_json(opp), Opportunity) == opp
        True
        >>> from_json('{"schema_version": 1, "title": "x", "effort": "abc"}', Opportunity)
        Traceback (most recent call last):
        ...
        itil_ci.errors.DecodeError: opportunity.effort: expected a number, got 'abc'
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                [f"document: not UTF-8 (byte {exc.start} is {text[exc.start : exc.start + 1]!r})"]
            ) from None
    if not isinstance(text, str):
        raise fail("text", "a JSON string (str, or UTF-8 bytes)", text)
    if _depth(text) > _MAX_DEPTH:
        raise DecodeError([f"document: nested more than {_MAX_DEPTH} levels deep"])
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except DecodeError:
        raise
    except json.JSONDecodeError as exc:
        raise DecodeError(
            [f"document: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise DecodeError([f"document: nested more than {_MAX_DEPTH} levels deep"]) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise DecodeError([f"document: not valid JSON ({exc})"]) from None
    return from_dict(data, cls)
