"""Open a source file as XML streams: each .xml member of a .zip, or the .xml file itself (no Django)."""

import os
import zipfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def xml_streams(path: str | os.PathLike, error: type[Exception]):
    """Yield an iterator of (display name, binary stream); faults raise `error(file name, reason)`."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise error(name, "file not found")
    if path.stat().st_size == 0:
        raise error(name, "file is empty")
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as fault:
            raise error(name, f"not a readable zip, truncated or corrupt ({fault})") from None
        with archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
            if not members:
                raise error(name, "zip holds no .xml file")

            def streams():
                for member in members:
                    with archive.open(member) as stream:
                        yield f"{name}:{member.filename}", stream

            yield streams()
    else:
        with open(path, "rb") as stream:
            yield iter([(name, stream)])
