"""Write real zip bombs for tests, streaming and small on disk: head + filler * count + tail in one deflated entry.

Each filler block is deflated once after a full flush (which resets the compressor's history), so every
later copy of it deflates to the very same bytes: 2 GiB of XML is written as 2 MB in about a second, and
the result is an ordinary ZIP64 archive that Python's zipfile (and unzip) read and check by CRC.
"""

import struct
import zlib
from pathlib import Path

ZIP64 = 0xFFFFFFFF


def _deflated(compressor, data: bytes) -> bytes:
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def zip_bomb_write(path: Path, member: str, head: bytes, filler: bytes, count: int, tail: bytes) -> int:
    """Write `path` holding `member` = head + filler * count + tail; return the entry's uncompressed size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = _deflated(compressor, head)
    block = _deflated(compressor, filler)
    again = _deflated(compressor, filler)
    assert block == again, "a filler block must deflate to the same bytes after a full flush"
    last = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(filler) * count + len(tail)
    compressed = len(first) + len(block) * count + len(last)
    name = member.encode()
    sizes = struct.pack("<HHQQ", 0x0001, 16, size, compressed)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, ZIP64, ZIP64, len(name), len(sizes))
    with open(path, "wb") as out:
        out.write(local + name + sizes)
        out.write(first)
        for _ in range(count):
            out.write(block)
        out.write(last)
        directory_at = out.tell()
        central = struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, ZIP64, ZIP64, len(name), len(sizes), *[0] * 5
        )
        out.write(central + name + sizes)
        directory_size = out.tell() - directory_at
        end64_at = out.tell()
        out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, directory_size, directory_at))
        out.write(struct.pack("<IIQI", 0x07064B50, 0, end64_at, 1))
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, directory_size, directory_at, 0))
    return size
