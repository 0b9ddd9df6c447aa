"""A small OAuth2 token endpoint (client-credentials grant, RFC 6749 section 4.4) for the
demo AgentOS in --auth jwt mode, so agno-chat's OAuth2 credential source can be tried
and tested offline.

Tokens are HS256 JWTs signed with the demo's JWT secret. They carry scopes but no `sub`:
they stand for agno-chat as a service, so AgentOS keeps the per-user `user_id` that
agno-chat sends with each request.

`--oauth-token-ttl` sets when a token really expires (`exp`); the reply still says
`expires_in` = `--oauth-reported-ttl`. A gap between the two plays an identity provider
whose tokens expire (or are revoked) earlier than announced, which is what makes AgentOS
answer 401 "Token has expired" to a client that trusted `expires_in`.

GET /oauth/stats reports how many tokens were issued (and the tokens themselves, so tests
can check that none reaches a browser). It exists for the demo and tests only.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional
from urllib.parse import parse_qs

import jwt

warnings.filterwarnings("ignore", message=".*HMAC key.*")


class TokenIssuer:
    def __init__(self, secret: str, client_id: str, client_secret: str, ttl_s: int, reported_ttl_s: int):
        self.secret = secret
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl_s = ttl_s
        self.reported_ttl_s = reported_ttl_s
        self.lock = threading.Lock()
        self.issued: List[str] = []

    def issue(self, scope: Optional[str]) -> dict:
        now = int(time.time())
        scopes = (scope or "agents:read agents:run teams:read teams:run sessions:read sessions:write sessions:delete").split()
        payload = {"iat": now, "exp": now + self.ttl_s, "scopes": scopes, "azp": self.client_id, "jti": uuid.uuid4().hex}
        token = jwt.encode(payload, self.secret, algorithm="HS256")
        with self.lock:
            self.issued.append(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.reported_ttl_s, "scope": " ".join(scopes)}


def _handler(issuer: TokenIssuer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # noqa: D401 - quiet
            pass

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            if self.path == "/oauth/stats":
                with issuer.lock:
                    return self._reply(200, {"issued": len(issuer.issued), "tokens": list(issuer.issued)})
            self._reply(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            if self.path != "/oauth/token":
                return self._reply(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if form.get("grant_type", [""])[0] != "client_credentials":
                return self._reply(400, {"error": "unsupported_grant_type"})
            expected = base64.b64encode(f"{issuer.client_id}:{issuer.client_secret}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                return self._reply(401, {"error": "invalid_client", "error_description": "unknown client or wrong secret"})
            self._reply(200, issuer.issue(form.get("scope", [None])[0]))

    return Handler


def start(host: str, port: int, issuer: TokenIssuer) -> ThreadingHTTPServer:
    """Serves the token endpoint in a daemon thread; returns the server (for its port)."""
    server = ThreadingHTTPServer((host, port), _handler(issuer))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="oauth-token-endpoint", daemon=True).start()
    return server
