#!/usr/bin/env python3
"""A local RFC 3161 timestamp authority for the PAdES test: OpenSSL's
`openssl ts -reply` behind a tiny HTTP endpoint.

    tsa.py DIR PORTFILE

DIR holds tsa.cnf, tsa.key and tsa.crt (the test makes them). Binds
127.0.0.1 on a free port, writes the port to PORTFILE, answers every POST
of an application/timestamp-query with the reply, counts requests in
DIR/requests. Bounded: a query over 64 KB is refused.
"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR, PORTFILE = sys.argv[1], sys.argv[2]


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n <= 0 or n > 65536 or \
                self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(400)
            return
        q = self.rfile.read(n)
        with tempfile.TemporaryDirectory() as t:
            qf, rf = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
            open(qf, "wb").write(q)
            r = subprocess.run(["openssl", "ts", "-reply", "-config",
                                os.path.join(DIR, "tsa.cnf"), "-queryfile", qf,
                                "-out", rf], capture_output=True)
            if r.returncode != 0:
                sys.stderr.write(r.stderr.decode())
                self.send_error(500)
                return
            body = open(rf, "rb").read()
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write("1\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
s.serve_forever()
