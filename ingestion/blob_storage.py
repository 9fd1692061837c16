"""Azure Blob Storage with one container per source: the file ``firds/X.zip`` is the blob ``X.zip`` in the
container ``AZURE_STORAGE_CONTAINERS`` maps ``firds`` to (by default ``firds``; ``fitrs`` likewise).

Callers keep naming files ``<source>/<file>`` (downloads, runs, ``load_firds``); each source's container has
its own lifecycle rule in infra/modules/storage.bicep. A name outside the mapped folders is refused.
"""

from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible


class UnmappedStorageName(ValueError):
    """A file name whose first folder is not one of the mapped source containers."""


@deconstructible
class SourceContainersStorage(Storage):
    """Django storage over several Azure containers, one per source folder; each a django-storages AzureStorage."""

    def __init__(self, containers: dict[str, str], **options):
        if not containers:
            raise ValueError("SourceContainersStorage needs at least one folder -> container pair")
        self.containers = dict(containers)
        self.options = options  # connection_string, or account_name and token_credential, overwrite_files, ...
        self._storages: dict[str, object] = {}

    def container_storage(self, folder: str):
        """The AzureStorage of the container that holds `folder`'s files."""
        if folder not in self._storages:
            from storages.backends.azure_storage import AzureStorage

            self._storages[folder] = AzureStorage(azure_container=self.containers[folder], **self.options)
        return self._storages[folder]

    def route(self, name: str) -> tuple[str, object, str]:
        """(folder, its container's storage, blob name) for a file name ``<folder>/<blob name>``."""
        folder, _, blob = str(name).replace("\\", "/").lstrip("/").partition("/")
        if folder not in self.containers or not blob:
            folders = ", ".join(f"{key}/" for key in self.containers)
            raise UnmappedStorageName(
                f"{name}: a stored file must be named <folder>/<file> with folder one of {folders} "
                f"(each is its own container, AZURE_STORAGE_CONTAINERS)"
            )
        return folder, self.container_storage(folder), blob

    def save(self, name, content, max_length=None):
        """Save into the folder's container; the name returned keeps the folder."""
        folder, storage, blob = self.route(name)
        return f"{folder}/{storage.save(blob, content, max_length=max_length)}"

    def _save(self, name, content):
        folder, storage, blob = self.route(name)
        return f"{folder}/{storage._save(blob, content)}"

    def _open(self, name, mode="rb"):
        _, storage, blob = self.route(name)
        return storage.open(blob, mode)

    def delete(self, name):
        """Delete the blob (nothing when it is not there)."""
        _, storage, blob = self.route(name)
        storage.delete(blob)

    def exists(self, name):
        """Whether the blob is there (never, for a name outside the source folders)."""
        try:
            _, storage, blob = self.route(name)
        except UnmappedStorageName:
            return False
        return storage.exists(blob)

    def size(self, name):
        """The blob's size in bytes."""
        _, storage, blob = self.route(name)
        return storage.size(blob)

    def url(self, name):
        """The blob's URL."""
        _, storage, blob = self.route(name)
        return storage.url(blob)

    def get_modified_time(self, name):
        """When the blob last changed."""
        _, storage, blob = self.route(name)
        return storage.get_modified_time(blob)

    def listdir(self, path):
        """Folders and files under `path`: the source folders at the top, a container's content below."""
        path = str(path or "").strip("/")
        if not path:
            return list(self.containers), []
        folder, _, rest = path.partition("/")
        if folder not in self.containers:
            return [], []
        return self.container_storage(folder).listdir(rest)
