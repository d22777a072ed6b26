#!/bin/sh
# The command-line skeleton: help, version, usage errors, unknown commands, -C.
. "$CLM_TOP/tests/integration/lib.sh"

t_grep "--help lists commands" "suggest" clm --help
t_exit 0 "--help exits 0" clm --help
t_grep "--version" "^git-clmodel version [0-9]" clm --version
t_grep "help suggest describes suggest" "usage: git clmodel suggest" clm help suggest
t_exit 129 "no command is a usage error" clm
t_exit 129 "bad global flag exits 129" clm --bogus
t_exit 129 "unknown command is a usage error (129)" clm sugest
t_grep "unknown command suggests the closest" "most similar command is" clm sugest
t_grep "unknown command message" "'sugest' is not a clmodel command" clm sugest
t_exit 129 "-C without a path" clm -C
t_exit 1 "-C to a missing folder" clm -C /nonexistent/nowhere help
t_ok "git finds git-clmodel on PATH as 'git clmodel'" env PATH="$(dirname "$CLM_BIN"):$PATH" git clmodel --version
commands=$(clm --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
for c in $commands; do
	t_exit 0 "'$c -h' exits 0" clm "$c" -h
done
# Commands that are available have a man page; the rest say plainly they are not there yet.
for c in $(clm --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit } on && !/not available yet/ { print $1 }'); do
	t_ok "man page for $c" test -f "$CLM_TOP/man/git-clmodel-$c.1"
done
unavailable=$(clm --help | awk '/not available yet/ { print $1; exit }')
if [ -n "$unavailable" ]; then
	t_exit 1 "an unavailable command says so and fails" clm "$unavailable"
else
	t_skip "an unavailable command says so and fails" "every command is available"
fi
t_ok "main man page" test -f "$CLM_TOP/man/git-clmodel.1"
t_done
