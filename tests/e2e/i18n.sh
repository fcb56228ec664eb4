#!/usr/bin/env bash
# Chinese for operators (issue 17): hourseal-issuer speaks Chinese when
# its locale is Chinese (LANG=zh_CN.UTF-8, or LANGUAGE=zh_CN over any
# locale but C) and English otherwise, through gettext: usage, errors of
# init and of the data directory, import errors with line, field and
# reason, the import summary, stamping, issue's progress and totals, the
# summary command. English stays exactly as it was. The files it writes
# (export CSV and JSON, summary --json, list, show, tiles, the audit log,
# the manifest, notes and PDFs) are the same bytes in both locales. The
# catalog translates every message of the sources (po/zh_CN.po complete),
# is found in the build tree, beside an installed binary, or through
# $HOURSEAL_LOCALEDIR; the verifier stays English.
. "$(dirname "$0")/../lib.sh"
scratch
export HOURSEAL_TODAY=2025-12-01
S=$HS_TOP/templates/samples
D=$T/d
Y=2024

# One command in a locale; nothing else of the environment's locale.
zh() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=zh_CN.UTF-8 "$@"; }
en() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 "$@"; }
# run LOCALE NAME COMMAND...: stdout in $T/NAME.out, stderr in
# $T/NAME.err, the status in $T/NAME.rc.
run() {
	local loc=$1 name=$2
	shift 2
	"$loc" "$@" >"$T/$name.out" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
# has NAME.STREAM TEXT: the fixed TEXT is in that output.
has() { grep -qF -- "$2" "$T/$1"; }
rc() { test "$(cat "$T/$1.rc")" = "$2"; }

# 1. The catalog is complete: every message xgettext finds in lib/ and
# issuer/ (as they are now, not as po/hourseal.pot was) is translated.
if command -v xgettext >/dev/null && command -v msgmerge >/dev/null; then
	"$HS_TOP/scripts/po.sh" check zh_CN >"$T/po" 2>&1
	po_rc=$?
	check "po/zh_CN.po translates every message of the sources ($(head -1 "$T/po"))" test "$po_rc" = 0
	sed 's/^/# /' "$T/po" | sed -n '2,12p'
else
	ok "po/zh_CN.po complete # SKIP xgettext is missing (scripts/deps.sh build)"
fi
check "the catalog is in the build tree" \
	test -f "$HS_BUILD/locale/zh_CN/LC_MESSAGES/hourseal.mo"

# 2. Usage.
run zh help.zh "$ISSUER" summary --help
run en help.en "$ISSUER" summary --help
check "zh: summary --help in Chinese" has help.zh.out \
	"用法: hourseal-issuer summary --year 年度 [--id 身份证号] [--json]"
check "en: summary --help unchanged" has help.en.out \
	"usage: hourseal-issuer summary --year Y [--id ID] [--json]"
run zh all.zh "$ISSUER"
run en all.en "$ISSUER"
check "zh: the global usage (exit 2, stderr) in Chinese" \
	eval 'rc all.zh 2 && has all.zh.err "用法: hourseal-issuer [--data 目录] 命令 [参数]" && has all.zh.err "命令:"'
check "en: the global usage unchanged" \
	eval 'rc all.en 2 && has all.en.err "usage: hourseal-issuer [--data DIR] COMMAND [ARGS]" && has all.en.err "commands:"'
check "zh: the usage lines align under 用法 (6 columns)" \
	has all.zh.err "      hourseal-issuer 命令 --help"
run zh bogus.zh "$ISSUER" bogus
run en bogus.en "$ISSUER" bogus
check "zh: unknown command" has bogus.zh.err "hourseal-issuer: 未知命令“bogus”"
check "en: unknown command" has bogus.en.err "hourseal-issuer: unknown command 'bogus'"
run zh year.zh "$ISSUER" --data "$T/none" summary --year 12
check "zh: a bad --year (exit 1)" eval 'rc year.zh 1 && has year.zh.err "hourseal-issuer summary: --year: “12”不是 1900 到 2999 之间的数"'

# 3. init and the data directory.
run en init "$ISSUER" init "$D" --issuer 厦门市人力资源和社会保障局 \
	--origin example.org/hs --base-url https://verify.example.org \
	--policy fujian --keys "$T/keys"
check "init" rc init 0
run zh init.zh "$ISSUER" init "$D" --issuer X --policy fujian \
	--base-url https://verify.example.org
run en init.en "$ISSUER" init "$D" --issuer X --policy fujian \
	--base-url https://verify.example.org
check "zh: init over a data directory is refused in Chinese (exit 2)" eval \
	'rc init.zh 2 && has init.zh.err "hourseal-issuer init: $D 已有 hourseal 数据目录；拒绝覆盖"'
check "en: init over a data directory, unchanged" \
	has init.en.err "hourseal-issuer init: $D already holds an hourseal data directory; refusing to overwrite it"
run zh url.zh "$ISSUER" init "$T/e1" --issuer X --policy fujian --base-url ftp://x
run en url.en "$ISSUER" init "$T/e1" --issuer X --policy fujian --base-url ftp://x
check "zh: init with a bad --base-url" eval '! rc url.zh 0 && has url.zh.err "hourseal-issuer init: --base-url ftp://x: 必须以 https:// 开头（这是手机扫描二维码后打开的地址）"'
check "en: init with a bad --base-url, unchanged" has url.en.err \
	"hourseal-issuer init: --base-url ftp://x: must start with https:// (the address people's phones open from the QR code)"
run zh miss.zh "$ISSUER" init "$T/e3" --base-url https://verify.example.org </dev/null
check "zh: init without --issuer and --policy names them in Chinese" \
	has miss.zh.err "hourseal-issuer init: 缺少 --issuer, --policy: init 需要签发机构名称"
run zh origin.zh "$ISSUER" init "$T/e2" --issuer X --policy fujian \
	--base-url https://verify.example.org --origin "a b"
check "zh: init with a bad --origin" has origin.zh.err \
	"hourseal-issuer init: origin: 不能为空，不能含空格或“+”"
run zh nodata.zh "$ISSUER" --data "$T/none" list
run en nodata.en "$ISSUER" --data "$T/none" list
check "zh: no data directory (exit 2)" eval 'rc nodata.zh 2 && has nodata.zh.err "$T/none 不是 hourseal 数据目录（没有 config.json）；请运行“hourseal-issuer init $T/none”或加 --data DIR"'
check "en: no data directory, unchanged" has nodata.en.err \
	"$T/none is not an hourseal data directory (no config.json); run 'hourseal-issuer init $T/none' or pass --data DIR"
"$ISSUER" --data "$D" keygen k1 --no-passphrase >/dev/null 2>&1 ||
	"$ISSUER" --data "$D" keygen k1 >/dev/null 2>&1
check "keygen" test -f "$T/keys/k1.key"

# 4. import: rejected rows with line, field and reason; the summary.
{ head -1 "$S/fujian.csv"; grep ",$Y," "$S/fujian.csv" | head -12; } >"$T/good.csv"
# Line 3: a wrong check character; line 4: hours "abc"; line 5: no name.
sed '3s/^\(35[0-9]\{15\}\)[0-9X],/\1Y,/;
	4s/^\([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*\),[^,]*,/\1,abc,/;
	5s/^\([^,]*\),[^,]*,/\1,,/' "$T/good.csv" >"$T/bad.csv"
cd "$T" || exit 2
run zh imp.zh "$ISSUER" --data "$D" import bad.csv
run en imp.en "$ISSUER" --data "$D" import bad.csv
check "zh: a refused import exits 1" rc imp.zh 1
check "zh: line 3, id_number, the reason in Chinese" \
	has imp.zh.err "bad.csv:3: id_number: 校验位必须是 0-9 或 X"
check "zh: line 4, hours, the reason in Chinese" \
	has imp.zh.err "bad.csv:4: hours: 必须是 12 或 12.5 这样的数（实际为“abc”）"
check "zh: line 5, name, the reason in Chinese" \
	has imp.zh.err "bad.csv:5: name: 必填"
check "zh: how many rows were refused, in Chinese" \
	has imp.zh.err "bad.csv: 12 行中有 3 行被拒收；未导入任何记录（请修正，或用 --skip-invalid FILE 导入其余行）"
check "en: the same errors in English, unchanged" eval \
	'rc imp.en 1 && has imp.en.err "bad.csv:3: id_number: the check character must be 0-9 or X" &&
	has imp.en.err "bad.csv:4: hours: must be a number like 12 or 12.5 (got \"abc\")" &&
	has imp.en.err "bad.csv:5: name: required" &&
	has imp.en.err "bad.csv: 3 of 12 rows rejected; nothing imported (fix them, or use --skip-invalid FILE to import the rest)"'
check "both locales refuse the same lines" test "$(grep -o '^bad.csv:[0-9]*: [a-z_]*' "$T/imp.zh.err")" = \
	"$(grep -o '^bad.csv:[0-9]*: [a-z_]*' "$T/imp.en.err")"
run zh good.zh "$ISSUER" --data "$D" import good.csv
check "zh: the import summary in Chinese" has good.zh.out \
	"good.csv: 共 12 行: 导入 12 条，已存在 0 条，拒收 0 条，警告 0 条；新增人员 12 名，信息变更 0 名；"
run en good.en "$ISSUER" --data "$D" import good.csv
check "en: the import summary unchanged" has good.en.out \
	"good.csv: 12 rows: 0 imported, 12 already there, 0 rejected, 0 warnings; 0 new practitioners, 0 changed; 0 stamped automatically"
make_account "$D" hr1 hr 35 福建省人力资源和社会保障厅
run zh stamp.zh "$ISSUER" --data "$D" stamp --account hr1 --all
check "zh: stamping (验印) reports in Chinese" eval \
	'rc stamp.zh 0 && grep -q "^已验印 [0-9]* 条记录，验印人 福建省人力资源和社会保障厅" "$T/stamp.zh.out"'

# 5. issue in two copies of the data directory, one per locale: the
# progress and totals speak each locale, the files are the same.
cp -a "$D" "$T/d2"
run zh issue.zh "$ISSUER" --data "$D" issue --year $Y --all --out "$T/o.zh"
run en issue.en "$ISSUER" --data "$T/d2" issue --year $Y --all --out "$T/o.en"
check "issue in both locales" eval 'rc issue.zh 0 && rc issue.en 0'
check "zh: issue's progress line in Chinese" \
	grep -q '^12 人，用时 [0-9:]*（每秒 [0-9]*）$' "$T/issue.zh.err"
check "en: issue's progress line unchanged" \
	grep -q '^12 practitioners in [0-9:]* ([0-9]*/s)$' "$T/issue.en.err"
check "zh: issue's totals in Chinese" has issue.zh.out \
	"签发 12 份，取代 0 份，未变 0 份，已撤销不再签发 0 份，因不完整跳过 0 份，失败 0 份；共 1 批，账本大小"
check "en: issue's totals unchanged" has issue.en.out \
	"12 issued, 0 superseded, 0 unchanged, 0 revoked and not reissued, 0 skipped as incomplete, 0 failed; 1 batch, ledger size"
check "zh: the manifest line" has issue.zh.out "清单: $T/o.zh/$Y/manifest.csv"
cut -d, -f2-6 "$T/o.zh/$Y/manifest.csv" | sort >"$T/m.zh"
cut -d, -f2-6 "$T/o.en/$Y/manifest.csv" | sort >"$T/m.en"
check "the manifests agree but for serials and hashes" cmp -s "$T/m.zh" "$T/m.en"
# The notes but for serial, signature and issuing time; the PDFs' text but
# for the serial.
note() {
	sqlite3 "$1/hourseal.db" "SELECT note FROM certificates ORDER BY
		id_masked, name" | sed '/^serial: /d; /^issued: /d; /^— /d'
}
note "$D" >"$T/n.zh"
note "$T/d2" >"$T/n.en"
check "the notes agree ($(grep -c '^record: ' "$T/n.zh") records) but for serials, times and signatures" \
	eval 'test -s "$T/n.zh" && cmp -s "$T/n.zh" "$T/n.en"'
diffpdf=0
while IFS=, read -r serial _ && IFS=, read -r serial2 _ <&3; do
	# Word by word: the serials' widths move lines about.
	pdftotext "$T/o.zh/$Y/$serial.pdf" - | sed "s/$serial/SERIAL/g" |
		tr -s '[:space:]' '\n' | sort >"$T/p.zh"
	pdftotext "$T/o.en/$Y/$serial2.pdf" - | sed "s/$serial2/SERIAL/g" |
		tr -s '[:space:]' '\n' | sort >"$T/p.en"
	cmp -s "$T/p.zh" "$T/p.en" || diffpdf=$((diffpdf + 1))
done < <(tail -n +2 "$T/o.zh/$Y/manifest.csv" | sort -t, -k2,3) \
	3< <(tail -n +2 "$T/o.en/$Y/manifest.csv" | sort -t, -k2,3)
check "the PDFs' text agrees but for the serial ($diffpdf differ)" eval \
	'test $diffpdf = 0 && test "$(wc -l <"$T/p.zh")" -gt 20'

# 6. The same data directory read in both locales: the same bytes on
# stdout (what stderr says, such as "12 certificates", is a message).
serial=$(sed -n 2p "$T/o.zh/$Y/manifest.csv" | cut -d, -f1)
same() {
	local what=$1
	shift
	zh "$@" >"$T/s.zh" 2>/dev/null
	local a=$?
	en "$@" >"$T/s.en" 2>/dev/null
	local b=$?
	check "$what: the same bytes in both locales" \
		eval 'test $a = 0 -a $b = 0 && test -s "$T/s.zh" && cmp -s "$T/s.zh" "$T/s.en"'
}
same "export --format csv" "$ISSUER" --data "$D" export --year $Y --format csv
same "export --format json" "$ISSUER" --data "$D" export --year $Y --format json
same "summary --json" "$ISSUER" --data "$D" summary --year $Y --json
same "list" "$ISSUER" --data "$D" list --year $Y
same "log" "$ISSUER" --data "$D" log
zh "$ISSUER" --data "$D" tiles "$T/t.zh" >/dev/null 2>&1
en "$ISSUER" --data "$D" tiles "$T/t.en" >/dev/null 2>&1
check "tiles: the same files in both locales" eval \
	'test -f "$T/t.zh/checkpoint" && diff -r "$T/t.zh" "$T/t.en" >/dev/null'
zh "$ISSUER" --data "$D" show "$serial" >"$T/show.zh"
en "$ISSUER" --data "$D" show "$serial" >"$T/show.en"
check "show: the note and receipt are the same bytes" eval \
	'test "$(sed -n "/^-- certificate.note/,\$p" "$T/show.en")" = "$(sed -n "/^-- 证书签注/,\$p" "$T/show.zh" | tail -n +2 | sed "1i-- certificate.note" | sed "s/^-- 收据（检查点大小 \([0-9]*\)，最新）$/-- receipt (checkpoint size \1, the latest)/")"'

# 7. The summary command.
run zh sum.zh "$ISSUER" --data "$D" summary --year $Y
run en sum.en "$ISSUER" --data "$D" summary --year $Y
check "zh: summary's heading in Chinese" has sum.zh.out \
	"# $Y 年度，政策 fujian: 每年 90 学时，公需科目 30，专业科目 60；只计已验印的记录"
check "zh: summary's columns in Chinese" has sum.zh.out \
	"身份证号	姓名	单位	公需科目	专业科目	合计	状态	待验印	"
check "zh: 未达标 with what is short" grep -q '	未达标（尚缺: 公需科目 30，' "$T/sum.zh.out"
check "en: summary unchanged" eval 'has sum.en.out "# $Y, policy fujian: 90 hours a year, public 30, professional 60; stamped records only" &&
	grep -q "	unmet (short: public 30, " "$T/sum.en.out"'
check "the summary's rows agree but for words" test \
	"$(grep -v '^#' "$T/sum.zh.out" | cut -f1,2,3,5,6 | tail -n +2)" = \
	"$(grep -v '^#' "$T/sum.en.out" | cut -f1,2,3,5,6 | tail -n +2)"

# 8. Which locale speaks which language.
lang() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE "$@" "$ISSUER" summary --help | head -1 | cut -c1-6; }
check "LANG=C.UTF-8 LANGUAGE=zh_CN: Chinese" test "$(lang LANG=C.UTF-8 LANGUAGE=zh_CN)" = "用法"
check "LC_ALL=zh_CN.UTF-8: Chinese" test "$(lang LC_ALL=zh_CN.UTF-8)" = "用法"
# A Chinese locale the machine lacks (setlocale fails): the language is
# kept over C.UTF-8 (lib/core/i18n.c), as on a machine without locale-gen.
check "LANG=zh_CN.UTF-8@nosuch (not installed): Chinese all the same" \
	test "$(lang LANG=zh_CN.UTF-8@nosuch)" = "用法"
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	ok "this machine has the zh_CN.UTF-8 locale (scripts/deps.sh test)"
else
	ok "zh_CN.UTF-8 locale # SKIP not generated here: LANG=zh_CN.UTF-8 ran through the fallback"
fi
check "LANG=zh_CN.UTF-8 LC_MESSAGES=C: English" test "$(lang LANG=zh_CN.UTF-8 LC_MESSAGES=C)" = "usage:"
check "LANG=C LANGUAGE=zh_CN: English (gettext ignores LANGUAGE in C)" test "$(lang LANG=C LANGUAGE=zh_CN)" = "usage:"
check "LANG=fr_FR.UTF-8: English" test "$(lang LANG=fr_FR.UTF-8)" = "usage:"
check "no locale at all: English" test "$(lang LANG=)" = "usage:"
check "HOURSEAL_LOCALEDIR without our catalog: English" \
	test "$(lang LANG=zh_CN.UTF-8 HOURSEAL_LOCALEDIR=$T/none)" = "usage:"
check "HOURSEAL_LOCALEDIR with it: Chinese" \
	test "$(lang LANG=zh_CN.UTF-8 HOURSEAL_LOCALEDIR=$HS_BUILD/locale)" = "用法"
# An installed layout: PREFIX/bin/hourseal-issuer finds PREFIX/share/locale.
mkdir -p "$T/p/bin" "$T/p/share/locale/zh_CN/LC_MESSAGES"
cp "$ISSUER" "$T/p/bin/"
cp "$HS_BUILD/locale/zh_CN/LC_MESSAGES/hourseal.mo" "$T/p/share/locale/zh_CN/LC_MESSAGES/"
check "an installed binary finds PREFIX/share/locale" test \
	"$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=zh_CN.UTF-8 "$T/p/bin/hourseal-issuer" summary --help | head -1 | cut -c1-6)" = "用法"
# A comma-decimal locale, if this machine has one: numbers stay "7.5".
de=$(locale -a 2>/dev/null | grep -i -m1 '^de_DE\.utf-\?8$')
if [ -n "$de" ]; then
	env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=$de "$ISSUER" --data "$D" export --year $Y --format csv >"$T/x.de"
	en "$ISSUER" --data "$D" export --year $Y --format csv >"$T/x.en"
	check "LANG=$de: the export is the same bytes (LC_NUMERIC stays C)" cmp -s "$T/x.de" "$T/x.en"
else
	ok "comma-decimal locale # SKIP no de_DE.UTF-8 locale on this machine"
fi

# 9. The web service and the verifier keep their English answers.
run zh serve.zh "$ISSUER" --data "$D" serve --public-url ftp://x
check "zh: serve's command-line errors in Chinese" \
	has serve.zh.err "hourseal-issuer serve: --public-url “ftp://x”: 应为 http://... 或 https://..."
# The service started in Chinese: its command-line lines in Chinese (the
# catalog is loaded before Landlock closes the filesystem), its answers
# as they always were (the pages pick their language per request).
prov=$(sed -n 2p "$T/good.csv" | cut -d, -f9)
tok=$("$ISSUER" --data "$D" token add --role provider --scope "$prov" \
	--label i18n-test | tail -1)
if LANG=zh_CN.UTF-8 LC_MESSAGES= start_issuer "$D" ||
    LANG=zh_CN.UTF-8 LC_MESSAGES= start_issuer "$D" --no-sandbox; then
	curl -s -X POST -H "Authorization: Bearer $tok" -H "Content-Type: text/csv" \
		--data-binary @"$T/bad.csv" "$URL/api/v1/records" >"$T/api.zh"
	stop_server
	check "zh: serve's start-up lines in Chinese" eval \
		'grep -q "Landlock ABI [0-9]*: HTTP 进程（pid [0-9]*）不能打开" "$T/err" ||
		grep -q "不受 Landlock 限制" "$T/err"'
	check "zh: the API's answers stay English" eval \
		'grep -q "\"line\":3,\"field\":\"id_number\",\"reason\":\"the check character must be 0-9 or X\"" "$T/api.zh" &&
		grep -q "\"message\":\"request: [0-9]* of 12 rows rejected" "$T/api.zh"'
else
	notok "serve did not start in Chinese: $(tail -3 "$T/err")"
fi
run zh v.zh "$VERIFIER" check "$T/o.zh/$Y/$serial.pdf"
check "zh: the verifier stays English" has v.zh.err "--key KEYFILE (or --trust FILE) is required"
