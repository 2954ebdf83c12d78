"""A GGUF file's metadata, read from its header (the key/value section only).

Enough to verify a model file before the stack serves it: the magic, the version, and
keys such as ``general.architecture``, ``general.name`` and ``general.file_type``.
Arrays (the tokenizer's vocabulary) are skipped, not decoded.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
# value type -> struct format of a scalar (8: string, 9: array)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}  # fmt: skip
STRING, ARRAY = 8, 9
Scalar = int | float | bool | str


class GGUFError(ValueError):
    """Not a GGUF file, or a header this reader cannot parse."""


def _read(f: BinaryIO, fmt: str) -> tuple[int | float | bool, ...]:
    size = struct.calcsize(fmt)
    raw = f.read(size)
    if len(raw) != size:
        raise GGUFError("the file ends inside its header")
    return struct.unpack(fmt, raw)


def _string(f: BinaryIO) -> str:
    (length,) = _read(f, "<Q")
    if not isinstance(length, int) or length > 1 << 24:
        raise GGUFError("a header string is too long")
    return f.read(length).decode("utf-8", "replace")


def _value(f: BinaryIO, kind: int) -> Scalar | None:
    if kind in _SCALARS:
        return _read(f, _SCALARS[kind])[0]
    if kind == STRING:
        return _string(f)
    if kind == ARRAY:
        inner, count = _read(f, "<IQ")
        assert isinstance(inner, int) and isinstance(count, int)
        if inner in _SCALARS:
            f.seek(struct.calcsize(_SCALARS[inner]) * count, 1)
        else:
            for _ in range(count):
                _value(f, inner)
        return None
    raise GGUFError(f"unknown metadata value type {kind}")


def metadata(path: Path) -> dict[str, Scalar]:
    """The scalar metadata of a GGUF file (``gguf.version`` included)."""
    with path.open("rb") as f:
        if f.read(4) != MAGIC:
            raise GGUFError(f"{path.name} is not a GGUF file")
        version, _tensors, count = _read(f, "<IQQ")
        found: dict[str, Scalar] = {"gguf.version": version}
        assert isinstance(count, int)
        for _ in range(count):
            key = _string(f)
            (kind,) = _read(f, "<I")
            assert isinstance(kind, int)
            value = _value(f, kind)
            if value is not None:
                found[key] = value
        return found
