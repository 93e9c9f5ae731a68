#!/usr/bin/env python3
"""Check PyTorch K-FAC factors (KFC for a convolution; expand and reduce for
attention) and the exact Fisher of a small CNN and a small attention model
against natgrad's reference oracle (contract version 2, model type `sequential`).

    python3 docs/examples/pytorch_sequential_check.py [--workdir DIR]

Both networks are ordinary PyTorch modules (nn.Conv2d, nn.Linear,
nn.MultiheadAttention) in float64. K-FAC needs what the modules do not
expose, the input a_{n,r} of every weight matrix at every position r and the
gradient with respect to its output s_{n,r}, so the forward pass is also
written out functionally (unfold for the convolution, the in_proj and
out_proj matrices of the attention) and checked against the modules to
1e-12. Then:
* kfac, expand: A = (1/(N R)) sum_{n,r} ā ā^T, G = (1/N) sum_n E_y[sum_r g g^T];
* kfac, reduce: A = (1/N) sum_n â â^T with â = (1/R) sum_r ā,
  G = (1/N) sum_n E_y[ĝ ĝ^T] with ĝ = sum_r g;
  the expectation over y ~ p(.|x) is exact: Λ = diag(p) - p p^T is the sum
  over classes c of v_c v_c^T, v_c = sqrt(p_c) (e_c - p), so back-propagating
  each v_c (at each output position) gives the rows whose outer products sum to G;
* the exact Fisher (1/N) sum_n J_n^T Λ_n J_n over parameters_to_vector order.
Each spec/candidate pair goes through `natgrad check --json` (exit 0
expected); then deliberately wrong candidates (patches in the wrong order,
the reduce factors offered for expand, A summed over positions) must exit 1
with the diagnoses [patch-order], [expand-reduce] and [positions].
Set NATGRAD to choose the natgrad command (default: node bin/natgrad.js).
"""
import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAMPING = 0.01


def natgrad_command():
    custom = os.environ.get("NATGRAD")
    return shlex.split(custom) if custom else ["node", os.path.join(REPO, "bin", "natgrad.js")]


class SelfAttention(torch.nn.Module):
    """nn.MultiheadAttention called with query = key = value (and the causal mask)."""

    def __init__(self, dim, heads, causal):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(dim, heads, bias=True, batch_first=True)
        self.heads, self.causal = heads, causal

    def forward(self, x):
        T = x.shape[1]
        mask = torch.ones(T, T, dtype=torch.bool).triu(1) if self.causal else None
        return self.mha(x, x, x, attn_mask=mask, need_weights=False)[0]


