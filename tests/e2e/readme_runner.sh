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

# A translation NAME.zh-CN.md is held to NAME.md's command blocks: the
# same commands, marked alike, in order; comments may be translated. Its
# marked blocks run in Chinese.
cat >"$f/pair.md" <<'X'
```sh
make demo    # build and run
```

<!-- test -->
```sh
# an English comment
hourseal-issuer --help >/dev/null
echo "$LANG" > lang.txt
```
X
cat >"$f/pair.zh-CN.md" <<'X'
```sh
make demo    # 构建并运行
```

说明文字不同也无妨。

<!-- test -->
```sh
# 中文注释
hourseal-issuer --help >/dev/null
echo "$LANG" > lang.txt
grep -qx zh_CN.UTF-8 lang.txt
```
X
# One command more in the translation: not in step.
READMETEST_FILES="$f/pair.md $f/pair.zh-CN.md" \
	READMETEST_STRIP="$f/" bash "$HS_TOP/tests/e2e/readme.sh" >"$T/out3" 2>&1
sed 's/^/# /' "$T/out3"
check "a translation with other commands is reported" \
	grep -q '^not ok - pair.zh-CN.md is not in step with pair.md (2 blocks, 2): block 2 (pair.md line 6, pair.zh-CN.md line 8): its commands differ' "$T/out3"
# In step: the check moves to a block of its own in both; then one
# command changed, one block unmarked, one missing.
sed -i '/^grep -qx zh_CN.UTF-8 lang.txt$/d' "$f/pair.zh-CN.md"
printf '\n<!-- test -->\n```sh\ngrep -qx zh_CN.UTF-8 lang.txt\n```\n' >>"$f/pair.zh-CN.md"
printf '\n<!-- test -->\n```sh\ngrep -qx zh_CN.UTF-8 lang.txt\n```\n' >>"$f/pair.md"
sed 's/--help/--version/' "$f/pair.zh-CN.md" >"$f/changed.zh-CN.md"
cp "$f/pair.md" "$f/changed.md"
grep -v '<!-- test -->' "$f/pair.zh-CN.md" >"$f/unmarked.zh-CN.md"
cp "$f/pair.md" "$f/unmarked.md"
head -n -5 "$f/pair.zh-CN.md" >"$f/short.zh-CN.md"
cp "$f/pair.md" "$f/short.md"
READMETEST_FILES="$f/pair.zh-CN.md $f/changed.zh-CN.md $f/unmarked.zh-CN.md $f/short.zh-CN.md" \
	READMETEST_STRIP="$f/" bash "$HS_TOP/tests/e2e/readme.sh" >"$T/out4" 2>&1
sed 's/^/# /' "$T/out4"
check "the same commands with translated comments are in step" \
	grep -qx 'ok - pair.zh-CN.md has the 3 command blocks of pair.md, in order' "$T/out4"
check "the translation's marked blocks run, in Chinese (LANG=zh_CN.UTF-8)" \
	grep -qx 'ok - pair.zh-CN.md: all 2 marked blocks ran' "$T/out4"
check "a changed command is reported, naming the block" \
	grep -q '^not ok - changed.zh-CN.md is not in step with changed.md (3 blocks, 3): block 2 (changed.md line 6, changed.zh-CN.md line 8): its commands differ' "$T/out4"
check "an unmarked block (it would not run) is reported" \
	grep -q '^not ok - unmarked.zh-CN.md is not in step with unmarked.md (3 blocks, 3): block 2 .*: marked in unmarked.md, shown in unmarked.zh-CN.md' "$T/out4"
check "a missing block is reported" \
	grep -q '^not ok - short.zh-CN.md is not in step with short.md (3 blocks, 2): block 3 (short.md line [0-9]*, short.zh-CN.md line none): missing in one' "$T/out4"
