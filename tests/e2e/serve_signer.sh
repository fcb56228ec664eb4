#!/usr/bin/env bash
# The HTTP process never holds the signing key (service.md §3, issue 13):
# `serve` forks a signer process that alone opens the key file (strace:
# every open of the .key is by the signer's pid), the HTTP process's
# memory (every readable mapping of /proc/PID/mem) holds neither the
# 32-byte seed nor its base64 nor the PEM's base64 -- while the signer's
# does (the scan can find it) --, and from inside the sandboxed HTTP
# process the key file cannot be opened (serve --check-sandbox, which
# runs the real start-up and then tries; with --no-sandbox the same check
# reads the key, so it can fail). Without Landlock serve refuses to start.
# The signer's rule itself (only certificate notes and own checkpoints)
# is tests/unit/test_signer.c.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../serve_lib.sh"
scratch
D=$T/data
"$ISSUER" init --issuer 福建省专业技术人员继续教育中心 --base-url http://127.0.0.1:8080 --policy fujian --origin ledger.hourseal.example.cn/fj "$D" --keys "$T/keys" >/dev/null 2>&1
"$ISSUER" --data "$D" keygen --no-passphrase >/dev/null 2>&1
KEY=$(ls "$T"/keys/*.key)
check "a key file" test -f "$KEY"
openssl pkey -in "$KEY" -outform DER 2>/dev/null | tail -c 32 >"$T/seed"
check "its 32-byte seed" test "$(wc -c <"$T/seed")" = 32

# ---- who opens the key file ----
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
	strace -f -e trace=open,openat -o "$T/strace" "$ISSUER" --data "$D" serve \
		--listen 127.0.0.1:0 2>"$T/serve.err" &
	SPID=$!
	for _ in $(seq 1 100); do grep -q 'listening on' "$T/serve.err" && break; sleep 0.05; done
	url=$(sed -n 's/.*listening on \(http:[^ ]*[0-9]\)\/.*/\1/p' "$T/serve.err")
	curl -s -o /dev/null "$url/admin/signin"
	curl -s -o /dev/null "$url/healthz"
	http_pid=$(sed -n 's/.*HTTP process (pid \([0-9]*\)).*/\1/p' "$T/serve.err")
	signer_pid=$(sed -n 's/.*hourseal-signer: pid \([0-9]*\) holds key.*/\1/p' "$T/serve.err")
	# Stop the service itself; strace ends with its tracees.
	kill -TERM "$http_pid" 2>/dev/null; wait "$SPID" 2>/dev/null
	check "the HTTP and signer processes are two pids ($http_pid, $signer_pid)" \
		test -n "$http_pid" -a -n "$signer_pid" -a "$http_pid" != "$signer_pid"
	check "strace saw the key file opened" grep -q "$(basename "$KEY")\"" "$T/strace"
	openers=$(grep "$(basename "$KEY")\"" "$T/strace" | grep -v ENOENT | awk '{print $1}' | sort -u | tr '\n' ' ')
	check "the key file is opened only by the signer (openers: $openers)" test "$openers" = "$signer_pid "
	check "the HTTP process never tried to open anything in the keys directory" \
		eval '! grep "^$http_pid " "$T/strace" | grep -q "$T/keys"'
else
	check "strace is installed and may trace (scripts/deps.sh test)" false
fi

# ---- what is in each process's memory ----
# The scanner starts the service itself, so that it is the ancestor of
# both processes: where Yama's ptrace_scope is 1 only an ancestor may
# read /proc/PID/mem. It reads each readable mapping in 1 MiB pieces
# (overlapping, so no needle is split) and says in one line what it
# could not read and why.
cat >"$T/scan.py" <<'EOF'
import base64, re, subprocess, sys, time, urllib.request
seedfile, pemfile, errfile = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[4:]
seed = open(seedfile, 'rb').read()
pem = open(pemfile, 'rb').read()
body = b''.join(l for l in pem.splitlines() if not l.startswith(b'-----'))
needles = {'seed': seed, 'base64(seed)': base64.b64encode(seed)[:40],
           'base64url(seed)': base64.urlsafe_b64encode(seed)[:40],
           'hex(seed)': seed.hex().encode(), 'PEM body': body[:40]}
over = max(len(v) for v in needles.values()) - 1

HUGE = 1 << 32

def scan(pid):
    found, regions, nbytes, skipped, huge = set(), 0, 0, 0, 0
    try:
        maps = open('/proc/%s/maps' % pid).read().splitlines()
        mem = open('/proc/%s/mem' % pid, 'rb', 0)
    except OSError as e:
        return 'cannot read pid %s: %s' % (pid, e)
    with mem:
        for line in maps:
            m = re.match(r'([0-9a-f]+)-([0-9a-f]+) (\S+)', line)
            if not m:
                continue
            lo, hi, perm = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if perm[0] != 'r' or '[vvar' in line or '[vsyscall' in line:
                continue
            # An address-space reservation of terabytes (a sanitizer's
            # shadow memory) holds no data of ours: counted, not read.
            if hi - lo > HUGE:
                huge += 1
                continue
            got, tail, pos = 0, b'', lo
            while pos < hi:
                n = min(1 << 20, hi - pos)
                try:
                    mem.seek(pos)
                    data = mem.read(n)
                except OSError:
                    skipped += 1
                    break
                if not data:
                    break
                got += len(data)
                chunk = tail + data
                for k, v in needles.items():
                    if v in chunk:
                        found.add(k)
                tail = chunk[-over:]
                pos += len(data)
            if got:
                regions += 1
                nbytes += got
    return ('scanned %d regions, %d bytes (%d unreadable, %d reservations '
            'over 4 GiB not read); found: %s' % (regions, nbytes, skipped,
            huge, ', '.join(sorted(found)) or 'nothing'))

err = open(errfile, 'w')
p = subprocess.Popen(cmd, stderr=err)
text, url = '', None
for _ in range(200):
    text = open(errfile).read()
    m = re.search(r'listening on (http://[^ ]*[0-9])/', text)
    if m and 'holds key' in text:
        url = m.group(1)
        break
    if p.poll() is not None:
        break
    time.sleep(0.05)
if url is None:
    print('http: serve did not start: ' + text.replace('\n', ' | '))
    p.kill()
    sys.exit(2)
code = urllib.request.urlopen(url + '/admin/signin', timeout=10).status
http_pid = re.search(r'HTTP process \(pid (\d+)\)', text).group(1)
signer_pid = re.search(r'hourseal-signer: pid (\d+) holds key', text).group(1)
print('http: GET /admin/signin %d; pid %s alive; %s' % (code, http_pid, scan(http_pid)), flush=True)
print('signer: pid %s; %s' % (signer_pid, scan(signer_pid)))
p.terminate()
p.wait(10)
EOF
timeout 60 python3 "$T/scan.py" "$T/seed" "$KEY" "$T/scan.err" \
	"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 >"$T/scan.out" 2>&1
tail -3 "$T/scan.out" | sed 's/^/# /'
grep '^http:' "$T/scan.out" >"$T/scan.http"
grep '^signer:' "$T/scan.out" >"$T/scan.signer"
check "HTTP process memory: no seed, base64, hex or PEM body ($(cat "$T/scan.http"))" \
	grep -q 'found: nothing' "$T/scan.http"
check "... and the scan read real memory (the page answered 200)" \
	grep -q '/admin/signin 200; .*scanned [1-9][0-9]* regions' "$T/scan.http"
if grep -q 'scanned [1-9]' "$T/scan.signer"; then
	check "the same scan finds the key in the signer ($(cat "$T/scan.signer"))" \
		grep -q 'found: .*seed' "$T/scan.signer"
else
	echo "# the signer's memory is not readable here (not dumpable): $(cat "$T/scan.signer")"
fi
serve_start "$D" || exit 1
http_pid=$(sed -n 's/.*HTTP process (pid \([0-9]*\)).*/\1/p' "$T/serve.err")
check "the HTTP process has no key file among its open files" \
	eval 'test -d /proc/$http_pid/fd && ! ls -l /proc/$http_pid/fd | grep -q "\.key"'
serve_stop

# ---- the sandbox from inside ----
"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 --check-sandbox >"$T/cs" 2>"$T/cs.err"
rc=$?
check "check-sandbox: exit 0" test $rc = 0
check "check-sandbox: the key file cannot be opened from the HTTP process" \
	grep -q "key file $KEY: Permission denied" "$T/cs"
check "check-sandbox: the keys directory cannot be listed" grep -q 'listing Permission denied' "$T/cs"
check "check-sandbox: the database can" grep -q "database .*: opened" "$T/cs"
"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 --check-sandbox --no-sandbox >"$T/cs2" 2>"$T/cs2.err"
rc=$?
check "with --no-sandbox the same check reads the key file (exit 1)" \
	eval 'test $rc = 1 && grep -q "key file $KEY: OPENED" "$T/cs2"'
check "--no-sandbox says so" grep -q 'not restricted by Landlock' "$T/cs2.err"
check "the signer logs what it holds" grep -q 'hourseal-signer: pid [0-9]* holds key' "$T/cs.err"

# A keys directory inside a tree the HTTP process reads: refused.
mkdir -p "$D/pdfs"
cp -r "$T/keys" "$D/pdfs/keys"
sed -i "s#\"keys_dir\": \"[^\"]*\"#\"keys_dir\": \"$D/pdfs/keys\"#" "$D/config.json"
"$ISSUER" --data "$D" serve --listen 127.0.0.1:0 --check-sandbox >"$T/cs3" 2>"$T/cs3.err"
rc=$?
check "keys inside the data directory's pdfs/: refused to start, saying why ($(tail -1 "$T/cs3.err"))" \
	eval 'test $rc = 2 && grep -q "keys directory .* is inside" "$T/cs3.err"'