def functional_forward(modules, x):
    """The output, and per weight matrix (a [N, R, fan-in], s [N, R, out]), in parameter order."""
    blocks, h = [], x
    for m in modules:
        if isinstance(m, torch.nn.Conv2d):
            a = F.unfold(h, m.kernel_size, padding=m.padding, stride=m.stride).transpose(1, 2)
            s = a @ m.weight.reshape(m.out_channels, -1).T + m.bias
            blocks.append((a, s))
            Ho = (h.shape[2] + 2 * m.padding[0] - m.kernel_size[0]) // m.stride[0] + 1
            h = s.transpose(1, 2).reshape(h.shape[0], m.out_channels, Ho, -1)
        elif isinstance(m, torch.nn.Linear):
            a = h.reshape(h.shape[0], -1, h.shape[-1])
            s = a @ m.weight.T + m.bias
            blocks.append((a, s))
            h = s.reshape(*h.shape[:-1], m.out_features)
        elif isinstance(m, SelfAttention):
            N, T, D = h.shape
            H, mha = m.heads, m.mha
            s1 = h @ mha.in_proj_weight.T + mha.in_proj_bias
            blocks.append((h, s1))
            q, k, v = (z.reshape(N, T, H, D // H).transpose(1, 2) for z in s1.split(D, dim=-1))
            scores = q @ k.transpose(-1, -2) / math.sqrt(D // H)
            if m.causal:
                scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            o = (scores.softmax(-1) @ v).transpose(1, 2).reshape(N, T, D)
            s2 = o @ mha.out_proj.weight.T + mha.out_proj.bias
            blocks.append((o, s2))
            h = s2
        else:  # parameter-free layers: the module itself
            h = m(h)
    return h, blocks


def weight_matrices(modules):
    """Per weight matrix (W as out x fan-in, b), in parameter order."""
    out = []
    for m in modules:
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            out.append((m.weight, m.bias))
        elif isinstance(m, SelfAttention):
            out += [(m.mha.in_proj_weight, m.mha.in_proj_bias), (m.mha.out_proj.weight, m.mha.out_proj.bias)]
    return out


def fisher_sqrt_rows(f):
    """Output gradients V [N, K', ...f.shape[1:]]: per example, sum_k v_k v_k^T = Λ (block-diagonal over positions)."""
    K = f.shape[-1]
    p = f.detach().softmax(-1).reshape(f.shape[0], -1, K)  # N x T x K
    T = p.shape[1]
    rows = torch.zeros(f.shape[0], T * K, T, K)
    for t in range(T):
        for c in range(K):
            e = torch.zeros(K)
            e[c] = 1
            rows[:, t * K + c, t, :] = p[:, t, c:c + 1].sqrt() * (e - p[:, t, :])
    return rows.reshape(f.shape[0], T * K, *f.shape[1:])


def kfac(modules, x, y, approximation):
    """The K-FAC result of the contract: per weight matrix A, G (exact expectation), gradient [dW db], factored update."""
    f, blocks = functional_forward(modules, x)
    N = x.shape[0]
    loss = F.cross_entropy(f.reshape(-1, f.shape[-1]), y.reshape(-1), reduction="sum") / N
    matrices = weight_matrices(modules)
    grads = torch.autograd.grad(loss, [p for wb in matrices for p in wb], retain_graph=True)
    V = fisher_sqrt_rows(f)
    G = [torch.zeros(s.shape[-1], s.shape[-1]) for _, s in blocks]
    for k in range(V.shape[1]):
        # each example's s depends on its own input only, so one backward gives every example's rows
        gs = torch.autograd.grad((f * V[:, k]).sum(), [s for _, s in blocks], retain_graph=True)
        for l, g in enumerate(gs):  # g: N x R x out
            rows = g.reshape(-1, g.shape[-1]) if approximation == "expand" else g.sum(dim=1)
            G[l] += rows.T @ rows / N
    layers = []
    root = DAMPING ** 0.5
    for l, ((a, _), (W, _)) in enumerate(zip(blocks, matrices)):
        a_bar = torch.cat([a.detach(), torch.ones(*a.shape[:2], 1)], dim=2)
        rows = a_bar.reshape(-1, a_bar.shape[-1]) if approximation == "expand" else a_bar.mean(dim=1)
        A = rows.T @ rows / rows.shape[0]
        gradient = torch.cat([grads[2 * l].reshape(W.shape[0], -1), grads[2 * l + 1][:, None]], dim=1)
        update = torch.linalg.solve(G[l] + root * torch.eye(G[l].shape[0]), gradient) @ torch.linalg.inv(A + root * torch.eye(A.shape[0]))
        layers.append({"A": A.tolist(), "G": G[l].tolist(), "gradient": gradient.tolist(), "update": update.tolist()})
    return {"kind": "kfac", "loss": loss.item(), "layers": layers}


def exact_fisher(modules, x, y):
    """(1/N) sum_n J_n^T Λ_n J_n in parameters_to_vector order, with the loss and its gradient."""
    params = [p for m in modules for p in m.parameters()]
    N = x.shape[0]
    f = torch.nn.Sequential(*modules)(x)
    V = fisher_sqrt_rows(f)
    P = sum(p.numel() for p in params)
    Fm = torch.zeros(P, P)
    for n in range(N):
        for k in range(V.shape[1]):
            g = torch.cat([t.reshape(-1) for t in torch.autograd.grad((f[n] * V[n, k]).sum(), params, retain_graph=True)])
            Fm += torch.outer(g, g) / N
    loss = F.cross_entropy(f.reshape(-1, f.shape[-1]), y.reshape(-1), reduction="sum") / N
    grad = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss, params)])
    return {"kind": "fisher", "matrix": Fm.tolist(), "loss": loss.item(), "gradient": grad.tolist()}


def spec_weights(modules):
    """The contract's `weights`: one object per layer, {} for layers without parameters."""
    out = []
    for m in modules:
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            out.append({"W": m.weight.tolist(), "b": m.bias.tolist()})
        elif isinstance(m, SelfAttention):
            out.append({"in_proj_weight": m.mha.in_proj_weight.tolist(), "in_proj_bias": m.mha.in_proj_bias.tolist(),
                        "out_proj_weight": m.mha.out_proj.weight.tolist(), "out_proj_bias": m.mha.out_proj.bias.tolist()})
        else:
            out.append({})
    return out


