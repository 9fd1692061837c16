"""The shared HTTP layer of every source: timeouts, retries with backoff, verified downloads into storage.

Requests go through httpx with ``settings.HTTP_TIMEOUT_SECONDS``; network errors, timeouts, 429 and 5xx
answers are retried as the one ``RetryPolicy`` of ``retry`` says (``settings.HTTP_MAX_RETRIES`` times,
waiting ``settings.HTTP_RETRY_BACKOFF_SECONDS`` doubled at each retry, or what Retry-After asks, at most
300 s), then fail with a ``SourceUnavailable`` that names the URL. Downloads stream to
``<name>.part``, are checked against their MD5 checksum, renamed, and saved through Django's
``default_storage`` (a local folder, or Azure Blob Storage when configured).
"""

import hashlib
import logging
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import httpx
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from .retry import RETRYABLE_STATUS, RetryPolicy

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
USER_AGENT = "marketdata (+https://github.com/marketdata)"

T = TypeVar("T")


class SourceError(Exception):
    """A source could not give what was asked of it."""


class SourceUnavailable(SourceError):
    """A source kept failing (network error, timeout, 429 or 5xx) after every retry."""


class SourceResponseError(SourceError):
    """A source answered, but with something unusable (a 4xx, or a body that is not what it should be)."""


class ChecksumMismatch(SourceError):
    """A downloaded file's MD5 differs from the one its source announced; the file was not kept."""


class RemoteFile(Protocol):
    """What a downloadable file must tell: where it is, where it goes in storage, and its MD5 (may be empty)."""

    download_link: str
    storage_name: str
    checksum: str


@dataclass(frozen=True)
class Download:
    """A plain downloadable file, for sources without a registry of their own (GLEIF, MIC)."""

    download_link: str
    storage_name: str
    checksum: str = ""


def http_client(**kwargs) -> httpx.Client:
    """An httpx client with the configured timeout, following redirects."""
    kwargs.setdefault("timeout", httpx.Timeout(settings.HTTP_TIMEOUT_SECONDS))
    kwargs.setdefault("follow_redirects", True)
    kwargs.setdefault("headers", {"User-Agent": USER_AGENT})
    return httpx.Client(**kwargs)


def http_retrying(url: str, attempt_once: Callable[[], T]) -> T:
    """Run one HTTP exchange with retries on network errors, timeouts, 429 and 5xx; name the URL when giving up.

    ``attempt_once`` performs the whole exchange (request and body) and raises ``httpx.HTTPStatusError``
    or ``httpx.TransportError`` on failure; anything else propagates at once.
    """
    policy = RetryPolicy.from_settings()
    attempts = policy.attempts
    for attempt in range(attempts):
        response = None
        try:
            return attempt_once()
        except httpx.HTTPStatusError as error:
            response = error.response
            if response.status_code not in RETRYABLE_STATUS:
                raise SourceResponseError(f"{url} answered HTTP {response.status_code}") from error
            reason = f"HTTP {response.status_code}"
            last_error: Exception = error
        except httpx.TransportError as error:
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            last_error = error
        if attempt + 1 == attempts:
            raise SourceUnavailable(f"{url} failed after {attempts} attempts; last error: {reason}") from last_error
        delay = policy.delay(attempt)
        if response is not None:
            delay = policy.retry_after(response.headers.get("Retry-After"), delay)
        logger.warning("%s failed (%s); retry %d of %d in %.1fs", url, reason, attempt + 1, attempts - 1, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def http_get_json(url: str, params: dict | None = None, *, client: httpx.Client | None = None):
    """GET a JSON document, retried on transient failures; a body that is not JSON is a SourceResponseError."""

    def attempt_once():
        with http_client() if client is None else nullcontext(client) as http:
            response = http.get(url, params=params)
            response.raise_for_status()
            return response

    response = http_retrying(url, attempt_once)
    try:
        return response.json()
    except ValueError as error:
        raise SourceResponseError(f"{response.url} did not answer JSON: {error}") from error


def file_md5(path: str | os.PathLike) -> str:
    """The hex MD5 digest of a local file."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "md5").hexdigest()


def http_download(url: str, destination: str | os.PathLike, checksum: str = "") -> Path:
    """Stream ``url`` to ``<destination>.part``, verify its MD5 when ``checksum`` is given, rename; return the path.

    Network errors, timeouts, truncated bodies, 429 and 5xx are retried. On a checksum mismatch the partial
    file is deleted and ``ChecksumMismatch`` raised; ``destination`` is never left holding a bad file.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")

    def attempt_once() -> str:
        digest = hashlib.md5()
        try:
            with http_client() as http, http.stream("GET", url) as response:
                response.raise_for_status()
                with open(part, "wb") as handle:
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        handle.write(chunk)
                        digest.update(chunk)
                expected_size = response.headers.get("Content-Length", "")
                if expected_size.isdigit() and response.num_bytes_downloaded < int(expected_size):
                    raise httpx.RemoteProtocolError(
                        f"body truncated at {response.num_bytes_downloaded} of {expected_size} bytes"
                    )
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return digest.hexdigest()

    actual = http_retrying(url, attempt_once)
    if checksum and actual.lower() != checksum.strip().lower():
        part.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{url}: MD5 {actual} does not match the announced checksum {checksum}; the download was deleted"
        )
    os.replace(part, destination)
    return destination


