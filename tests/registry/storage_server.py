#!/usr/bin/env python3
"""Blob storage behind a test registry that redirects blob downloads to it, as production
registries (Docker Hub, GHCR, ECR, GCR) send blob GETs on to object storage or a CDN.
argv: listen_port root_dir log_file. Serves GET/HEAD of files under root_dir and logs each
request as "METHOD PATH auth=yes|no", so tests can assert that the client never sends the
registry's credential to the storage host."""
import http.server
import os
import socketserver
import sys
import threading

listen_port, root, log_file = int(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def serve(self, body):
        auth = "yes" if self.headers.get("Authorization") else "no"
        with lock, open(log_file, "a") as f:
            f.write(f"{self.command} {self.path} auth={auth}\n")
        path = os.path.realpath(os.path.join(root, self.path.split("?")[0].lstrip("/")))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if body:
            with open(path, "rb") as f:
                self.wfile.write(f.read())

    def do_GET(self):
        self.serve(True)

    def do_HEAD(self):
        self.serve(False)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", listen_port), Handler).serve_forever()