def cnn_problem():
    torch.manual_seed(1)
    modules = [torch.nn.Conv2d(1, 2, 3, stride=1, padding=1), torch.nn.Tanh(), torch.nn.Flatten(), torch.nn.Linear(2 * 5 * 5, 3)]
    layers = [{"type": "conv2d", "out": 2, "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]},
              {"type": "activation", "fn": "tanh"}, {"type": "flatten"}, {"type": "linear", "out": 3}]
    x = torch.randn(4, 1, 5, 5)
    y = torch.randint(0, 3, (4,))
    return modules, {"type": "sequential", "input": [1, 5, 5], "layers": layers, "likelihood": "categorical"}, x, y


def attention_problem():
    torch.manual_seed(2)
    T, D = 4, 4
    modules = [torch.nn.Linear(3, D), SelfAttention(D, 2, causal=True), torch.nn.Tanh(), torch.nn.Linear(D, 3)]
    layers = [{"type": "linear", "out": D}, {"type": "attention", "heads": 2, "causal": True},
              {"type": "activation", "fn": "tanh"}, {"type": "linear", "out": 3}]
    x = torch.randn(3, T, 3)
    y = torch.randint(0, 3, (3, T))  # a label at every position
    return modules, {"type": "sequential", "input": [T, 3], "layers": layers, "likelihood": "categorical"}, x, y


def run_check(workdir, spec, candidate):
    spec_path = os.path.join(workdir, "spec.json")
    cand_path = os.path.join(workdir, "candidate.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    with open(cand_path, "w") as f:
        json.dump(candidate, f)
    proc = subprocess.run(natgrad_command() + ["check", spec_path, cand_path, "--json"], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"natgrad check failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return proc.returncode, json.loads(proc.stdout)


def expect_diagnosis(workdir, spec, candidate, field, keyword):
    code, report = run_check(workdir, spec, candidate)
    assert code == 1 and not report["ok"], f"check accepted a wrong candidate: {report}"
    diagnoses = {m["field"]: m["diagnosis"] or "" for m in report["mismatches"]}
    assert keyword in diagnoses.get(field, ""), (keyword, diagnoses)
    print(f"caught: {field}: {diagnoses[field]}")


def check_model(workdir, name, modules, model, x, y, approximations):
    with torch.no_grad():
        f_functional, _ = functional_forward(modules, x)
        f_modules = torch.nn.Sequential(*modules)(x)
    assert torch.allclose(f_functional, f_modules, rtol=0, atol=1e-12), f"{name}: the functional forward differs from the modules"
    problem = {"model": model, "weights": spec_weights(modules), "inputs": x.tolist(), "targets": y.tolist()}
    spec = [{"kind": "kfac", **problem, "fisher": "fisher", "approximation": ap, "damping": DAMPING, "dampingScheme": "factored"} for ap in approximations]
    spec.append({"kind": "fisher", **problem, "curvature": "fisher"})
    candidate = [kfac(modules, x, y, ap) for ap in approximations] + [exact_fisher(modules, x, y)]
    code, report = run_check(workdir, spec, candidate)
    assert code == 0 and report["ok"], f"{name}: the PyTorch results disagree with natgrad: {json.dumps(report, indent=2)}"
    print(f"ok: {name}: K-FAC ({', '.join(approximations)}) factors, gradients, updates and the exact Fisher agree with natgrad")
    return spec, candidate


def check_everything(workdir):
    modules, model, x, y = cnn_problem()
    spec, candidate = check_model(workdir, "CNN", modules, model, x, y, ["expand"])
    # deliberately wrong: the conv layer's A summed over its 25 positions instead of averaged
    wrong = json.loads(json.dumps(candidate))
    wrong[0]["layers"][0]["A"] = (torch.tensor(candidate[0]["layers"][0]["A"]) * 25).tolist()
    expect_diagnosis(workdir, spec, wrong, "[0].layers[0].A", "[positions]")

    # with one input channel both patch orders coincide; two channels show [patch-order]
    torch.manual_seed(3)
    C, kh, kw = 2, 2, 2
    modules = [torch.nn.Conv2d(C, 2, (kh, kw)), torch.nn.Tanh(), torch.nn.Flatten(), torch.nn.Linear(2 * 3 * 3, 3)]
    model = {"type": "sequential", "input": [C, 4, 4], "likelihood": "categorical",
             "layers": [{"type": "conv2d", "out": 2, "kernel": [kh, kw]}, {"type": "activation", "fn": "tanh"}, {"type": "flatten"}, {"type": "linear", "out": 3}]}
    x, y = torch.randn(4, C, 4, 4), torch.randint(0, 3, (4,))
    spec, candidate = check_model(workdir, "CNN with two input channels", modules, model, x, y, ["expand"])
    # deliberately wrong: patches ordered kernel position first, channel last
    perm = [c * kh * kw + i for i in range(kh * kw) for c in range(C)] + [C * kh * kw]
    A = torch.tensor(candidate[0]["layers"][0]["A"])
    wrong = json.loads(json.dumps(candidate))
    wrong[0]["layers"][0]["A"] = A[perm][:, perm].tolist()
    expect_diagnosis(workdir, spec, wrong, "[0].layers[0].A", "[patch-order]")

    modules, model, x, y = attention_problem()
    spec, candidate = check_model(workdir, "attention", modules, model, x, y, ["expand", "reduce"])
    # deliberately wrong: the reduce factors of the input projection offered for the expand spec
    wrong = json.loads(json.dumps(candidate))
    wrong[0]["layers"][1]["A"] = candidate[1]["layers"][1]["A"]
    wrong[0]["layers"][1]["G"] = candidate[1]["layers"][1]["G"]
    expect_diagnosis(workdir, spec, wrong, "[0].layers[1].G", "[expand-reduce]")
    print("ok: the wrong candidates exit 1 with the diagnoses [positions], [patch-order] and [expand-reduce]")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", help="keep spec.json and candidate.json in this folder (default: a temporary folder, removed)")
    args = parser.parse_args()
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        return check_everything(args.workdir)
    with tempfile.TemporaryDirectory(prefix="natgrad-interop-") as workdir:
        return check_everything(workdir)


if __name__ == "__main__":
    sys.exit(main())
