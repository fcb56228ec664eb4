#!/usr/bin/env bash
# tests/e2e/readme.sh itself, on small fixtures: marked blocks run in order
# in one scratch directory with the programs on PATH, unmarked ones do not,
# a failing block, a stray marker and an unclosed fence are reported.
. "$(dirname "$0")/../lib.sh"
scratch
f=$T/fx
mkdir -p "$f"
cat >"$f/good.md" <<'X'
```sh
touch not-run
```

<!-- test -->
```sh
echo hello > f.txt
test -f templates/samples/small.csv
command -v hourseal-issuer
```

<!-- test -->
```bash
grep -q hello f.txt
test ! -e not-run
```
X
cat >"$f/bad.md" <<'X'
<!-- test -->
```sh
true
```
<!-- test -->
```sh
echo one
false
touch never
```
<!-- test -->
```sh
echo after
```
X
printf '<!-- test -->\n\n```sh\ntrue\n```\n' >"$f/stray.md"
printf '<!-- test -->\n```sh\ntrue\n' >"$f/open.md"
READMETEST_FILES="$f/good.md $f/bad.md $f/stray.md $f/open.md" \
	READMETEST_STRIP="$f/" bash "$HS_TOP/tests/e2e/readme.sh" >"$T/out" 2>&1
sed 's/^/# /' "$T/out"
has() { grep -qxF -- "$1" "$T/out"; }
check "passing blocks pass" has "ok - good.md: all 2 marked blocks ran"
check "the programs are on PATH" grep -q '/bin/hourseal-issuer$' "$T/out"
check "a failing block is named by its line and command" has "not ok - bad.md:6: failed (exit 1): false"
check_fails "nothing after a failure runs" grep -q '^after$' "$T/out"
check_fails "a failed file is not reported as passing" grep -q '^ok - bad.md: all' "$T/out"
check "a marker without a block is an error" grep -q '^not ok - stray.md: .*stray.md:1: <!-- test --> is not followed' "$T/out"
check "an unclosed block is an error" grep -q '^not ok - open.md: .*open.md:2: the ```sh block is not closed' "$T/out"

# A failing block does not leave its background jobs behind.
cat >"$f/bg.md" <<'X'
<!-- test -->
```sh
sleep 300 & echo $! > "$BGPID"
false
```
X
BGPID=$T/bg.pid READMETEST_FILES="$f/bg.md" READMETEST_STRIP="$f/" bash "$HS_TOP/tests/e2e/readme.sh" >"$T/out2" 2>&1
bgpid=$(cat "$T/bg.pid" 2>/dev/null)
check "the block started a background job" [ -n "$bgpid" ]
check "the failing block ran" grep -q '^not ok - bg.md:2: failed' "$T/out2"
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [[ $st != Z* ]]; }
check_fails "its background job was killed" alive "${bgpid:-0}"
