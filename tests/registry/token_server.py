#!/usr/bin/env python3
"""A token service for the distribution token-auth flow (docs: "Token Authentication
Specification"), on loopback, for tests. argv: port key.pem cert.pem issuer service user password log_file.
Grants the requested scopes to the given user (HTTP Basic), pull-only scopes to anonymous
requests, and logs each request's scopes and whether credentials came. An optional 10th
argument is a refresh (identity) token that the OAuth2 form (docs/spec/auth/oauth.md of
distribution: POST grant_type=refresh_token) may trade for a token with the requested scopes;
each such POST is logged with every form field it carried. The file <log_file>.mode, read at
each POST, changes how POSTs are answered: "post404", "post405" or "post400" refuse them as a
token service with only the GET flow does; "rotate" answers each POST with a new refresh_token
and accepts only the newest one from then on. Tokens are RS256 JWTs
whose header carries the signing certificate (x5c), which the registry checks against its
rootcertbundle."""
import base64
import json
import sys
import time
import urllib.parse
import http.server
import socketserver

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

port, key_path, cert_path, issuer, service, user, password, log_file = sys.argv[1:9]
refresh_token = sys.argv[9] if len(sys.argv) > 9 else None
rotations = 0
key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
cert_der_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make_token(access):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [cert_der_b64]}
    claims = {"iss": issuer, "sub": user, "aud": service, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": str(time.time_ns()), "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        auth = self.headers.get("Authorization", "")
        authed = False
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if u != user or p != password:
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            authed = True
        access = []
        for s in q.get("scope", []):
            parts = s.split(":")
            if len(parts) != 3:
                continue
            actions = parts[2].split(",") if authed else [a for a in parts[2].split(",") if a == "pull"]
            access.append({"type": parts[0], "name": parts[1], "actions": actions})
        with open(log_file, "a") as f:
            f.write("token %s authed=%s\n" % (",".join(q.get("scope", [])), authed))
        body = json.dumps({"token": make_token(access), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        raw = self.rfile.read(length).decode()
        form = urllib.parse.parse_qs(raw, keep_blank_values=True)
        field = lambda k: form.get(k, [""])[0]
        with open(log_file, "a") as f:
            f.write("oauth content_type=%s grant_type=%s refresh_token=%s service=%s client_id=%s "
                    "scope=%s basic=%s scope_params=%d\n" % (
                        self.headers.get("Content-Type", ""), field("grant_type"),
                        field("refresh_token"), field("service"), field("client_id"),
                        field("scope"), "Authorization" in self.headers, len(form.get("scope", []))))
        global refresh_token, rotations
        try:
            mode = open(log_file + ".mode").read().strip()
        except OSError:
            mode = ""
        if refresh_token is None or mode in ("post404", "post405"):
            self.send_response(405 if mode == "post405" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "post400":
            body = json.dumps({"error": "unsupported_grant_type"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        ok = (field("grant_type") == "refresh_token" and field("refresh_token") == refresh_token
              and field("service") == service and field("client_id") != "")
        if not ok:
            body = json.dumps({"error": "invalid_grant"}).encode()
            self.send_response(400)
        else:
            access = []
            for s in field("scope").split(" "):
                parts = s.split(":")
                if len(parts) == 3:
                    access.append({"type": parts[0], "name": parts[1], "actions": parts[2].split(",")})
            answer = {"access_token": make_token(access), "expires_in": 300, "scope": field("scope")}
            if mode == "rotate":
                rotations += 1
                refresh_token = "%s-r%d" % (sys.argv[9], rotations)
                answer["refresh_token"] = refresh_token
            body = json.dumps(answer).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


Server(("127.0.0.1", int(port)), Handler).serve_forever()
