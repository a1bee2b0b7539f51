#!/usr/bin/env python3
"""A loopback HTTP proxy in front of a real test registry that misbehaves on purpose, one
behaviour per run (argv: listen_port upstream_port mode log_file). Every request is logged as
"METHOD PATH RANGE" so tests can assert what the client asked for.

modes:
  pass       forward everything
  cut        the first GET of each blob larger than 64 KiB is cut off halfway (connection
             closed); later requests (with Range) are forwarded
  429        the first request of each path answers 429 with Retry-After: 1
  429date    the first request of each path answers 429 with Retry-After as an HTTP-date
             (IMF-fixdate, RFC 9110 section 5.6.7) three seconds ahead
  garbage    manifests answer 200 with bytes that are not JSON
  huge       manifests answer 200 with a 100 MB body
  blob404    blob GETs answer 404 BLOB_UNKNOWN
  bigblob    blob GETs answer the real blob plus 4096 extra bytes
  corrupt    blob GETs answer the real blob with its last byte changed
  redirect   every request is redirected to itself
  slowloris  every request gets a status line, then one header byte per second
  stall      GETs of blobs larger than 64 KiB get the headers and the first half of the body,
             then nothing for 120 s
  schema1    manifests answer a Docker schema 1 document
"""
import email.utils
import http.client
import http.server
import socketserver
import sys
import threading
import time

listen_port, upstream_port, mode, log_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()
seen = set()


def log(line):
    with lock:
        with open(log_file, "a") as f:
            f.write(line + "\n")


def first_time(key):
    with lock:
        if key in seen:
            return False
        seen.add(key)
        return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self, mutate_body=None, cut_half=False, stall_half=False):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if mutate_body and resp.status == 200:
            data = mutate_body(data)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if stall_half and len(data) > 65536:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            time.sleep(120)
            return
        if cut_half and len(data) > 65536:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data)

    def answer(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        log("%s %s %s" % (self.command, self.path, self.headers.get("Range", "-")))
        is_manifest = "/manifests/" in self.path
        is_blob = "/blobs/" in self.path and "/uploads/" not in self.path
        if mode == "cut" and is_blob and self.command == "GET" and first_time(self.path):
            return self.forward(cut_half=True)
        if mode == "stall" and is_blob and self.command == "GET":
            return self.forward(stall_half=True)
        if mode == "429" and first_time(self.command + self.path):
            return self.answer(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                               extra=[("Retry-After", "1")])
        if mode == "429date" and first_time(self.command + self.path):
            when = email.utils.formatdate(time.time() + 3, usegmt=True)
            log("429 Retry-After: " + when)
            return self.answer(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                               extra=[("Retry-After", when)])
        if mode == "garbage" and is_manifest:
            return self.answer(200, b"<html>this is not json {{{", "application/vnd.oci.image.manifest.v1+json")
        if mode == "huge" and is_manifest:
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            self.send_header("Content-Length", str(100 * 1024 * 1024))
            self.end_headers()
            try:
                chunk = b" " * 65536
                for _ in range(1600):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        if mode == "blob404" and is_blob:
            return self.answer(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}')
        if mode == "bigblob" and is_blob and self.command == "GET":
            return self.forward(mutate_body=lambda d: d + b"\0" * 4096)
        if mode == "corrupt" and is_blob and self.command == "GET":
            return self.forward(mutate_body=lambda d: d[:-1] + bytes([d[-1] ^ 1]) if d else d)
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "slowloris":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            try:
                for _ in range(120):
                    time.sleep(1)
                    self.wfile.write(b"X")
                    self.wfile.flush()
            except OSError:
                pass
            return
        if mode == "schema1" and is_manifest:
            doc = b'{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[],"history":[],"signatures":[]}'
            return self.answer(200, doc, "application/vnd.docker.distribution.manifest.v1+prettyjws")
        return self.forward()

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", listen_port), Handler).serve_forever()
