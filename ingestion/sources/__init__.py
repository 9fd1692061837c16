"""Sources: ask publishers what they have, fetch it, verify it, keep it in storage; nothing here writes the database.

``http`` is the shared HTTP layer (timeouts, retries with backoff, ``SourceError`` and its kinds, verified
downloads into Django's storage with ``file_download``); ``esma`` lists ESMA's FIRDS and FITRS registries
(``EsmaRegistryClient``, ``RegistryFile``). The API clients (``gleif``, ``openfigi``) share ``api_http`` and
the request budgets of ``ratelimit``. Parsers read what sources fetched.
"""
