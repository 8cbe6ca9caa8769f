"""A zip archive written to a stream: each member's bytes are yielded as soon as it is added.

`zipfile` supports unseekable outputs (it writes data descriptors), so handing it a sink that only
appends lets an export stream a zip of any size without a temporary file. Member timestamps are fixed so
that the same content always gives the same bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


class _Sink:
    """Unseekable file-like object that collects written bytes until drained."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


class ZipStream:
    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)

    def add(self, name: str, data: bytes) -> Iterator[bytes]:
        info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data)
        yield self._sink.drain()

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._sink.drain()
