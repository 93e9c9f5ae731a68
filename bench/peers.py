"""The NumPy and PyTorch side of the benchmark (float64).

Usage: python3 peers.py numpy|torch [--threads T] [--only kfac-memory|kfac-gemm|cnn-kfac]; prints JSON on stdout.
The workloads mirror bench/natgrad-workloads.ts (sizes in bench/workloads.ts).
Threads: bench/run.ts sets OPENBLAS_NUM_THREADS=T for the BLAS/LAPACK calls;
PyTorch's own intra-op pool stays at one thread (torch.set_num_threads(1)),
since a second pool on top of OpenBLAS's threads oversubscribes the cores
(PERFORMANCE.md, thread pitfall).
"""
import json
import os
import resource
import statistics
import sys
import time

LIB = sys.argv[1]
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else "all"
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1

KFAC = dict(sizes=[784, 256, 256, 10], batch=256, lam=1e-2, lr=1e-3, every=10, runs=7)
CNN_KFAC = dict(batch=128, image=28, lam=1e-2, lr=1e-3, runs=7)
DENSE_FISHER = dict(sizes=[20, 64, 10], batch=256, runs=5)
SIZES = [128, 256, 512]

import numpy as np  # noqa: E402

if LIB == "torch":
    import torch

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)


# BENCH_CLOCK=cpu: this process's CPU time (bench/workloads.ts, CLOCK)
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter


# the warm-up rule of bench/workloads.ts (WARM_UP): at least 3 calls and 0.5 s
WARM_UP_CALLS, WARM_UP_SECONDS = 3, 0.5


def time_it(f, runs):
    start = time.perf_counter()
    calls = 0
    while calls < WARM_UP_CALLS or time.perf_counter() - start < WARM_UP_SECONDS:
        f()
        calls += 1
    times = []
    for _ in range(runs):
        t = CLOCK()
        f()
        times.append((CLOCK() - t) * 1000)
    return {"median": statistics.median(times), "runs": times}


rng = np.random.default_rng(20260601)


def arr(shape):
    x = rng.standard_normal(shape)
    return torch.from_numpy(x) if LIB == "torch" else x


