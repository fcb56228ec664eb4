#!/usr/bin/env bash
# No silent defaults (issue 17): init needs the issuing authority's name,
# the public verification URL and the policy (or asks on a terminal) and
# checks the URL; keygen asks for a passphrase on a terminal and, without
# one, makes an unencrypted key only with --no-passphrase; summary lists
# each person's rejected records with their reasons.
. "$(dirname "$0")/../lib.sh"
scratch
quiet() { "$@" >"$T/o" 2>&1 || { sed "s/^/# /" "$T/o" | tail -5; return 1; }; }
I() { "$ISSUER" "$@" >"$T/o" 2>"$T/e"; }
has() { grep -q -- "$1" "$T/e"; }

# init refuses what is missing, naming it, and makes nothing.
I init "$T/a" </dev/null
rc=$?
check "init with nothing: refused (exit $rc)" [ $rc = 2 ]
check "  names --issuer, --base-url and --policy" \
	has 'missing --issuer, --base-url, --policy'
check "  nothing was made" test ! -e "$T/a/config.json"
I init "$T/a" --issuer 厦门市人社局 --policy fujian </dev/null
check "init without --base-url: refused, naming only it" \
	grep -q 'missing --base-url:' "$T/e"
I init "$T/a" --issuer 厦门市人社局 --base-url https://v.example.cn </dev/null
check "init without --policy: refused, naming only it" \
	grep -q 'missing --policy:' "$T/e"
I init "$T/a" --base-url https://v.example.cn --policy fujian </dev/null
check "init without --issuer: refused, naming only it" \
	grep -q 'missing --issuer:' "$T/e"
check "  nothing was made" test ! -e "$T/a/config.json"

# A value refused after the questions (origin, issuer) leaves no
# directory behind either: every value is checked before mkdir.
I init "$T/b1" --issuer 厦门市人社局 --base-url https://v.example.cn \
	--policy fujian --origin 'a b' </dev/null
rc=$?
check "init with a bad --origin: refused (exit $rc), no directory made" \
	eval '[ $rc = 2 ] && has "origin: must be" && [ ! -e "$T/b1" ]'
I init "$T/b2" --issuer '人社局|x' --base-url https://v.example.cn \
	--policy fujian </dev/null
rc=$?
check "init with '|' in --issuer: refused (exit $rc), no directory made" \
	eval '[ $rc = 2 ] && has "issuer: control characters" && [ ! -e "$T/b2" ]'

# The URL: https, or http only for this machine (with a warning).
n=0
for u in http://verify.example.cn ftp://verify.example.cn verify.example.cn \
    'https://' 'https://user:pw@verify.example.cn' 'https://verify.example.cn/a b' \
    'https://verify.example.cn/?x=1' 'http://127.0.0.1.evil.cn' 'http://localhost.evil.cn'; do
	n=$((n + 1))
	I init "$T/u$n" --issuer 厦门市人社局 --base-url "$u" --policy fujian
	rc=$?
	check "--base-url '$u': refused (exit $rc)" [ $rc = 2 -a ! -e "$T/u$n/config.json" ]
done
I init "$T/local" --issuer 厦门市人社局 --base-url http://127.0.0.1:8080 --policy fujian
rc=$?
check "--base-url http://127.0.0.1:8080: made (exit $rc)" [ $rc = 0 ]
check "  with a warning that phones cannot open it" has 'warning: --base-url http://127.0.0.1:8080 is this machine'
I init "$T/x" --issuer 厦门市人社局 --base-url https://verify.hr.xiamen.gov.cn/ \
	--policy fujian --keys "$T/xkeys"
rc=$?
check "a complete init: made (exit $rc)" [ $rc = 0 ]
check "  the origin defaults to the URL's host, said out loud" \
	has 'origin: verify.hr.xiamen.gov.cn (from --base-url'
check "  config.json holds what was given" python3 -c "
import json; c = json.load(open('$T/x/config.json'))
assert c['issuer'] == '厦门市人社局', c
assert c['base_url'] == 'https://verify.hr.xiamen.gov.cn', c
assert c['origin'] == 'verify.hr.xiamen.gov.cn', c
assert c['policy'] == 'fujian' and c['time_zone'] == 'Asia/Shanghai', c"

# On a terminal, init asks.
python3 - "$ISSUER" "$T/tty" >"$T/tty.out" 2>&1 <<'EOF'
import os, pty, sys, time
issuer, d = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(issuer, [issuer, "init", d])
answers = ["福州市人社局", "https://verify.fz.example.cn", "fujian"]
out = b""
deadline = time.time() + 20
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if out.count(b": ") > 0 and answers and out.rstrip().endswith(b":"):
        os.write(fd, (answers.pop(0) + "\n").encode())
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
print("EXIT", os.waitstatus_to_exitcode(st))
EOF
check "init on a terminal asks for the three and makes the directory" \
	grep -q 'EXIT 0' "$T/tty.out"
check "  asked for the authority's name" grep -q "issuing authority's name" "$T/tty.out"
check "  config.json has the answers" grep -q '"issuer": "福州市人社局"' "$T/tty/config.json"

