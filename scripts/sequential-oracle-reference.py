#!/usr/bin/env python3
"""Oracle answers for `sequential` models computed by PyTorch, by definition.

For a small CNN and a small causal attention model (float64, fixed seeds, the
networks of scripts/sequential-reference.py) this writes version-2 oracle specs
and the answers the contract defines, each computed from autograd Jacobians
and nothing of natgrad:
* fisher: (1/N) sum_n J_nᵀ Λ_n J_n, J_n the Jacobian of the network output in
  the parameters, Λ_n the output Fisher (per position, block-diagonal);
* empirical-fisher: (1/N) sum_n ∇ℓ_n ∇ℓ_nᵀ; hessian: double backward, column
  by column; loss and gradient;
* kfac, expand and reduce: the inputs a_{n,r} of every weight matrix (unfold
  patches for conv2d, tokens for attention's input projection, the
  concatenated heads for its output projection) and the Jacobians
  M_{n,r} = ∂f_n/∂s_{n,r} of the output in the matrix's pre-activation at each
  position, so that E[g_r g_r'ᵀ] = M_rᵀ Λ_n M_r' exactly; the gradient
  [dL/dW, dL/db] and the factored update.
The functional forward that exposes a and s is checked against the
nn.Sequential forward of the same modules to 1e-12.

Usage: /usr/bin/python3 scripts/sequential-oracle-reference.py > test/oracle/fixtures/sequential-oracle-pytorch.json
"""
import importlib.util
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

_spec = importlib.util.spec_from_file_location("seqref", os.path.join(os.path.dirname(os.path.abspath(__file__)), "sequential-reference.py"))
seqref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seqref)

ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "softplus": F.softplus, "identity": lambda x: x}


def forward(spec, params, x):
    """The network output, and per weight matrix (inputs a [N, R, fanIn], pre-activations s [N, R, out], has bias)."""
    it = iter(params)
    blocks = []
    h = x
    for layer in spec["layers"]:
        t = layer["type"]
        if t == "linear":
            W = next(it)
            b = next(it) if layer.get("bias", True) else None
            a = h.reshape(h.shape[0], -1, h.shape[-1])
            s = a @ W.T + (b if b is not None else 0)
            blocks.append((a, s, b is not None))
            h = s.reshape(*h.shape[:-1], W.shape[0])
        elif t == "conv2d":
            W = next(it)
            b = next(it) if layer.get("bias", True) else None
            kh, kw = layer["kernel"]
            stride = tuple(layer.get("stride", [1, 1]))
            padding = tuple(layer.get("padding", [0, 0]))
            N, C, H, Wd = h.shape
            a = F.unfold(h, (kh, kw), padding=padding, stride=stride).transpose(1, 2)
            s = a @ W.reshape(W.shape[0], -1).T + (b if b is not None else 0)
            blocks.append((a, s, b is not None))
            Ho = (H + 2 * padding[0] - kh) // stride[0] + 1
            Wo = (Wd + 2 * padding[1] - kw) // stride[1] + 1
            h = s.transpose(1, 2).reshape(N, W.shape[0], Ho, Wo)
        elif t == "activation":
            h = ACT[layer["fn"]](h)
        elif t == "flatten":
            h = h.reshape(h.shape[0], -1)
        elif t == "mean":
            h = h.mean(dim=(2, 3)) if h.dim() == 4 else h.mean(dim=1)
        elif t == "attention":
            Win, bin_, Wout, bout = next(it), next(it), next(it), next(it)
            N, T, D = h.shape
            heads = layer["heads"]
            hd = D // heads
            s1 = h @ Win.T + bin_
            blocks.append((h, s1, True))
            q, k, v = s1.split(D, dim=-1)
            q, k, v = (z.reshape(N, T, heads, hd).transpose(1, 2) for z in (q, k, v))
            scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
            if layer.get("causal", False):
                scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            o = (scores.softmax(-1) @ v).transpose(1, 2).reshape(N, T, D)
            s2 = o @ Wout.T + bout
            blocks.append((o, s2, True))
            h = s2
        else:
            raise ValueError(t)
    return h, blocks


def output_fisher(likelihood, f):
    """Λ for one example's flattened output (block-diagonal over positions)."""
    K = f.shape[-1]
    rows = f.reshape(-1, K)
    O = rows.numel()
    L = torch.zeros(O, O)
    for t, z in enumerate(rows):
        if likelihood == "categorical":
            p = z.softmax(-1)
            B = torch.diag(p) - torch.outer(p, p)
        elif likelihood == "bernoulli":
            p = torch.sigmoid(z)
            B = torch.diag(p * (1 - p))
        else:
            B = torch.eye(K)
        L[t * K:(t + 1) * K, t * K:(t + 1) * K] = B
    return L


def example_loss(likelihood, f, y):
    """-log p(y | x) for one example, summed over positions, constants included."""
    K = f.shape[-1]
    if likelihood == "categorical":
        return F.cross_entropy(f.reshape(-1, K), y.reshape(-1), reduction="sum")
    if likelihood == "bernoulli":
        return F.binary_cross_entropy_with_logits(f.reshape(-1), y.reshape(-1).to(f.dtype), reduction="sum")
    return 0.5 * ((y - f) ** 2).sum() + 0.5 * f.numel() * math.log(2 * math.pi)


def jac(outputs, inputs):
    """Rows: d outputs[o] / d inputs, each input flattened and concatenated."""
    rows = []
    for o in range(outputs.numel()):
        gs = torch.autograd.grad(outputs.reshape(-1)[o], inputs, retain_graph=True, allow_unused=True)
        rows.append(torch.cat([(g if g is not None else torch.zeros_like(i)).reshape(-1) for g, i in zip(gs, inputs)]))
    return torch.stack(rows)