def storage_local_path(storage_name: str) -> str:
    """A local path to read a stored file from: its own path in local storage, else a cached copy."""
    try:
        return default_storage.path(storage_name)
    except NotImplementedError:
        pass
    cached = _cache_path(storage_name)
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_name(cached.name + ".part")
        with default_storage.open(storage_name, "rb") as source, open(part, "wb") as target:
            for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
                target.write(chunk)
        os.replace(part, cached)
    return str(cached)


def local_path(path_or_storage_name: str) -> str:
    """A local path for an existing local file, or for a file kept in storage under that name."""
    if Path(path_or_storage_name).is_file():
        return str(path_or_storage_name)
    if not default_storage.exists(path_or_storage_name):
        raise FileNotFoundError(f"{path_or_storage_name}: neither a local file nor a file in storage")
    return storage_local_path(path_or_storage_name)


def _cache_root() -> Path:
    """The folder of local copies of files kept in remote storage."""
    return Path(settings.MEDIA_ROOT) / "cache"


def _cache_path(storage_name: str) -> Path:
    """Where a remote storage's file is copied for local reading (under MEDIA_ROOT/cache)."""
    return _cache_root() / storage_name


def download_cache_prune(older_than_days: float) -> list[Path]:
    """Delete local copies of stored files (MEDIA_ROOT/cache) written more than `older_than_days` ago; their paths.

    The files stay in storage: a later load copies them again. Empty folders left behind are removed too.
    """
    root = _cache_root()
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_days * 86400
    removed = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            removed.append(path)
    for folder in sorted((path for path in root.rglob("*") if path.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


def file_download(remote: RemoteFile) -> str:
    """Download a file, verify its MD5, save it in storage under ``remote.storage_name``; return a local path.

    With local storage the file is written in place and its storage path returned. With remote storage
    (Azure Blob Storage) the verified file is uploaded and a local copy kept under MEDIA_ROOT/cache for
    the parser. A file already present with the announced checksum is not downloaded again.
    """
    name = remote.storage_name
    try:
        local = Path(default_storage.path(name))
        is_local = True
    except NotImplementedError:
        local, is_local = _cache_path(name), False
    if remote.checksum and local.exists() and file_md5(local) == remote.checksum.strip().lower():
        logger.info("%s already downloaded with checksum %s", name, remote.checksum)
        if not is_local and not default_storage.exists(name):
            _storage_save(name, local)
        return str(local)
    http_download(remote.download_link, local, remote.checksum)
    if not is_local:
        _storage_save(name, local)
    logger.info("downloaded %s to storage as %s", remote.download_link, name)
    return str(local)


def file_keep(name: str, content: bytes) -> str:
    """Save bytes in storage under ``name`` (a file made here, e.g. from a register answer); return a local path."""
    try:
        local, is_local = Path(default_storage.path(name)), True
    except NotImplementedError:
        local, is_local = _cache_path(name), False
    local.parent.mkdir(parents=True, exist_ok=True)
    part = local.with_name(local.name + ".part")
    part.write_bytes(content)
    os.replace(part, local)
    if not is_local:
        _storage_save(name, local)
    return str(local)


def _storage_save(name: str, local: Path) -> None:
    """Upload a local file into remote storage under exactly ``name``, replacing what was there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(local, "rb") as handle:
        saved = default_storage.save(name, File(handle, name=local.name))
    if saved != name:
        raise SourceError(f"storage saved {name} as {saved}; expected the name unchanged")
