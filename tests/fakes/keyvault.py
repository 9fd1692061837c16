"""Local fakes of Azure Key Vault (secrets over HTTPS) and of App Service's managed identity token endpoint.

FakeKeyVault speaks the Key Vault REST protocol the SDK uses: an unauthenticated request gets 401 with the
``WWW-Authenticate: Bearer authorization=..., resource=...`` challenge; the client then asks its credential
for a token for that resource and repeats the request with ``Authorization: Bearer``. Routes:
``GET /secrets/{name}[/{version}]`` (404 ``SecretNotFound`` when unknown) and ``GET /secrets`` (paged by
``maxresults`` with ``nextLink``). Like Key Vault's own (``myvault.vault.azure.net`` -> ``vault.azure.net``),
the challenge's resource is the vault's host without its first label, so the SDK's check that the vault
lies under the resource's domain passes for ``127.0.0.1`` (resource ``0.0.1``). It serves HTTPS with a
self-signed certificate made on start (``ca_file``: point REQUESTS_CA_BUNDLE or connection_verify at it).

FakeManagedIdentity is the App Service identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, api-version
2019-08-01): ``GET ?resource=...`` with the ``X-IDENTITY-HEADER`` secret answers an access token.
"""

import datetime as dt
import ipaddress
import json
import ssl
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake key vault")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "vault.crt", folder / "vault.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client closing early is not a test failure
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake = None

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        status, body, headers = self.fake.answer(url.path, parse_qs(url.query), self.headers)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Fake:
    """A threaded local server answering through `answer()`; use as a context manager."""

    scheme = "http"

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []  # (path, query, Authorization header) of each request
        self._server = None

    def answer(self, path: str, query: dict, headers) -> tuple[int, dict, dict]:
        raise NotImplementedError

    def _wrap(self, server) -> None:
        pass

    def __enter__(self):
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._wrap(self._server)
        self.base_url = f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()


class FakeManagedIdentity(_Fake):
    """App Service's managed identity endpoint: tokens for any resource to callers that send the header secret."""

    def __init__(self):
        super().__init__()
        self.header_secret = uuid.uuid4().hex
        self.issued: dict[str, str] = {}  # token -> resource

    def answer(self, path, query, headers):
        self.requests.append((path, json.dumps(query), headers.get("X-IDENTITY-HEADER", "")))
        if headers.get("X-IDENTITY-HEADER") != self.header_secret:
            return 401, {"error": "invalid_request", "error_description": "X-IDENTITY-HEADER missing or wrong"}, {}
        resource = (query.get("resource") or [""])[0]
        if not resource or (query.get("api-version") or [""])[0] != "2019-08-01":
            return 400, {"error": "invalid_request", "error_description": "resource and api-version needed"}, {}
        token = f"fake-mi-{uuid.uuid4().hex}"
        self.issued[token] = resource
        expires_on = str(int(time.time()) + 3600)
        return 200, {"access_token": token, "expires_on": expires_on, "resource": resource, "token_type": "Bearer"}, {}

    def environment(self) -> dict:
        """The variables App Service sets for its identity endpoint."""
        return {"IDENTITY_ENDPOINT": self.base_url + "/msi/token", "IDENTITY_HEADER": self.header_secret}


class FakeKeyVault(_Fake):
    """Key Vault secrets over HTTPS, readable with a token the identity fake issued for the vault's resource."""

    scheme = "https"

    def __init__(self, identity: FakeManagedIdentity, secrets: dict[str, str] | None = None):
        super().__init__()
        self.identity = identity
        self.secrets = dict(secrets or {})
        self._folder = tempfile.TemporaryDirectory()
        self.ca_file, self._key_file = self_signed_certificate(Path(self._folder.name))

    @property
    def resource(self) -> str:
        """The resource tokens must be for: https:// and the vault's host without its first label."""
        host = urlsplit(self.base_url).netloc
        return "https://" + host.split(".", 1)[1]

    def _wrap(self, server) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, self._key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)

    def _secret_id(self, name: str) -> str:
        return f"{self.base_url}/secrets/{name}/{uuid.uuid5(uuid.NAMESPACE_URL, name).hex}"

    def answer(self, path, query, headers):
        authorization = headers.get("Authorization", "")
        self.requests.append((path, json.dumps(query), authorization))
        token = authorization.removeprefix("Bearer ")
        if not authorization.startswith("Bearer ") or self.identity.issued.get(token) != self.resource:
            challenge = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="{self.resource}"'
            body = {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer token."}}
            return 401, body, {"WWW-Authenticate": challenge}
        attributes = {"enabled": True, "created": 1767225600, "updated": 1767225600, "recoveryLevel": "Recoverable"}
        parts = path.strip("/").split("/")
        if parts == ["secrets"]:
            names = sorted(self.secrets)
            size = int((query.get("maxresults") or ["25"])[0])
            start = int((query.get("skip") or ["0"])[0])
            page = [{"id": self._secret_id(name).rsplit("/", 1)[0], "attributes": attributes} for name in names]
            body = {"value": page[start : start + size], "nextLink": None}
            if start + size < len(names):
                body["nextLink"] = f"{self.base_url}/secrets?api-version=7.6&maxresults={size}&skip={start + size}"
            return 200, body, {}
        if len(parts) in (2, 3) and parts[0] == "secrets" and parts[1] in self.secrets:
            return 200, {"value": self.secrets[parts[1]], "id": self._secret_id(parts[1]), "attributes": attributes}, {}
        name = parts[1] if len(parts) > 1 else path
        message = f"A secret with (name/id) {name} was not found in this key vault."
        return 404, {"error": {"code": "SecretNotFound", "message": message}}, {}

    def __exit__(self, *exc_info):
        super().__exit__(*exc_info)
        self._folder.cleanup()