def answers(name, spec, N, seed):
    base = seqref.reference(name, spec, N, seed)
    model, _ = seqref.build(spec)
    w = base["weights"]
    params = []
    for layer, lw in zip(spec["layers"], w):
        for key in ("W", "b", "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"):
            if key in lw:
                params.append(torch.tensor(lw[key], requires_grad=True))
    x = torch.tensor(base["inputs"])
    lik = spec["likelihood"]
    y = torch.tensor(base["targets"])
    if lik == "bernoulli":
        y = y.to(torch.float64)
    f, blocks = forward(spec, params, x)
    assert torch.allclose(f.detach().reshape(-1), torch.tensor(base["output"]), rtol=0, atol=1e-12), "functional forward differs from nn modules"
    P = sum(p.numel() for p in params)
    losses = [example_loss(lik, f[n], y[n]) for n in range(N)]
    loss = sum(losses) / N
    grad = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, params, retain_graph=True, create_graph=True)])
    fisher = torch.zeros(P, P)
    emp = torch.zeros(P, P)
    for n in range(N):
        J = jac(f[n], params)
        fisher += J.T @ output_fisher(lik, f[n].detach()) @ J / N
        gn = torch.cat([g.reshape(-1) for g in torch.autograd.grad(losses[n], params, retain_graph=True)])
        emp += torch.outer(gn, gn) / N
    hess = torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(grad[i], params, retain_graph=True)]) for i in range(P)])
    hess = 0.5 * (hess + hess.T)

    # K-FAC by definition, one entry per weight matrix in parameter order
    damping = 0.1
    weights_of = []
    it = iter(params)
    for layer in spec["layers"]:
        t = layer["type"]
        if t in ("linear", "conv2d"):
            W = next(it)
            b = next(it) if layer.get("bias", True) else None
            weights_of.append((W, b))
        elif t == "attention":
            Win, bin_, Wout, bout = next(it), next(it), next(it), next(it)
            weights_of += [(Win, bin_), (Wout, bout)]
    kfac = {"expand": [], "reduce": []}
    for (a, s, has_bias), (W, b) in zip(blocks, weights_of):
        a = a.detach()
        Nn, R, fan_in = a.shape
        out = s.shape[-1]
        abar = torch.cat([a, torch.ones(Nn, R, 1)], dim=-1) if has_bias else a
        gW = torch.autograd.grad(loss, [W] + ([b] if b is not None else []), retain_graph=True)
        gradient = torch.cat([gW[0].reshape(out, -1)] + ([gW[1].reshape(out, 1)] if b is not None else []), dim=1)
        for approx in ("expand", "reduce"):
            A = torch.zeros(abar.shape[-1], abar.shape[-1])
            G = torch.zeros(out, out)
            for n in range(N):
                M = jac(f[n], [s]).reshape(-1, Nn, R, out)[:, n]  # O x R x out
                Lam = output_fisher(lik, f[n].detach())
                if approx == "expand":
                    A += abar[n].T @ abar[n] / (N * R)
                    for r in range(R):
                        G += M[:, r].T @ Lam @ M[:, r] / N
                else:
                    ah = abar[n].mean(0)
                    A += torch.outer(ah, ah) / N
                    Ms = M.sum(1)
                    G += Ms.T @ Lam @ Ms / N
            c = math.sqrt(damping)
            update = torch.linalg.solve(G + c * torch.eye(out), gradient.detach()) @ torch.linalg.inv(A + c * torch.eye(A.shape[0]))
            kfac[approx].append({"A": A.tolist(), "G": G.tolist(), "gradient": gradient.detach().tolist(), "update": update.tolist()})

    problem = {"model": {"type": "sequential", **spec}, "weights": w, "inputs": base["inputs"], "targets": base["targets"]}
    return {
        "name": name,
        "problem": problem,
        "loss": loss.item(),
        "gradient": grad.detach().tolist(),
        "fisher": fisher.tolist(),
        "empirical-fisher": emp.tolist(),
        "hessian": hess.tolist(),
        "damping": damping,
        "kfac": kfac,
    }


MODELS = [
    (
        "cnn: conv2d (stride, padding, 2 channels) + tanh + conv2d without bias + flatten + linear, categorical",
        {
            "input": [2, 3, 4],
            "layers": [
                {"type": "conv2d", "out": 2, "kernel": [2, 2], "stride": [2, 1], "padding": [1, 1]},
                {"type": "activation", "fn": "tanh"},
                {"type": "conv2d", "out": 1, "kernel": [2, 2], "bias": False},
                {"type": "flatten"},
                {"type": "linear", "out": 2},
            ],
            "likelihood": "categorical",
        },
        2,
    ),
    (
        "attention: linear + 2-head causal attention + tanh + linear per position, categorical per position",
        {
            "input": [3, 3],
            "layers": [
                {"type": "linear", "out": 2},
                {"type": "attention", "heads": 2, "causal": True},
                {"type": "activation", "fn": "tanh"},
                {"type": "linear", "out": 2},
            ],
            "likelihood": "categorical",
        },
        2,
    ),
]


def main():
    cases = [answers(name, spec, N, 300 + i) for i, (name, spec, N) in enumerate(MODELS)]
    json.dump({"generator": "scripts/sequential-oracle-reference.py", "torch": torch.__version__, "cases": cases}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
