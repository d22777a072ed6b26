#!/bin/sh
# The committed PyTorch reference (tests/nn/parity.json) is what tests/nn/gen_parity.py produces:
# regenerated here when Debian's python3-torch is importable, compared value by value.
. "$CLM_TOP/tests/integration/lib.sh"

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	t_skip "parity reference regenerates identically" "python3-torch not installed"
	t_done
	exit
fi
t_ok "generator script runs" sh -c "/usr/bin/python3 '$CLM_TOP/tests/nn/gen_parity.py' > fresh.json"
cat > compare.py <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def walk(x, y, path):
    if isinstance(x, dict):
        assert set(x) == set(y) or path == "", path
        for k in x:
            if k != "generator":
                walk(x[k], y[k], path + "/" + k)
    elif isinstance(x, list):
        assert len(x) == len(y), path
        for i, (u, v) in enumerate(zip(x, y)):
            walk(u, v, "%s[%d]" % (path, i))
    elif isinstance(x, float):
        assert abs(x - y) <= 1e-7 * max(1.0, abs(y)), "%s: %r vs %r" % (path, x, y)
    else:
        assert x == y, path
walk(a, b, "")
PY
t_ok "regenerated values equal the committed ones" /usr/bin/python3 compare.py fresh.json "$CLM_TOP/tests/nn/parity.json"
t_done
