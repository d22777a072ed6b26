#!/bin/sh
# Trust boundaries of suggest --remote (THREAT-MODEL.md): a server that ignores max_tokens, echoes
# the API key, sends escape sequences or a huge header; a URL with a query string.
. "$CLM_TOP/tests/integration/lib.sh"

git init -q repo && cd repo || exit 1
git commit -q --allow-empty -m empty
echo 'def f(x):' > in.py

# serve MODE: start the hostile server, set $url and $server
serve() {
	rm -f port
	python3 "$CLM_TOP/tests/integration/data/hostile-completions.py" "$1" > port &
	server=$!
	i=0; while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat port)"
}
ask() { timeout 60 "$CLM_BIN" suggest -q --task complete --remote "$@" < in.py; }

# 2. An endless stream is cut at --max-tokens, in bounded memory.
serve endless
/usr/bin/time -f '%M' -o rss timeout 60 "$CLM_BIN" suggest -q --task complete --remote "$url" --max-tokens 8 \
	< in.py > out.txt 2> err.txt
echo $? > rc
t_grep "an endless stream ends" "^0$" cat rc
t_ok "the text is cut at 8 tokens' worth of bytes" test "$(wc -c < out.txt)" -le $((8 * 256 + 1))
t_ok "the text is not empty" test "$(wc -c < out.txt)" -gt 100
t_ok "memory stays bounded (under 100 MB)" test "$(tail -n 1 rss)" -lt 102400
echo "# endless stream, --max-tokens 8: $(wc -c < out.txt) bytes out, max RSS $(tail -n 1 rss) KB"
kill $server 2>/dev/null; wait $server 2>/dev/null

# 5. Secrets never appear in a message, even when the server echoes them.
serve echo-key
CLMODEL_API_KEY=sk-test-0123456789abcdef ask "$url/v1?token=query-secret-42" > out.txt 2> err.txt
t_grep "the 401 is reported" "HTTP 401" cat err.txt
t_grep "the server's words are kept" "Invalid API key: \*\*\*" cat err.txt
t_exit 1 "the API key is not printed" grep -q "sk-test-0123456789abcdef" err.txt
t_exit 1 "the URL's query is not printed" grep -q "query-secret-42" err.txt
kill $server 2>/dev/null; wait $server 2>/dev/null

# 10. A query string stays after the path; a huge header is a clear error.
serve ok
ask "$url/v1?token=Q" > out.txt 2>&1
t_grep "the query goes after the endpoint path" "^POST /v1/completions\?token=Q$" cat requests.txt
kill $server 2>/dev/null; wait $server 2>/dev/null
serve big-header
ask "$url" > out.txt 2> err.txt
t_grep "a huge header is refused by name" "headers are larger than 256 KB" cat err.txt
kill $server 2>/dev/null; wait $server 2>/dev/null

# 9. Escape sequences: refused on a pipe, shown escaped on a terminal.
serve escapes
t_exit 1 "control characters in code for a pipe are refused" ask "$url"
t_grep "the refusal says why" "control character .*refusing to write it to a pipe" ask "$url"
script -qec "'$CLM_BIN' suggest -q --task complete --remote '$url' < in.py" /dev/null > tty.txt 2>&1
t_grep "on a terminal they are shown escaped" 'return \\x1b\]0;pwned\\x07x\\x1b\[2J \+ 1\\u009b31m' cat tty.txt
t_exit 1 "no raw escape reaches the terminal" grep -q "$(printf '\033')" tty.txt
t_grep "JSON output escapes them" '\\u001[bB]\]0;pwned' sh -c "'$CLM_BIN' --json suggest -q --task complete --remote '$url' < in.py"
kill $server 2>/dev/null; wait $server 2>/dev/null
t_done
