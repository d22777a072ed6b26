#!/bin/sh
# The CodeTask benchmark data is part of the repository (tests/data/codetask): make unpacks it into
# $CLM_BUILD/data/codetask byte for byte, no file of it is over 2 MB, and bench codetask reads it.
# Missing data fails here; nothing is skipped.
. "$CLM_TOP/tests/integration/lib.sh"

data="$CLM_BUILD/data/codetask"
t_ok "every unpacked file matches its sha256" sh -c "cd '$data' && sha256sum --quiet -c '$CLM_DATA/codetask/SHA256SUMS'"
t_ok "six files are listed" test "$(wc -l < "$CLM_DATA/codetask/SHA256SUMS")" -eq 6
t_ok "no file of the repository is over 2 MB" test -z "$(find "$CLM_TOP" \( -name build -o -name .git -o -name node_modules \) -prune \
	-o -type f -size +2048k -print)"
t_ok "no file of the repository names a data folder beside it" sh -c "! grep -rn --exclude-dir=build \
	--exclude-dir=.git --exclude-dir=node_modules -e '[.][.]/shared' -e 'CLM_SHA[R]ED' '$CLM_TOP'"

mkdir -p py/pkg
printf 'def add(x, y):\n    """Return the sum of x and y."""\n    return x + y\n' > py/pkg/mod.py
t_grep "bench codetask loads the repository's data" '^\| seqft \|' \
	clm bench codetask --random-base tiny --data "$data" --python py --strategies seqft --no-individual \
	--steps 1 --batch-size 1 --train-limit 2 --eval-limit 1 --max-new-tokens 2 -q
t_done
