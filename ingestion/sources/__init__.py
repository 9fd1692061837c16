"""Sources: find files at their publisher, download them, verify their checksums, keep them in storage.

``http`` is the shared HTTP layer (timeouts, retries with backoff, ``file_download`` into Django's
storage); ``esma`` lists ESMA's FIRDS and FITRS registries (``EsmaRegistryClient``, ``RegistryFile``).
Parsers read what sources fetched; nothing here writes to the database.
"""
