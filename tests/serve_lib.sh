# Helpers for the issuing service's end-to-end scripts (hourseal-issuer
# serve); source it after tests/lib.sh and scratch. Accounts are made the
# way people make them: `user add` on the shell, then the invitation page,
# the TOTP enrolment page (code from oathtool) and the sign-in form, all
# over HTTP with curl; each account's cookies live in $T/<name>.jar.

# serve_start DATA_DIR [ARGS...]: the service on a free loopback port
# (with $SERVE_ARGS, default a large sign-in burst so that making the
# accounts is not throttled; the throttle's own test sets it to "")
# (stderr in $T/serve.err, access log in $T/access.log); sets SURL (the
# public address), AURL (the admin address: SURL unless --admin-listen)
# and SPID. Fails, saying why, if it is not listening within 5 s.
serve_start() {
	local d=$1; shift
	: >"$T/access.log"
	trap 'serve_stop; rm -rf "$T"' EXIT
	"$ISSUER" --data "$d" serve --listen 127.0.0.1:0 \
		--access-log "$T/access.log" ${SERVE_ARGS:---signin-burst 1000} \
		"$@" 2>"$T/serve.err" &
	SPID=$!
	SURL="" AURL=""
	for _ in $(seq 1 100); do
		SURL=$(sed -n 's/.*listening on \(http:[^ ]*[0-9]\)\/.*/\1/p' "$T/serve.err")
		AURL=$(sed -n 's/.*admin on \(http:[^ ]*[0-9]\)\/.*/\1/p' "$T/serve.err")
		if [ -n "$SURL" ]; then
			case " $* " in
			*" --admin-listen "*) [ -n "$AURL" ] && return 0 ;;
			*) AURL=$SURL; return 0 ;;
			esac
		fi
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "# serve did not start: $(cat "$T/serve.err")"
	return 1
}
serve_stop() { [ -n "${SPID:-}" ] && { kill -TERM "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }; SPID=; }

# http_code JAR METHOD PATH [CURL ARGS...]: the status of one request to
# AURL with the cookie jar (read and updated); the body in $T/body.
http_code() {
	local jar=$1 m=$2 p=$3; shift 3
	curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$m" \
		-b "$jar" -c "$jar" "$@" "$AURL$p"
}

# csrf_from FILE: the CSRF token of the first form in an HTML page.
csrf_from() { sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]*\)".*/\1/p' "$1" | head -1; }

# page_csrf JAR PATH: fetches PATH and prints its form's CSRF token.
page_csrf() {
	http_code "$1" GET "$2" >/dev/null
	csrf_from "$T/body"
}

# post_form JAR PATH FIELD=VALUE...: POSTs a form with the CSRF token of
# the page at PATH (the form's own page) and the fields; prints the status.
post_form() {
	local jar=$1 p=$2 c; shift 2
	c=$(page_csrf "$jar" "${FORM_PAGE:-$p}")
	post_form_c "$jar" "$p" "$c" "$@"
}
# post_form_c JAR PATH CSRF FIELD=VALUE...: the same with a given token.
post_form_c() {
	local jar=$1 p=$2 c=$3; shift 3
	local args=(--data-urlencode "csrf=$c")
	for kv in "$@"; do args+=(--data-urlencode "$kv"); done
	http_code "$jar" POST "$p" "${args[@]}"
}

# totp_at SECRET OFFSET: the TOTP code OFFSET seconds from now.
totp_at() {
	oathtool --totp -b "$1" --now "$(date -u -d "@$(($(date +%s) + $2))" '+%Y-%m-%d %H:%M:%S UTC')"
}

# invite_token DATA NAME ROLE SCOPE ORG: `user add`, prints the token.
invite_token() {
	"$ISSUER" --data "$1" user add "$2" --role "$3" --scope "$4" --org "$5" \
		2>"$T/useradd.err" | grep -o '/admin/invite/[A-Za-z0-9_-]\{43\}' |
		sed 's,.*/,,'
}

# account DATA NAME ROLE SCOPE ORG: creates the account, sets its password
# (PASSWORD) through the invitation page, enrols TOTP for staff (secret in
# $T/NAME.totp); leaves a signed-in session in $T/NAME.jar. Returns 1 and
# says why if a step fails.
PASSWORD='correct horse battery staple 9'
account() {
	local d=$1 n=$2 role=$3 scope=$4 org=$5 tok st sec code jar=$T/$2.jar
	rm -f "$jar"
	tok=$(invite_token "$d" "$n" "$role" "$scope" "$org")
	[ -n "$tok" ] || { echo "# user add $n: $(cat "$T/useradd.err")"; return 1; }
	FORM_PAGE=/admin/invite/$tok st=$(post_form "$jar" "/admin/invite/$tok" \
		"password=$PASSWORD" "again=$PASSWORD")
	[ "$st" = 303 ] || { echo "# invite $n: $st $(head -c 300 "$T/body")"; return 1; }
	[ "$role" = practitioner ] && return 0
	http_code "$jar" GET /admin/totp >/dev/null
	sec=$(sed -n 's/.*id="secret">\([A-Z2-7]*\)<.*/\1/p' "$T/body")
	[ -n "$sec" ] || { echo "# totp page $n: no secret"; return 1; }
	echo "$sec" >"$T/$n.totp"
	code=$(totp_at "$sec" 0)
	st=$(post_form_c "$jar" /admin/totp "$(csrf_from "$T/body")" "code=$code")
	[ "$st" = 303 ] || { echo "# totp confirm $n: $st"; return 1; }
	return 0
}

# signin JAR NAME PASSWORD CODE: the sign-in form; prints the status.
signin() {
	FORM_PAGE=/admin/signin post_form "$1" /admin/signin "name=$2" \
		"password=$3" "code=$4"
}
