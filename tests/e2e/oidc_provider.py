"""A small OpenID Connect provider for tests only: a real HTTP server on 127.0.0.1, following the
standard closely enough that an unmodified client (Streamlit's ``st.login``, i.e. Authlib) signs
people in through it.

- ``/.well-known/openid-configuration``: the discovery document (issuer, endpoints, RS256, PKCE
  S256, ``end_session_endpoint``);
- ``/authorize``: the authorization-code flow's login form (user name and password of one of the
  provider's people); checks ``client_id``, the registered ``redirect_uri``, ``response_type``
  and the ``openid`` scope, then redirects back with a one-time code and the client's ``state``;
- ``/token``: exchanges the code (client secret by HTTP Basic or in the form, PKCE verifier,
  same redirect URI, code used once) for an access token and an RS256-signed ``id_token``
  carrying ``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``auth_time``, the client's ``nonce``
  and the person's claims;
- ``/jwks``: the public signing key; ``/userinfo``: the claims for a bearer access token;
- ``/logout``: RP-initiated logout, back to a registered ``post_logout_redirect_uri``.

Every request is kept in ``requests`` (method and path) so a test can check what happened.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Person:
    """Someone the provider knows, with the claims it vouches for."""

    password: str
    claims: dict[str, Any]


@dataclass
class Provider:
    """The provider's state; ``start()`` serves it on a free local port."""

    client_id: str = "advisor-test"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    people: dict[str, Person] = field(default_factory=dict)
    redirect_uris: set[str] = field(default_factory=set)
    requests: list[tuple[str, str]] = field(default_factory=list)
    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-1"}))
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Provider:
        provider = self

        class Handler(_Handler):
            pass

        Handler.provider = provider
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "nonce"],
        }

    def id_token(self, claims: dict[str, Any], nonce: str | None) -> str:
        stamp = int(time.time())
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": stamp,
            "auth_time": stamp,
            "exp": stamp + 300,
        }
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-1"}, payload, self.key)

    def hits(self, path: str) -> int:
        return sum(1 for _, p in self.requests if p == path)


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # -- plumbing

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _error(self, error: str, status: int = 400) -> None:
        self._json({"error": error}, status)

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", {"Location": url})

    def _form(self) -> dict[str, str]:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    # -- endpoints

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = self.provider
        with p._lock:
            p.requests.append(("GET", url.path))
        if url.path == "/.well-known/openid-configuration":
            self._json(p.metadata())
        elif url.path == "/jwks":
            self._json({"keys": [p.key.as_dict(private=False, use="sig", alg="RS256")]})
        elif url.path == "/authorize":
            self._authorize(query)
        elif url.path == "/userinfo":
            auth = self.headers.get("Authorization", "")
            grant = p._tokens.get(auth.removeprefix("Bearer ").strip())
            if not auth.startswith("Bearer ") or grant is None:
                self._error("invalid_token", 401)
            else:
                self._json(grant["claims"])
        elif url.path == "/logout":
            back = query.get("post_logout_redirect_uri")
            if back and back in p.redirect_uris:
                self._redirect(back)
            else:
                self._send(200, b"<p>Signed out.</p>", "text/html; charset=utf-8")
        else:
            self._error("not_found", 404)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        p = self.provider
        with p._lock:
            p.requests.append(("POST", url.path))
        form = self._form()
        if url.path == "/authorize":
            self._log_in(form)
        elif url.path == "/token":
            self._token(form)
        else:
            self._error("not_found", 404)

    def _check_request(self, q: dict[str, str]) -> str | None:
        p = self.provider
        if q.get("client_id") != p.client_id:
            return "unknown client_id"
        if q.get("redirect_uri") not in p.redirect_uris:
            return "redirect_uri is not registered"
        if q.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in q.get("scope", "").split():
            return "the openid scope is missing"
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return "only S256 PKCE"
        return None

    def _authorize(self, q: dict[str, str], failed: str = "") -> None:
        problem = self._check_request(q)
        if problem:  # never redirect to an unchecked address
            self._send(400, html.escape(problem).encode(), "text/plain; charset=utf-8")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in q.items()
            if k not in ("username", "password")
        )
        note = f'<p role="alert">{html.escape(failed)}</p>' if failed else ""
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Test identity provider"
            "</title></head><body><h1>Test identity provider</h1>"
            f"{note}<form method='post' action='/authorize'>{hidden}"
            "<label>Account <input name='username' autocomplete='username'></label>"
            "<label>Passphrase <input name='password' type='password'></label>"
            "<button type='submit'>Continue</button></form></body></html>"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def _log_in(self, form: dict[str, str]) -> None:
        p = self.provider
        problem = self._check_request(form)
        if problem:
            self._send(400, html.escape(problem).encode(), "text/plain; charset=utf-8")
            return
        person = p.people.get(form.get("username", ""))
        if person is None or not secrets.compare_digest(person.password, form.get("password", "")):
            self._authorize(form, failed="Unknown account or wrong passphrase.")
            return
        code = secrets.token_urlsafe(24)
        with p._lock:
            p._codes[code] = {
                "claims": dict(person.claims),
                "nonce": form.get("nonce"),
                "redirect_uri": form["redirect_uri"],
                "challenge": form.get("code_challenge"),
                "expires": time.time() + 120,
            }
        back = {"code": code}
        if "state" in form:
            back["state"] = form["state"]
        self._redirect(f"{form['redirect_uri']}?{urlencode(back)}")

    def _token(self, form: dict[str, str]) -> None:
        p = self.provider
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != p.client_id or not secrets.compare_digest(secret or "", p.client_secret):
            self._error("invalid_client", 401)
            return
        if form.get("grant_type") != "authorization_code":
            self._error("unsupported_grant_type")
            return
        with p._lock:
            grant = p._codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or grant["expires"] < time.time():
            self._error("invalid_grant")
            return
        if form.get("redirect_uri") != grant["redirect_uri"]:
            self._error("invalid_grant")
            return
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = hashlib.sha256(verifier).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                self._error("invalid_grant")
                return
        access = secrets.token_urlsafe(24)
        with p._lock:
            p._tokens[access] = {"claims": grant["claims"]}
        self._json(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid email profile",
                "id_token": p.id_token(grant["claims"], grant["nonce"]),
            }
        )
