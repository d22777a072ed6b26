#!/usr/bin/python3
"""The hand-off trainer's models (share/git-clmodel/train_ddp.py) against the independent float64
references of this folder: GPT-2 against the logits of tests/nn/parity.json (gen_parity.py), and
every Llama-family case of llama_ref.py (Llama with grouped-query attention, biases and llama3 rope
scaling; Qwen2; StarCoder2; plain Llama) against llama_ref's logits for the same weights. Prints
the largest difference of each and exits non-zero when one exceeds 1e-4.

    /usr/bin/python3 tests/nn/trainer_parity.py
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "..", "share", "git-clmodel")]

import torch  # noqa: E402

import gen_parity  # noqa: E402
import llama_ref  # noqa: E402  (sets float64 as torch's default dtype)
from train_ddp import Model  # noqa: E402

TOL = 1e-4


def gpt2():
    d = json.load(open(os.path.join(here, "parity.json")))
    shapes = dict(gen_parity.param_shapes())
    tensors = {n: torch.tensor(v, dtype=torch.float32).reshape(shapes[n]) for n, v in d["weights"].items()
               if not n.startswith("clm.")}
    model = Model(dict(d["config"], architectures=["GPT2LMHeadModel"]), tensors)
    # the second example of the batch has no soft prompt and no adapter; its logits come last
    ex = d["batch"][1]
    V = d["config"]["vocab_size"]
    want = torch.tensor(d["logits"][-len(ex["tokens"]) * V:], dtype=torch.float64).reshape(-1, V)
    got = model.logits(torch.tensor(ex["tokens"])).double()
    return float((got - want).abs().max())


def llama(c):
    p = llama_ref.make_params(c, 7)
    names = [n for n, _ in llama_ref.backbone_shapes(c)]
    model = Model(llama_ref.config_json(c), {n: p[n].detach().float() for n in names})
    tokens = torch.tensor([3, 7, 1, 22, 9, 9, 4, 15, 2, 0, 11])
    want = llama_ref.example_logits(c, p, tokens, torch.tensor([], dtype=torch.long), -1).detach()
    got = model.logits(tokens).double()
    return float((got - want).abs().max())


def main():
    worst = 0.0
    results = [("gpt2", gpt2())] + [(c["name"], llama(c)) for c in llama_ref.CASES]
    for name, diff in results:
        print(f"{name}: logits within {diff:.2g} of the float64 reference")
        worst = max(worst, diff)
    return 0 if worst <= TOL else f"a model differs from its reference by {worst:.3g} (> {TOL})"


if __name__ == "__main__":
    sys.exit(main())
