#!/usr/bin/env python3
"""Reference values for natgrad's Sequential models, computed by PyTorch's own modules.

For a few tiny networks (CNNs and attention models, float64, fixed seeds) this
writes the spec in natgrad's `sequential` form, the weights in PyTorch's layout,
inputs, targets, the network outputs, the mean loss, its gradient in the order of
`parameters_to_vector(model.parameters())`, and a Hessian-vector product (double
backward) along a fixed direction. test/models/sequential-pytorch.test.ts holds
natgrad to these numbers, which pins the layouts: NCHW, conv weights
[out, C, kh, kw], unfold order, nn.MultiheadAttention's in_proj rows (q, k, v),
head split and 1/sqrt(head_dim) scale, the causal mask and the parameter order.

Usage: python3 scripts/sequential-reference.py > test/models/fixtures/sequential-pytorch.json
(Debian's python3-torch is /usr/bin/python3.)
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


class SelfAttention(nn.Module):
    """nn.MultiheadAttention(D, heads, bias=True, batch_first=True) with q = k = v = x."""

    def __init__(self, D, heads, causal):
        super().__init__()
        self.mha = nn.MultiheadAttention(D, heads, bias=True, batch_first=True)
        self.causal = causal

    def forward(self, x):
        T = x.shape[1]
        mask = torch.ones(T, T, dtype=torch.bool).triu(1) if self.causal else None
        return self.mha(x, x, x, attn_mask=mask, need_weights=False)[0]


class Mean(nn.Module):
    """The mean over the position axes: [C, H, W] -> [C], [T, D] -> [D]."""

    def forward(self, x):
        return x.mean(dim=(2, 3)) if x.dim() == 4 else x.mean(dim=1)


ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU, "softplus": nn.Softplus, "identity": nn.Identity}


def build(spec):
    """The PyTorch modules of a natgrad layer list, and each layer's weights in natgrad's JSON form."""
    shape = list(spec["input"])
    modules = []
    for layer in spec["layers"]:
        t = layer["type"]
        if t == "linear":
            m = nn.Linear(shape[-1], layer["out"], bias=layer.get("bias", True))
            shape = shape[:-1] + [layer["out"]]
        elif t == "conv2d":
            kh, kw = layer["kernel"]
            sh, sw = layer.get("stride", [1, 1])
            ph, pw = layer.get("padding", [0, 0])
            m = nn.Conv2d(shape[0], layer["out"], (kh, kw), stride=(sh, sw), padding=(ph, pw), bias=layer.get("bias", True))
            shape = [layer["out"], (shape[1] + 2 * ph - kh) // sh + 1, (shape[2] + 2 * pw - kw) // sw + 1]
        elif t == "activation":
            m = ACTIVATIONS[layer["fn"]]()
        elif t == "flatten":
            m = nn.Flatten()
            shape = [math.prod(shape)]
        elif t == "mean":
            m = Mean()
            shape = [shape[0]] if len(shape) == 3 else [shape[1]]
        elif t == "attention":
            m = SelfAttention(shape[1], layer["heads"], layer.get("causal", False))
        else:
            raise ValueError(t)
        modules.append(m)
    return nn.Sequential(*modules), shape


def weights_json(model):
    out = []
    for m in model:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            w = {"W": m.weight.tolist()}
            if m.bias is not None:
                w["b"] = m.bias.tolist()
        elif isinstance(m, SelfAttention):
            a = m.mha
            w = {
                "in_proj_weight": a.in_proj_weight.tolist(),
                "in_proj_bias": a.in_proj_bias.tolist(),
                "out_proj_weight": a.out_proj.weight.tolist(),
                "out_proj_bias": a.out_proj.bias.tolist(),
            }
        else:
            w = {}
        out.append(w)
    return out


def mean_loss(likelihood, f, y, N):
    """(1/N) sum_n -log p(y_n | x_n), summed over positions, constants included."""
    K = f.shape[-1]
    if likelihood == "categorical":
        return F.cross_entropy(f.reshape(-1, K), y.reshape(-1), reduction="sum") / N
    if likelihood == "bernoulli":
        return F.binary_cross_entropy_with_logits(f.reshape(-1), y.reshape(-1), reduction="sum") / N
    return (0.5 * ((y - f) ** 2).sum() + 0.5 * f.numel() * math.log(2 * math.pi)) / N


def flat(tensors):
    """parameters_to_vector's order (each tensor row-major, in parameter order), for tensors that need not be contiguous."""
    return torch.cat([t.reshape(-1) for t in tensors])


