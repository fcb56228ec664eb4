#!/usr/bin/env python3
"""Requests for the authorization walk (tests/e2e/serve_authz.sh), made
from one process instead of a curl, a sleep and a tail per cell.

Usage: authz_walk.py BASE_URL ACCESS_LOG < CELLS > ANSWERS

Each CELLS line is "CALLER<TAB>METHOD<TAB>PATH<TAB>AUTH", AUTH being
"-" (nobody), "jar:FILE" (a curl cookie jar: its cookies are sent where
their path matches, as curl -b does) or "bearer:TOKEN". Each request is
sent without a CSRF token (a POST carries the form body "x=1"), then the
access log is read until the request's own line is there. Each ANSWERS
line is "STATUS<TAB>NOTE<TAB>LOCATION": NOTE the gate's note in the log
line ("gate:signin", ...) or "-", LOCATION the Location header or "-".
"""
import http.client
import re
import sys
import time
import urllib.parse


def jar_cookies(path, url_path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#HttpOnly_'):
                line = line[len('#HttpOnly_'):]
            elif line.startswith('#') or not line.strip():
                continue
            parts = line.split('\t')
            if len(parts) != 7:
                continue
            cpath, name, value = parts[2], parts[5], parts[6]
            if url_path == cpath or url_path.startswith(
                    cpath if cpath.endswith('/') else cpath + '/'):
                out.append('%s=%s' % (name, value))
    return '; '.join(out)


def log_lines(path):
    with open(path, 'rb') as f:
        return f.read().count(b'\n')


def main():
    base, log = sys.argv[1], sys.argv[2]
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    n = log_lines(log)
    for cell in sys.stdin:
        caller, method, path, auth = cell.rstrip('\n').split('\t')
        headers = {}
        body = None
        if auth.startswith('jar:'):
            c = jar_cookies(auth[4:], path)
            if c:
                headers['Cookie'] = c
        elif auth.startswith('bearer:'):
            headers['Authorization'] = 'Bearer ' + auth[7:]
        if method == 'POST':
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
            body = 'x=1'
        for attempt in (0, 1):
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port,
                                                  timeout=10)
                if attempt:
                    raise
        # The access log line is written as the request completes.
        deadline = time.time() + 5
        while log_lines(log) <= n and time.time() < deadline:
            time.sleep(0.001)
        with open(log, 'rb') as f:
            lines = f.read().split(b'\n')
        new = lines[n:-1] if lines[-1] == b'' else lines[n:]
        n += len(new)
        last = new[-1].decode('utf-8', 'replace') if new else ''
        m = re.search(r'gate:[a-z]*', last)
        loc = resp.getheader('Location') or '-'
        print('%d\t%s\t%s' % (resp.status, m.group(0) if m else '-', loc))
        sys.stdout.flush()


main()
