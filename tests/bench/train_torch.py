#!/usr/bin/python3
"""PyTorch baseline for `make bench-train`: the same GPT-2 reference config (4 layers, 256 wide,
4 heads, context 128, vocab 4096, tied output embedding, gelu_new), batch 8 x 128, AdamW, float32 on
the CPU. Run with Debian's python3-torch under OPENBLAS_NUM_THREADS=2; prints
`torch_train_tokens_per_s: N`."""
import math
import time

import torch

L, H, C, P, V, B = 4, 4, 256, 128, 4096, 8


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(C), torch.nn.LayerNorm(C)
        self.c_attn, self.c_proj = torch.nn.Linear(C, 3 * C), torch.nn.Linear(C, C)
        self.c_fc, self.mlp_proj = torch.nn.Linear(C, 4 * C), torch.nn.Linear(4 * C, C)

    def forward(self, x):
        T = x.shape[1]
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        x = x + self.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))
        return x + self.mlp_proj(torch.nn.functional.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(V, C), torch.nn.Embedding(P, C)
        for e in (self.wte, self.wpe):  # GPT-2 initialisation keeps the tied logits sane
            torch.nn.init.normal_(e.weight, std=0.02)
        self.h = torch.nn.ModuleList(Block() for _ in range(L))
        self.ln_f = torch.nn.LayerNorm(C)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, V), targets[:, 1:].reshape(-1))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = GPT()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    warm, steps, times = 2, 12, []
    for s in range(warm + steps):
        t0 = time.perf_counter()
        idx = torch.randint(0, V, (B, P))
        loss = model(idx, idx)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if s >= warm:
            times.append(time.perf_counter() - t0)
    dt = min(times)  # on a shared machine noise only ever adds time
    print("torch %s, %d threads, fastest %.3f s/step of %d, last loss %.3f" % (torch.__version__, torch.get_num_threads(),
                                                                           dt, steps, loss.item()))
    print("torch_train_tokens_per_s: %.1f" % (B * P / dt))


if __name__ == "__main__":
    main()
