#!/usr/bin/env python3
"""The FISTA loop of varsparse / deep-sparse (utils.ISTA with --FISTA --positive_ISTA; METHOD.md section 1.4) in
PyTorch on CUDA, float32, for timing against the TornadoVM backend on the same inputs.

Run by GpuCheck (./run.sh gpu-check, local/gpu/run-gpu-check.sh), which writes the inputs as raw little-endian
float32 files into --dir: Y (maxb x 784), E (maxb x 128), W (784 x 128), W1 (1024 x 128), b1 (1024), W2 (784 x 1024).
Prints one line per cell: ROW <tab> decoder <tab> B <tab> mode <tab> ms/solve (median) <tab> iterations.

Linear decoder in Gram form, grad = (2/P)(Z W^T W - Y W) with W^T W and Y W formed once per solve (inside the
timed region); one-hidden-layer decoder explicit: H = relu(Z W1^T + b1), R = (2/P)(H W2^T - Y),
grad = ((R W2) * 1[H > 0]) W1. Hinge on the unbiased column std, code term (2 gamma / l)(Z - E). As the reference,
the all-rows-converged test runs every iteration (one device-to-host sync per iteration).
"""
import argparse
import math
import statistics
import sys
import time

try:
    import torch
except ImportError:
    print("SKIP: PyTorch is not importable here")
    sys.exit(0)

P, L, HID = 784, 128, 1024
CONFIGS = {  # lambda, eta, beta, T, gamma (MNIST VDL / VDL-NL, METHOD.md section 3)
    "linear VDL": (0.02, 0.5, 10.0, 0.5, 5.0),
    "NL VDL-NL": (0.01, 0.5, 10.0, 0.5, 100.0),
}


def load(d, name, *shape):
    n = 1
    for s in shape:
        n *= s
    return torch.from_file(f"{d}/{name}.f32", shared=False, size=n, dtype=torch.float32).reshape(*shape)


def solve(Y, E, dec, cfg, K, tol):
    lam, eta, beta, T, gamma = cfg
    B, l = E.shape
    scale = 2.0 / Y.shape[1]
    Z = E.clone()
    A = Z.clone()
    s = torch.zeros(B, 1, device=Y.device)
    t = 1.0
    iters = 0
    if dec[0] == "lin":
        W = dec[1]
        G = W.t() @ W          # (l x l)
        YW = Y @ W             # (B x l)
    for k in range(K):
        if dec[0] == "lin":
            grad = scale * (A @ G) - scale * YW
        else:
            _, W1, b1, W2 = dec
            Hpre = A @ W1.t() + b1
            Hh = torch.relu(Hpre)
            R = scale * (Hh @ W2.t() - Y)
            grad = ((R @ W2) * (Hh > 0)) @ W1
        if beta > 0:
            m = A.mean(0)
            c = A - m
            sd = torch.sqrt((c * c).sum(0) / (B - 1))
            coef = torch.where((sd > 0) & (sd < T), -2 * beta * (T - sd) / ((B - 1) * sd), torch.zeros_like(sd))
            grad = grad + coef * c
        if gamma > 0:
            grad = grad + (2 * gamma / l) * (A - E)
        Zold = Z
        live = 1 - s
        Z = torch.clamp(A - live * eta * grad - live * lam * eta, min=0)
        tn = 0.5 * (1 + math.sqrt(1 + 4 * t * t))
        A = Z + ((t - 1) / tn) * (Z - Zold)
        t = tn
        r = (Zold - Z).norm(dim=1) / Zold.norm(dim=1)
        s = (r < tol).float().unsqueeze(1)   # NaN compares false: not converged
        iters = k + 1
        if k < K - 1 and bool(s.all()):       # host sync every iteration, as the reference
            break
    return Z, iters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--maxb", type=int, required=True)
    ap.add_argument("--sizes", default="250,1000,4000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--device", default="cuda", help="cuda (default); cpu only to try the script without a GPU")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("SKIP: torch.cuda is not available (torch %s)" % torch.__version__)
        return
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.backends.cuda.matmul.allow_tf32 = False   # plain float32, as the Java backends
    torch.backends.cudnn.allow_tf32 = False
    print("torch %s on %s" % (torch.__version__, torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu"))
    Yall = load(a.dir, "Y", a.maxb, P).to(dev)
    Eall = load(a.dir, "E", a.maxb, L).to(dev)
    decs = {
        "linear VDL": ("lin", load(a.dir, "W", P, L).to(dev)),
        "NL VDL-NL": ("nl", load(a.dir, "W1", HID, L).to(dev), load(a.dir, "b1", HID).to(dev),
                      load(a.dir, "W2", P, HID).to(dev)),
    }
    for name, dec in decs.items():
        for B in [int(x) for x in a.sizes.split(",")]:
            Y, E = Yall[:B].contiguous(), Eall[:B].contiguous()
            for mode, tol in (("tol 0", 0.0), ("tol 1e-3", 1e-3)):
                for _ in range(2):
                    solve(Y, E, dec, CONFIGS[name], a.iters, tol)
                sync()
                ms = []
                iters = 0
                for _ in range(a.runs):
                    t0 = time.perf_counter()
                    _, iters = solve(Y, E, dec, CONFIGS[name], a.iters, tol)
                    sync()
                    ms.append((time.perf_counter() - t0) * 1e3)
                print("ROW\t%s\t%d\t%s\t%.3f\t%d" % (name, B, mode, statistics.median(ms), iters), flush=True)


if __name__ == "__main__":
    main()