# keygen: no terminal, no passphrase file: refused, saying so.
I --data "$T/x" keygen k1 </dev/null
rc=$?
check "keygen without a terminal or passphrase: refused (exit $rc)" [ $rc = 2 ]
check "  says --no-passphrase or --passphrase-file" \
	has 'no passphrase for the new key: give --passphrase-file FILE'
check "  no key file" test ! -e "$T/xkeys/k1.key"
I --data "$T/x" keygen k1 --no-passphrase --passphrase-file /dev/null
check "--no-passphrase with --passphrase-file: refused" has 'contradict'
I --data "$T/x" keygen k1 --no-passphrase
check "--no-passphrase: an unencrypted key, with a warning" \
	[ $? = 0 -a -e "$T/xkeys/k1.key" ]
check "  the warning" has 'is not encrypted (--no-passphrase)'
check_fails "  the key is not encrypted" grep -q ENCRYPTED "$T/xkeys/k1.key"

# keygen on a terminal: the passphrase twice, not echoed; the key is
# encrypted with it and signs with it from a file.
I init "$T/y" --issuer 厦门市人社局 --base-url https://v.example.cn --policy fujian --keys "$T/ykeys"
python3 - "$ISSUER" "$T/y" >"$T/ktty.out" 2>&1 <<'EOF'
import os, pty, sys, time
issuer, d = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(issuer, [issuer, "--data", d, "keygen", "k1"])
out = b""
sent = 0
deadline = time.time() + 20
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if out.count(b"passphrase") > sent and out.rstrip().endswith(b":"):
        os.write(fd, b"correct horse battery staple\n")
        sent += 1
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
print("EXIT", os.waitstatus_to_exitcode(st))
EOF
check "keygen on a terminal asks twice and makes the key" grep -q 'EXIT 0' "$T/ktty.out"
check "  the passphrase was not echoed" bash -c "! grep -q 'correct horse' '$T/ktty.out'"
check "  the key is encrypted" grep -q 'ENCRYPTED' "$T/ykeys/k1.key"
(umask 077; echo 'correct horse battery staple' >"$T/pass")
ROW='350102198001011233,张三,厦门一中,2026,public,,1,新时代政绩观,福建省继续教育基地,2026-03-01,2026-03-03,12,,,R-1'
ROW2='350102198001011233,张三,厦门一中,2026,professional,,2,临床新进展,厦门市卫健委,2026-04-01,2026-04-02,16,,,R-2'
ROW3='350102198001011233,张三,厦门一中,2026,professional,,2,医学人工智能,厦门市卫健委,2026-05-01,2026-05-02,16,,,R-3'
printf 'id_number,name,unit,year,subject,public_type,form,title,provider,start_date,end_date,hours,author_role,domain,ref\n%s\n%s\n%s\n' "$ROW" "$ROW2" "$ROW3" >"$T/r.csv"
quiet "$ISSUER" --data "$T/y" import "$T/r.csv"
quiet hr_stamp "$T/y" 厦门市人社局 --ref R-1
check "  it signs with the passphrase from a file" quiet env \
	HOURSEAL_PASSPHRASE_FILE="$T/pass" "$ISSUER" --data "$T/y" \
	issue --year 2026 --all --out "$T/yout"

# summary: the rejected records and their reasons, under the person.
make_account "$T/y" hr-xm hr 35 厦门市人社局 >/dev/null 2>&1
quiet "$ISSUER" --data "$T/y" stamp --reject R-2 --reason "证明材料缺少盖章" --account hr-xm
quiet "$ISSUER" --data "$T/y" stamp --reject R-3 --reason "培训时间与工作日志冲突" --account hr-xm
"$ISSUER" --data "$T/y" summary --year 2026 >"$T/sum" 2>&1
check "summary: a rejected column (2 for 张三)" \
	awk -F'\t' '$2 == "张三" && $NF == 2 { f = 1 } END { exit !f }' "$T/sum"
check "  R-2 listed under the person with its reason" \
	grep -q '^#   rejected R-2 "临床新进展": 证明材料缺少盖章 (by 厦门市人社局, 20[0-9-]* [0-9:]* (Beijing time))$' "$T/sum"
check "  R-3 too" grep -q '^#   rejected R-3 "医学人工智能": 培训时间与工作日志冲突' "$T/sum"
check "  right after the person's line" bash -c "grep -A1 '	张三	' '$T/sum' | grep -q 'rejected R-2'"
"$ISSUER" --data "$T/y" summary --year 2026 --json >"$T/sum.json" 2>&1
check "summary --json: rejected[] with ref, title, reason, by, at" python3 -c "
import json; j = json.load(open('$T/sum.json'))
p = j['practitioners'][0]
r = {x['ref']: x for x in p['rejected']}
assert set(r) == {'R-2', 'R-3'}, p
assert r['R-2']['reason'] == '证明材料缺少盖章' and r['R-2']['by'] == '厦门市人社局', r
assert r['R-2']['title'] == '临床新进展' and r['R-2']['at'].endswith('Z'), r"