def mlp(sizes, n):
    Ws = [arr((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [arr((o,)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    X = arr((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    Y = np.eye(sizes[-1])[y]
    if LIB == "torch":
        Y = torch.from_numpy(Y)
    return Ws, bs, X, Y


# --- backend primitives -------------------------------------------------------
if LIB == "torch":
    ones = lambda n: torch.ones(n, 1)  # noqa: E731
    cat = lambda a, b: torch.cat([a, b], dim=1)  # noqa: E731
    eye = torch.eye
    tanh = torch.tanh
    softmax = lambda s: torch.softmax(s, dim=1)  # noqa: E731

    def chol_inv(M):
        return torch.cholesky_inverse(torch.linalg.cholesky(M))

    eigh = torch.linalg.eigh
    sqrt = torch.sqrt
else:
    ones = lambda n: np.ones((n, 1))  # noqa: E731
    cat = lambda a, b: np.concatenate([a, b], axis=1)  # noqa: E731
    eye = np.eye
    tanh = np.tanh

    def softmax(s):
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def chol_inv(M):
        # no SciPy on the machine: L⁻¹ by a triangular-agnostic inverse, then L⁻ᵀ L⁻¹
        Li = np.linalg.inv(np.linalg.cholesky(M))
        return Li.T @ Li

    eigh = np.linalg.eigh
    sqrt = np.sqrt


def forward_backward(Ws, bs, X, Y):
    """Batched forward/backward of the tanh MLP with softmax cross-entropy; returns ā_l, Δ_l (per example)."""
    N = X.shape[0]
    abar, H = [], X
    pre = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        a = cat(H, ones(N))
        abar.append(a)
        S = H @ W.T + b
        pre.append(S)
        H = tanh(S) if l < len(Ws) - 1 else S
    D = softmax(H) - Y  # d(-log p)/d logits, per example
    deltas = [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        deltas[l] = D
        if l > 0:
            T = tanh(pre[l - 1])
            D = (D @ Ws[l]) * (1 - T * T)
    return abar, deltas


def kfac_stepper(Ws, bs, X, Y):
    Ws = [w.clone() if LIB == "torch" else w.copy() for w in Ws]
    bs = [b.clone() if LIB == "torch" else b.copy() for b in bs]
    N = X.shape[0]
    c = KFAC["lam"] ** 0.5
    state = {"inv": None}

    def step(refresh):
        abar, deltas = forward_backward(Ws, bs, X, Y)
        grads = [d.T @ a / N for a, d in zip(abar, deltas)]
        # the factors every step, as K-FAC's running estimates are updated (and as natgrad's side does); inverses on refresh
        factors = [(d.T @ d / N, a.T @ a / N) for a, d in zip(abar, deltas)]
        if refresh:
            state["inv"] = [(chol_inv(G + c * eye(G.shape[0])), chol_inv(A + c * eye(A.shape[0]))) for G, A in factors]
        for l, ((Gi, Ai), g) in enumerate(zip(state["inv"], grads)):
            U = Gi @ g @ Ai
            Ws[l] -= KFAC["lr"] * U[:, :-1]
            bs[l] -= KFAC["lr"] * U[:, -1]

    return step


def kfac_workloads(out):
    Ws, bs, X, Y = mlp(KFAC["sizes"], KFAC["batch"])
    full = kfac_stepper(Ws, bs, X, Y)
    out["kfac-full"] = time_it(lambda: full(True), KFAC["runs"])
    amort = kfac_stepper(Ws, bs, X, Y)

    def block():
        for s in range(KFAC["every"]):
            amort(s == 0)

    t = time_it(block, KFAC["runs"])
    out["kfac-amortized"] = {"median": t["median"] / KFAC["every"], "runs": [r / KFAC["every"] for r in t["runs"]]}


def cnn_kfac_stepper():
    """The CNN K-FAC step of bench/workloads.ts (CNN_KFAC), PyTorch only: the convolutions as
    unfold + matmul (the patches are A's inputs), autograd for the gradient and the gradients with
    respect to each pre-activation (G's inputs), KFC expand factors with the bias joint, Cholesky
    inverses of the damped factors, preconditioning, update."""
    import torch.nn.functional as F

    N, S = CNN_KFAC["batch"], CNN_KFAC["image"]
    shapes = [(16, 1 * 9), (32, 16 * 9), (10, 32)]
    params = []
    for out, fan_in in shapes:
        bound = 1 / np.sqrt(fan_in)
        params.append([(torch.rand(out, fan_in) * 2 - 1) * bound, (torch.rand(out) * 2 - 1) * bound])
    X = torch.randn(N, 1, S, S)
    y = torch.from_numpy(rng.integers(0, 10, N))
    c = CNN_KFAC["lam"] ** 0.5

    def with_ones(a):
        return torch.cat([a, torch.ones(a.shape[0], 1)], dim=1)

    def step():
        for W, b in params:
            W.requires_grad_(True)
            b.requires_grad_(True)
        (W1, b1), (W2, b2), (W3, b3) = params
        a1 = F.unfold(X, 3).transpose(1, 2)  # N x 676 x 9
        s1 = a1 @ W1.T + b1
        h1 = torch.relu(s1).transpose(1, 2).reshape(N, 16, S - 2, S - 2)
        a2 = F.unfold(h1, 3, stride=2).transpose(1, 2)  # N x 144 x 144
        s2 = a2 @ W2.T + b2
        a3 = torch.relu(s2).mean(dim=1)  # N x 32
        s3 = a3 @ W3.T + b3
        for s in (s1, s2, s3):
            s.retain_grad()
        loss = F.cross_entropy(s3, y)
        loss.backward()
        with torch.no_grad():
            for (W, b), a, s in zip(params, (a1, a2, a3), (s1, s2, s3)):
                ab = with_ones(a.reshape(-1, a.shape[-1]))
                g = s.grad.reshape(-1, s.shape[-1]) * N  # per-example loss gradients
                A = ab.T @ ab / ab.shape[0]
                G = g.T @ g / N
                Gi = chol_inv(G + c * eye(G.shape[0]))
                Ai = chol_inv(A + c * eye(A.shape[0]))
                U = Gi @ torch.cat([W.grad, b.grad[:, None]], dim=1) @ Ai
                W -= CNN_KFAC["lr"] * U[:, :-1]
                b -= CNN_KFAC["lr"] * U[:, -1]
                W.grad = None
                b.grad = None

    return step


def dense_fisher(Ws, bs, X):
    """(1/N) sum_n J_nᵀ (diag p - p pᵀ) J_n: one batched backward per output column of sqrt(p_k)(p - e_k)."""
    N = X.shape[0]
    abar, H, pre = [], X, []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        abar.append(cat(H, ones(N)))
        S = H @ W.T + b
        pre.append(S)
        H = tanh(S) if l < len(Ws) - 1 else S
    p = softmax(H)
    K = p.shape[1]
    rows = []
    for k in range(K):
        ek = np.zeros(K)
        ek[k] = 1
        if LIB == "torch":
            ek = torch.from_numpy(ek)
        D = sqrt(p[:, k : k + 1]) * (p - ek)
        per_layer = [None] * len(Ws)
        for l in range(len(Ws) - 1, -1, -1):
            per_layer[l] = D
            if l > 0:
                T = tanh(pre[l - 1])
                D = (D @ Ws[l]) * (1 - T * T)
        # per-example gradient rows: vec(δ āᵀ) per layer, concatenated
        blocks = [(d[:, :, None] * a[:, None, :]).reshape(N, -1) for a, d in zip(abar, per_layer)]
        rows.append(torch.cat(blocks, dim=1) if LIB == "torch" else np.concatenate(blocks, axis=1))
    V = torch.cat(rows, dim=0) if LIB == "torch" else np.concatenate(rows, axis=0)
    return V.T @ V / N


def mc_fisher(M):
    """Score-outer-product Monte Carlo Fisher of N(mu, sigma) in (mu, sigma), M samples."""
    mu, sigma = 0.3, 1.7
    x = mu + sigma * (torch.randn(M) if LIB == "torch" else rng.standard_normal(M))
    z = (x - mu) / sigma
    s = torch.stack([z / sigma, (z * z - 1) / sigma], dim=1) if LIB == "torch" else np.stack([z / sigma, (z * z - 1) / sigma], axis=1)
    return s.T @ s / M


def gemm_workloads(out, sizes):
    """The GEMM of two random n x n matrices at each size; returns the last pair."""
    for n in sizes:
        a, b = arr((n, n)), arr((n, n))
        out[f"gemm-{n}"] = time_it(lambda: a @ b, 7)
    return a, b


def loaded_blas():
    """The BLAS/LAPACK shared objects this process actually mapped (Debian picks them through update-alternatives)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line or "lapack" in line}
    return sorted(libs)


def emit(out):
    """Prints the results with this process's whole CPU time (all threads), from which bench/run.ts tells the other processes' share."""
    out["process-cpu-s"] = time.process_time()
    print(json.dumps(out))


def main():
    out = {}
    if ONLY == "cnn-kfac":
        if LIB == "torch":
            out["cnn-kfac"] = time_it(cnn_kfac_stepper(), CNN_KFAC["runs"])
        emit(out)
        return
    if ONLY == "kfac-gemm":
        wall, cpu = time.perf_counter(), time.process_time()
        kfac_workloads(out)
        gemm_workloads(out, SIZES)
        out["cores-used"] = (time.process_time() - cpu) / (time.perf_counter() - wall)
        out["blas"] = loaded_blas()
        out["threads"] = THREADS
        emit(out)
        return
    wall, cpu = time.perf_counter(), time.process_time()
    kfac_workloads(out)
    if ONLY == "kfac-memory":
        out["peak-rss-mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        emit(out)
        return
    if LIB == "torch":
        out["cnn-kfac"] = time_it(cnn_kfac_stepper(), CNN_KFAC["runs"])
    Ws, bs, X, _ = mlp(DENSE_FISHER["sizes"], DENSE_FISHER["batch"])
    out["dense-fisher"] = time_it(lambda: dense_fisher(Ws, bs, X), DENSE_FISHER["runs"])
    for n in SIZES:
        a, b = gemm_workloads(out, [n])
        s = a @ a.T + n * eye(n)
        out[f"cholesky-inverse-{n}"] = time_it(lambda: chol_inv(s), 7)
        out[f"eigh-{n}"] = time_it(lambda: eigh(s), 5)
    M = 200_000
    t = time_it(lambda: mc_fisher(M), 5)
    out["mc-fisher"] = {**t, "samplesPerSecond": M / (t["median"] / 1000)}
    out["cores-used"] = (time.process_time() - cpu) / (time.perf_counter() - wall)
    out["blas"] = loaded_blas()
    out["threads"] = THREADS
    emit(out)


main()
