#!/usr/bin/env bash
# Slow clients against a verifier with default options: 1,100 connections
# from 127.0.0.1 each sending one header line every 2 s (never idle long
# enough for the idle timeout) must not keep a client at 127.0.0.2 out,
# and one connection dripping a byte a second is closed by the header
# deadline (10 s), not left open. Behind --trust-proxy every connection
# comes from the proxy, so there the per-address limit is off by default.
# About 30 s, loopback only.
. "$(dirname "$0")/../lib.sh"
scratch

"$HS_BUILD/tests/test_vdb" --make-fixture "$T/v.db" 5 "$T/key.pub" >"$T/serials"
S=$(head -1 "$T/serials")
start_server --db "$T/v.db" --key "$T/key.pub" || { notok "server starts"; exit 1; }
trap 'kill -TERM $PID 2>/dev/null; rm -rf "$T"' EXIT

python3 - "$URL" "$S" >"$T/slow.out" 2>&1 <<'PY'
import socket, sys, time, threading, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); serial = sys.argv[2]
addr = (u.hostname, u.port)
def conn(src, timeout=3.0):
    s = socket.socket(); s.settimeout(timeout); s.bind((src, 0)); s.connect(addr); return s
def get(src, path):
    """A normal client: status and seconds, or (None, seconds)."""
    t = time.time()
    try:
        s = conn(src)
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
        data = b""
        while not data.startswith(b"HTTP/1.1 ") or b"\r\n" not in data:
            b = s.recv(4096)
            if not b: break
            data += b
        s.close()
        return int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else None, time.time() - t
    except OSError:
        return None, time.time() - t

# 1,100 slow connections from 127.0.0.1.
slow = []
for i in range(1100):
    try:
        s = socket.socket(); s.setblocking(False); s.bind(("127.0.0.1", 0))
        s.connect_ex(addr); slow.append(s)
    except OSError:
        pass
time.sleep(0.3)
for s in slow:
    try: s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
    except OSError: pass
def held_now():
    n = 0
    for s in slow:
        try:
            if s.recv(1) == b"": continue
        except BlockingIOError:
            n += 1; continue
        except OSError:
            continue
    return n
time.sleep(0.7)
print("held_early %d" % held_now())
# One connection from 127.0.0.3 dripping a byte a second.
drip = conn("127.0.0.3"); drip.setblocking(False)
drip_t0 = time.time(); drip_closed = None
msg = b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100
t0 = time.time(); k = 0; answers = []; last_line = t0
while time.time() - t0 < 16:
    now = time.time()
    if now - last_line >= 2:
        last_line = now
        for s in slow:
            try: s.send(b"X-Line: %d\r\n" % k)
            except OSError: pass
        k += 1
    if drip_closed is None:
        try:
            if drip.recv(1) == b"":
                drip_closed = now - drip_t0
        except BlockingIOError:
            pass
        except OSError:
            drip_closed = now - drip_t0
        if drip_closed is None:
            try: drip.send(msg[k % len(msg):k % len(msg) + 1] or b"a")
            except OSError: drip_closed = now - drip_t0
    if len(answers) < 4 and now - t0 >= 2 + 3 * len(answers):
        answers.append(get("127.0.0.2", "/c/" + serial))
    time.sleep(1)
print("held %d" % held_now())
print("drip %s" % ("%.1f" % drip_closed if drip_closed is not None else "open"))
for st, secs in answers:
    print("answer %s %.2f" % (st, secs))
for s in slow: s.close()
PY
sed 's/^/# /' "$T/slow.out"
held=$(sed -n 's/^held //p' "$T/slow.out")
drip=$(sed -n 's/^drip //p' "$T/slow.out")
n200=$(grep -c '^answer 200 [01]\.' "$T/slow.out")
check "a client at another address answered 200 within 2 s, 4 times of 4, during 1,100 slow connections" \
	[ "$n200" = 4 ]
early=$(sed -n 's/^held_early //p' "$T/slow.out")
check "at most 32 slow connections from one address held after 1 s (held: $early)" \
	[ "${early:-9999}" -le 32 ]
check "none of them held after 16 s (header deadline; held: $held)" [ "${held:-9999}" = 0 ]
check "a connection dripping a byte a second is closed by the 10 s header deadline (closed after: $drip s)" \
	python3 -c "assert 9 <= float('$drip') <= 13"
curl -s "$URL/metrics" >"$T/metrics"
check "/metrics counts connections closed by the deadline" \
	grep -qE '^hourseal_http_deadline_closed_total [1-9]' "$T/metrics"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/c/$S")
check "serving normally afterwards" [ "$code" = 200 ]
stop_server
check "clean exit" [ $? = 0 ]

# Behind a reverse proxy (--trust-proxy): 100 connections from the proxy's
# loopback address, each a request for another client, are all answered.
start_server --db "$T/v.db" --key "$T/key.pub" --trust-proxy --rate 0 || { notok "proxy server starts"; exit 1; }
check "100 proxied connections at once all answered (no per-address cap on the proxy)" python3 - "$URL" "$S" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
socks = []
for i in range(100):
    s = socket.create_connection((u.hostname, u.port), timeout=10); socks.append(s)
for i, s in enumerate(socks):
    s.sendall(b"GET /c/%s HTTP/1.1\r\nHost: x\r\nX-Real-IP: 10.0.%d.%d\r\nConnection: close\r\n\r\n"
              % (sys.argv[2].encode(), i // 200, i % 200 + 1))
ok = 0
for s in socks:
    d = b""
    try:
        while True:
            b = s.recv(65536)
            if not b: break
            d += b
    except OSError:
        pass
    ok += d.startswith(b"HTTP/1.1 200")
    s.close()
print("# %d of 100 answered 200" % ok)
assert ok == 100
PY
stop_server
check "clean exit (proxy)" [ $? = 0 ]