def targets_for(likelihood, out_shape, N, gen):
    lead = [N] + out_shape[:-1]
    K = out_shape[-1]
    if likelihood == "categorical":
        return torch.randint(0, K, lead, generator=gen)
    if likelihood == "bernoulli":
        return torch.randint(0, 2, lead + [1], generator=gen).to(torch.float64)
    return torch.randn(lead + [K], generator=gen)


def reference(name, spec, N, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model, out_shape = build(spec)
    params = list(model.parameters())
    with torch.no_grad():
        # move off the initial values (attention's biases start at 0)
        for p in params:
            p.add_(0.2 * torch.randn(p.shape, generator=gen))
    x = torch.randn([N] + spec["input"], generator=gen)
    y = targets_for(spec["likelihood"], out_shape, N, gen)
    f = model(x)
    assert list(f.shape) == [N] + out_shape, (f.shape, out_shape)
    loss = mean_loss(spec["likelihood"], f, y, N)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    g = flat(grads)
    v = torch.randn(g.shape, generator=gen)
    hv = torch.autograd.grad(g @ v, params)
    if spec["likelihood"] == "bernoulli":
        targets = y.squeeze(-1).tolist()
        targets = [[int(t) for t in row] for row in targets] if len(out_shape) == 2 else [int(t) for t in targets]
    else:
        targets = y.tolist()
    return {
        "name": name,
        "spec": spec,
        "weights": weights_json(model),
        "inputs": x.tolist(),
        "targets": targets,
        "output": f.detach().reshape(-1).tolist(),
        "loss": loss.item(),
        "gradient": g.detach().tolist(),
        "direction": v.tolist(),
        "hessianVectorProduct": flat(hv).tolist(),
        "paramCount": sum(p.numel() for p in params),
    }


MODELS = [
    (
        "cnn: conv2d (stride, padding) + tanh + conv2d without bias + flatten + linear, categorical",
        {
            "input": [2, 6, 5],
            "layers": [
                {"type": "conv2d", "out": 3, "kernel": [3, 2], "stride": [2, 1], "padding": [1, 1]},
                {"type": "activation", "fn": "tanh"},
                {"type": "conv2d", "out": 2, "kernel": [2, 2], "bias": False},
                {"type": "flatten"},
                {"type": "linear", "out": 3},
            ],
            "likelihood": "categorical",
        },
        3,
    ),
    (
        "cnn: conv2d + sigmoid + mean pooling + linear, gaussian",
        {
            "input": [1, 5, 5],
            "layers": [
                {"type": "conv2d", "out": 4, "kernel": [3, 3], "padding": [1, 1]},
                {"type": "activation", "fn": "sigmoid"},
                {"type": "mean"},
                {"type": "linear", "out": 2},
            ],
            "likelihood": "gaussian",
        },
        2,
    ),
    (
        "attention: linear + 2-head attention + tanh + mean over tokens + linear, categorical",
        {
            "input": [4, 3],
            "layers": [
                {"type": "linear", "out": 4},
                {"type": "attention", "heads": 2},
                {"type": "activation", "fn": "tanh"},
                {"type": "mean"},
                {"type": "linear", "out": 3},
            ],
            "likelihood": "categorical",
        },
        3,
    ),
    (
        "causal attention: 3-head causal attention + softplus + linear per position, categorical per position",
        {
            "input": [5, 6],
            "layers": [
                {"type": "attention", "heads": 3, "causal": True},
                {"type": "activation", "fn": "softplus"},
                {"type": "linear", "out": 2},
            ],
            "likelihood": "categorical",
        },
        2,
    ),
    (
        "causal attention + linear per position, bernoulli per position",
        {
            "input": [3, 2],
            "layers": [{"type": "attention", "heads": 1, "causal": True}, {"type": "linear", "out": 1}],
            "likelihood": "bernoulli",
        },
        2,
    ),
]


def main():
    cases = [reference(name, spec, N, 100 + i) for i, (name, spec, N) in enumerate(MODELS)]
    json.dump({"generator": "scripts/sequential-reference.py", "torch": torch.__version__, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
