#!/usr/bin/python3
"""Times FISTA inference in PyTorch, as the baseline for varsparse's Java FISTA (not run by the tests).

The loop is METHOD.md §1.4 (deep-sparse utils.ISTA with --FISTA --positive_ISTA), on MNIST shapes
(B = 250, P = 784, l = 128, H = 1024), always for the full K = 200 iterations: tol = 0 marks no row as
converged, so every variant does the same work every iteration (the relative change is still computed).

Variants (median wall time per 200-iteration solve):
  linear-autograd   the reference's form: decoder forward, loss, autograd backward to the codes
  linear-explicit   hand-written gradient with two GEMMs per iteration: R = (2/P)(Z Wᵀ − Y), ∇ = R W
  linear-gram       Gram form: WᵀW and Y W once per solve, ∇ = (2/P)(Z WᵀW − Y W)
  nl-autograd       one-hidden-layer decoder (H = 1024), the reference's form
  nl-explicit       the same, hand-written backward (four GEMMs per iteration)
Linear variants use the MNIST VDL values (λ 0.02, η 0.5, β 10, T 0.5, γ 5), NL ones MNIST VDL-NL
(λ 0.01, η 0.5, β 10, T 0.5, γ 100). The variants of each decoder are checked against each other.

Run on 2 threads with OpenBLAS (shared/DATA.md, "Cross-checking against Python"):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE \\
      /usr/bin/python3 benchmarks/torch/fista_pytorch.py
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # busy-waiting threads on 2 shared cores are 10x slower

import numpy as np  # noqa: E402
import torch  # noqa: E402

B, P, L, H = 250, 784, 128, 1024
K = 200
VDL = dict(lam=0.02, eta=0.5, beta=10.0, T=0.5, gamma=5.0)
VDL_NL = dict(lam=0.01, eta=0.5, beta=10.0, T=0.5, gamma=100.0)


# ---------------------------------------------------------------- the smooth part and its gradient

def std_over_batch(z):
    """Unbiased std of each code component over the batch (dim 0)."""
    return torch.norm(z - z.mean(0), p=2, dim=0) / (z.shape[0] - 1) ** 0.5


def smooth_energy(z, y, decode, e, c):
    """Σ_i mean_p (y − D(z))² + β Σ_j relu(T − σ_j)² + γ Σ_i mean_k (z − e)²."""
    rec = ((y - decode(z)) ** 2).mean(1).sum()
    hinge = (torch.relu(c["T"] - std_over_batch(z)) ** 2).sum()
    code = ((z - e) ** 2).mean(1).sum()
    return rec + c["beta"] * hinge + c["gamma"] * code


def hinge_and_code_grad(a, e, c):
    """β·hinge + γ·code gradient at a (B×l); zero hinge gradient where σ_j = 0."""
    m = a.mean(0)
    cen = a - m
    sigma = torch.norm(cen, p=2, dim=0) / (a.shape[0] - 1) ** 0.5
    gap = torch.relu(c["T"] - sigma)
    coef = torch.where(sigma > 0, -2.0 * c["beta"] * gap / ((a.shape[0] - 1) * sigma), torch.zeros_like(sigma))
    return cen * coef + (2.0 * c["gamma"] / a.shape[1]) * (a - e)


# ---------------------------------------------------------------- the loop

def fista(grad_at, e, c, tol=0.0):
    """FISTA from Z⁰ = E with the row-masked prox step; returns (Z, per-sample non-converged counts)."""
    z = e.clone()
    aux = z.clone()
    t = 1.0
    s = torch.zeros(e.shape[0], 1)
    steps = torch.zeros(e.shape[0], 1)
    for _ in range(K):
        g = grad_at(aux)
        z_old = z
        live = 1 - s
        z = torch.relu(aux - live * c["eta"] * g - live * c["lam"] * c["eta"])
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        aux = z + ((t - 1) / t_new) * (z - z_old)
        t = t_new
        r = torch.norm(z_old - z, dim=1) / torch.norm(z_old, dim=1)
        s = (r < tol).float().unsqueeze(1)
        steps += 1 - s
    return z, steps


def autograd_grad(y, decode, e, c):
    def grad_at(aux):
        a = aux.detach().requires_grad_(True)
        smooth_energy(a, y, decode, e, c).backward()
        return a.grad
    return grad_at


def linear_explicit_grad(y, w, e, c):
    def grad_at(aux):
        r = (aux @ w.T - y) * (2.0 / P)
        return r @ w + hinge_and_code_grad(aux, e, c)
    return grad_at


def linear_gram_grad(y, w, e, c):
    gram = w.T @ w  # l×l
    yw = y @ w  # B×l
    def grad_at(aux):
        return (aux @ gram - yw) * (2.0 / P) + hinge_and_code_grad(aux, e, c)
    return grad_at


def nl_explicit_grad(y, w1, b1, w2, e, c):
    def grad_at(aux):
        h = torch.relu(aux @ w1.T + b1)
        r = (h @ w2.T - y) * (2.0 / P)
        gh = (r @ w2) * (h > 0)
        return gh @ w1 + hinge_and_code_grad(aux, e, c)
    return grad_at


# ---------------------------------------------------------------- timing

def time_solves(name, make_grad, e, c, repeats, flops_per_iter):
    """Median ms per 200-iteration solve; make_grad is called inside the timed region (Gram setup counts)."""
    fista(make_grad(), e, c)  # warm-up
    times = []
    z = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        with torch.no_grad() if "autograd" not in name else torch.enable_grad():
            z, _ = fista(make_grad(), e, c)
        times.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(times)
    print(f"{name:16s} median {med:9.1f} ms/solve  ({med / K:6.3f} ms/iter, {flops_per_iter * K / med / 1e6:6.1f} "
          f"GFLOP/s GEMM)  min {min(times):8.1f}  max {max(times):8.1f}  n={repeats}", flush=True)
    return z


def load_inputs(gen):
    """MNIST Y and the case-1 W, E from the golden fixtures when present, else random stand-ins."""
    here = os.path.dirname(os.path.abspath(__file__))
    gold = os.path.join(here, "..", "..", "src", "test", "resources", "golden")
    try:
        y = torch.from_numpy(np.load(os.path.join(gold, "mnist250_Y.npy")))
        w = torch.from_numpy(np.load(os.path.join(gold, "fista_linear_vdl_W.npy")))
        e = torch.from_numpy(np.load(os.path.join(gold, "fista_linear_vdl_E.npy")))
        src = "golden fixtures (MNIST t10k[0:250], case-1 W and E)"
    except FileNotFoundError:
        y = torch.randn(B, P, generator=gen)
        w = (torch.rand(P, L, generator=gen) * 2 - 1) / L ** 0.5
        e = torch.relu(torch.randn(B, L, generator=gen)) * 0.2
        src = "random stand-ins"
    return y, w, e, src


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=7, help="timed solves per variant (after one warm-up)")
    ap.add_argument("--nl-repeats", type=int, default=3, help="timed solves per NL variant")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(31)
    y, w, e, src = load_inputs(gen)
    blas = [l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS')}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, "
          f"LD_LIBRARY_PATH={os.environ.get('LD_LIBRARY_PATH', '')}")
    print("build:", "; ".join(blas) if blas else "(no BLAS line)")
    print(f"inputs: {src}; B={B} P={P} l={L} H={H}, K={K} iterations per solve (tol 0: no early stop)")

    c = VDL
    lin_flops = 2 * 2 * B * P * L
    gram_flops = 2 * B * L * L
    z_auto = time_solves("linear-autograd", lambda: autograd_grad(y, lambda z: z @ w.T, e, c), e, c,
                         args.repeats, lin_flops)
    z_expl = time_solves("linear-explicit", lambda: linear_explicit_grad(y, w, e, c), e, c, args.repeats, lin_flops)
    z_gram = time_solves("linear-gram", lambda: linear_gram_grad(y, w, e, c), e, c, args.repeats, gram_flops)
    print(f"  check: max|Z_explicit - Z_autograd| {(z_expl - z_auto).abs().max():.3g}, "
          f"max|Z_gram - Z_autograd| {(z_gram - z_auto).abs().max():.3g}, max|Z| {z_auto.abs().max():.3g}")

    c = VDL_NL
    w1 = (torch.rand(H, L, generator=gen) * 2 - 1) / L ** 0.5
    b1 = torch.zeros(H)
    w2 = (torch.rand(P, H, generator=gen) * 2 - 1) / H ** 0.5
    nl_flops = 2 * (2 * B * L * H + 2 * B * H * P)
    decode = lambda z: torch.relu(z @ w1.T + b1) @ w2.T  # noqa: E731
    z_auto = time_solves("nl-autograd", lambda: autograd_grad(y, decode, e, c), e, c, args.nl_repeats, nl_flops)
    z_expl = time_solves("nl-explicit", lambda: nl_explicit_grad(y, w1, b1, w2, e, c), e, c, args.nl_repeats, nl_flops)
    print(f"  check: max|Z_explicit - Z_autograd| {(z_expl - z_auto).abs().max():.3g}, max|Z| {z_auto.abs().max():.3g}")


if __name__ == "__main__":
    main()
