#!/usr/bin/env python3
"""Check PyTorch K-FAC factors, a damped K-FAC update, the exact Fisher and a
natural-gradient step of a small MLP against natgrad's reference oracle.

    python3 docs/examples/pytorch_kfac_check.py [--workdir DIR]

Builds an MLP [4, 5, 3] (tanh, then logits of a categorical likelihood) in
float64, computes everything with autograd, writes spec.json and
candidate.json, and runs `natgrad check spec.json candidate.json --json`
(exit 0 expected). Then it writes two deliberately wrong candidates (A and G
swapped; the Fisher not divided by N) and asserts that `check` exits 1 and
names each mistake by its keyword. The natgrad command defaults to
`node bin/natgrad.js` of this repository; set NATGRAD to override it, e.g.
NATGRAD="npx natgrad".
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import torch

torch.set_default_dtype(torch.float64)
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIZES = [4, 5, 3]
N = 6
DAMPING = 0.01


def natgrad_command():
    custom = os.environ.get("NATGRAD")
    return shlex.split(custom) if custom else ["node", os.path.join(REPO, "bin", "natgrad.js")]


def build_problem():
    torch.manual_seed(0)
    layers = [torch.nn.Linear(SIZES[i], SIZES[i + 1]) for i in range(len(SIZES) - 1)]
    x = torch.randn(N, SIZES[0])
    y = torch.randint(0, SIZES[-1], (N,))
    return layers, x, y


def forward(layers, x):
    """Pre-activations s_l of every layer and the input a_l of every layer."""
    inputs, pre = [], []
    a = x
    for i, layer in enumerate(layers):
        inputs.append(a)
        s = layer(a)
        pre.append(s)
        a = torch.tanh(s) if i < len(layers) - 1 else s
    return inputs, pre  # pre[-1] are the logits


def kfac(layers, x, y):
    """A, G (exact expectation over the classes), the gradient [dW, db] and the factored-damping update."""
    inputs, pre = forward(layers, x)
    logp = torch.log_softmax(pre[-1], dim=1)
    probs = logp.exp().detach()
    loss = -logp[torch.arange(N), y].mean()
    grads = torch.autograd.grad(loss, [p for layer in layers for p in (layer.weight, layer.bias)], retain_graph=True)
    out = []
    for l, layer in enumerate(layers):
        a_bar = torch.cat([inputs[l].detach(), torch.ones(N, 1)], dim=1)
        A = a_bar.T @ a_bar / N
        G = torch.zeros(layer.out_features, layer.out_features)
        for c in range(SIZES[-1]):
            # per-example gradients of -log p(c | x_n) with respect to s_l: each row depends on its own example only
            g = torch.autograd.grad(-logp[:, c].sum(), pre[l], retain_graph=True)[0]
            G += (g * probs[:, c:c + 1]).T @ g / N
        gradient = torch.cat([grads[2 * l], grads[2 * l + 1][:, None]], dim=1)  # bias last column
        root = DAMPING ** 0.5
        update = torch.linalg.solve(G + root * torch.eye(G.shape[0]), gradient) @ torch.linalg.inv(A + root * torch.eye(A.shape[0]))
        out.append({"A": A.tolist(), "G": G.tolist(), "gradient": gradient.tolist(), "update": update.tolist()})
    return loss.item(), out


def exact_fisher(layers, x):
    """F = (1/N) sum_n sum_c p(c|x_n) g g^T, g = grad_theta log p(c|x_n), parameters in parameters_to_vector order."""
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    P = sum(p.numel() for p in params)
    F = torch.zeros(P, P)
    _, pre = forward(layers, x)
    logp = torch.log_softmax(pre[-1], dim=1)
    for n in range(N):
        for c in range(SIZES[-1]):
            g = torch.autograd.grad(logp[n, c], params, retain_graph=True)
            g = torch.cat([t.reshape(-1) for t in g])  # W row-major, then b, layer by layer
            F += logp[n, c].exp().item() * torch.outer(g, g) / N
    return F


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", help="keep spec.json and candidate.json in this folder (default: a temporary folder, removed)")
    args = parser.parse_args()
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        return check_everything(args.workdir)
    with tempfile.TemporaryDirectory(prefix="natgrad-interop-") as workdir:
        return check_everything(workdir)


def check_everything(workdir):

    layers, x, y = build_problem()
    problem = {
        "model": {"type": "mlp", "sizes": SIZES, "activations": ["tanh", "identity"], "likelihood": "categorical"},
        "weights": [{"W": layer.weight.tolist(), "b": layer.bias.tolist()} for layer in layers],
        "inputs": x.tolist(),
        "targets": y.tolist(),
    }
    spec = [
        {"kind": "kfac", **problem, "fisher": "fisher", "damping": DAMPING, "dampingScheme": "factored"},
        {"kind": "fisher", **problem, "curvature": "fisher"},
        {"kind": "natural-gradient", **problem, "curvature": "fisher", "damping": DAMPING},
    ]

    loss, kfac_layers = kfac(layers, x, y)
    F = exact_fisher(layers, x)
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    _, pre = forward(layers, x)
    loss_t = torch.nn.functional.cross_entropy(pre[-1], y)  # mean reduction, as the contract
    grad = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss_t, params)])
    direction = torch.linalg.solve(F + DAMPING * torch.eye(F.shape[0]), grad)
    candidate = [
        {"kind": "kfac", "loss": loss, "layers": kfac_layers},
        {"kind": "fisher", "matrix": F.tolist(), "loss": loss_t.item(), "gradient": grad.tolist()},
        {"kind": "natural-gradient", "direction": direction.tolist(), "matrix": F.tolist()},
    ]

    code, report = run_check(workdir, spec, candidate)
    assert code == 0 and report["ok"], f"the PyTorch results disagree with natgrad: {json.dumps(report, indent=2)}"
    print("ok: K-FAC factors, update, exact Fisher and natural-gradient step agree with natgrad")

    # deliberately wrong: A and G swapped in layer 1 (both 5 x 5 here), and the Fisher summed instead of averaged
    wrong = json.loads(json.dumps(candidate))
    first = wrong[0]["layers"][0]
    first["A"], first["G"] = first["G"], first["A"]
    wrong[1]["matrix"] = (F * N).tolist()
    code, report = run_check(workdir, spec, wrong)
    assert code == 1 and not report["ok"], f"check accepted a wrong candidate: {report}"
    diagnoses = {m["field"]: m["diagnosis"] or "" for m in report["mismatches"]}
    assert "[swapped]" in diagnoses.get("[0].layers[0].A", ""), diagnoses
    assert "[swapped]" in diagnoses.get("[0].layers[0].G", ""), diagnoses
    assert "[batch-size]" in diagnoses.get("[1].matrix", ""), diagnoses
    for field, why in sorted(diagnoses.items()):
        print(f"caught: {field}: {why}")
    print("ok: the wrong candidate exits 1 with the diagnoses [swapped] and [batch-size]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
