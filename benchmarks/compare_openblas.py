#!/usr/bin/env python3
"""Paired, interleaved comparison of varsparse's simd SGEMM with OpenBLAS sgemm (through numpy).

Each round times, for every (shape, threads) cell, one block of the Java GEMM (a long-running
org.varsparse.bench.GemmDriver process) and one block of numpy.matmul on the same shapes and layouts, in
alternating order, and records the ratio java/openblas of that round. Reported: the median GFLOP/s of each
side, the median of the per-round ratios per cell, and the median over cells (PERF-NOTES "How to measure":
absolute GFLOP/s drift over minutes, so only paired ratios mean much).

On a shared machine (other processes running) wall-clock numbers measure the contention as much as the code:
so for 1-thread cells the script also reports GFLOP/s over the calling thread's CPU time, on both sides (the
whole work runs on that thread then), which other processes barely disturb. Its load average is printed.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from this process's environment before numpy loads
OpenBLAS (the script re-executes itself without them), so OpenBLAS picks its kernel for this CPU; the
kernel name is printed. --keep-openblas-env keeps them.

Usage (after ./run.sh build and mvn -f benchmarks/pom.xml package, or ./run.sh bench once):
    python3 benchmarks/compare_openblas.py [--rounds 15] [--block 0.25] [--markdown]
"""
import argparse
import ctypes
import glob
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OPENBLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# name: (form, m, k, n), as GemmShape.java; C is m x n.
SHAPES = {
    "NN_250x784x128": ("NN", 250, 784, 128),
    "NT_250x128x784": ("NT", 250, 128, 784),
    "TN_128x784x128": ("TN", 128, 784, 128),
    "NT_250x1024x784": ("NT", 250, 1024, 784),
    "NN_250x784x1024": ("NN", 250, 784, 1024),
    "NN_250x128x128": ("NN", 250, 128, 128),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--block", type=float, default=0.25, help="seconds per timed block")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--shapes", default=",".join(SHAPES))
    p.add_argument("--java", default=None, help="java binary (default: $JAVA_HOME/bin/java)")
    p.add_argument("--jar", default=os.path.join(HERE, "target", "benchmarks.jar"))
    p.add_argument("--markdown", action="store_true", help="print the table as markdown")
    p.add_argument("--keep-openblas-env", action="store_true")
    return p.parse_args()


def openblas_lib():
    """ctypes handle and symbol prefix/suffix of the OpenBLAS that numpy loaded."""
    import numpy
    libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*.so*"))
    libs += glob.glob(os.path.join(os.path.dirname(numpy.__file__), ".libs", "*openblas*.so*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for pre, suf in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
            if hasattr(lib, pre + "get_corename" + suf):
                return lib, pre, suf
    sys.exit("compare_openblas.py: cannot find numpy's OpenBLAS library (numpy.libs/*openblas*.so)")


class OpenBlas:
    def __init__(self):
        self.lib, pre, suf = openblas_lib()
        self._corename = getattr(self.lib, pre + "get_corename" + suf)
        self._corename.restype = ctypes.c_char_p
        self._config = getattr(self.lib, pre + "get_config" + suf)
        self._config.restype = ctypes.c_char_p
        self._set_threads = getattr(self.lib, pre + "set_num_threads" + suf)
        self._set_threads.argtypes = [ctypes.c_int]

    def corename(self):
        return self._corename().decode()

    def config(self):
        return self._config().decode()

    def set_threads(self, n):
        self._set_threads(n)


def numpy_case(name, rng):
    import numpy as np
    form, m, k, n = SHAPES[name]
    f32 = np.float32
    if form == "NN":
        a, b = rng.uniform(-1, 1, (m, k)).astype(f32), rng.uniform(-1, 1, (k, n)).astype(f32)
        ops = (a, b)
    elif form == "NT":  # B stored n x k, used transposed: no copy, sgemm gets the transpose flag
        a, b = rng.uniform(-1, 1, (m, k)).astype(f32), rng.uniform(-1, 1, (n, k)).astype(f32)
        ops = (a, b.T)
    else:  # TN: two distinct k x m / k x n arrays, so numpy cannot turn it into syrk
        a, b = rng.uniform(-1, 1, (k, m)).astype(f32), rng.uniform(-1, 1, (k, n)).astype(f32)
        ops = (a.T, b)
    out = np.empty((m, n), f32)
    return ops[0], ops[1], out, 2.0 * m * k * n


def time_numpy(case, seconds):
    """(GFLOP/s over wall time, GFLOP/s over this thread's CPU time)."""
    import numpy as np
    a, b, out, flops = case
    calls = 0
    c0 = time.thread_time()
    t0 = time.perf_counter()
    while True:
        for _ in range(4):
            np.matmul(a, b, out=out)
        calls += 4
        t = time.perf_counter() - t0
        if t >= seconds:
            return flops * calls / t / 1e9, flops * calls / (time.thread_time() - c0) / 1e9


def machine_lines(java, openblas):
    lines = []
    model = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    jv = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()
    import numpy
    lines.append("date: " + time.strftime("%Y-%m-%d %H:%M %Z") + ", load average (1 min) %.1f" % os.getloadavg()[0])
    lines.append(f"cpu: {model}, {os.cpu_count()} logical cpus, {platform.machine()}")
    lines.append("java: " + (jv[1] if len(jv) > 1 else jv[0] if jv else "?"))
    lines.append(f"numpy {numpy.__version__}; {openblas.config()}; kernel in use: {openblas.corename()}")
    kept = {k: os.environ[k] for k in OPENBLAS_ENV if k in os.environ}
    lines.append("OpenBLAS env: " + (", ".join(f"{k}={v}" for k, v in kept.items()) or "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"))
    return lines


def main():
    args = parse_args()
    if not args.keep_openblas_env and any(k in os.environ for k in OPENBLAS_ENV):
        env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_ENV}
        os.execve(sys.executable, [sys.executable] + sys.argv, env)  # before numpy loads OpenBLAS

    import numpy as np
    openblas = OpenBlas()
    java = args.java or os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java")
    if not os.path.exists(args.jar):
        sys.exit(f"compare_openblas.py: {args.jar} is missing; build it: ./run.sh build && mvn -f benchmarks/pom.xml -DskipTests package")
    cmd = [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx2g",
           "-cp", args.jar, "org.varsparse.bench.GemmDriver"]
    print("+ " + " ".join(cmd), file=sys.stderr)
    driver = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    hello = driver.stdout.readline().strip()
    print("java driver: " + hello, file=sys.stderr)

    def java_block(shape, threads, seconds):
        driver.stdin.write(f"{shape} {threads} {seconds}\n")
        driver.stdin.flush()
        wall, cpu = driver.stdout.readline().split()[:2]
        return float(wall), float(cpu)

    shapes = args.shapes.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    rng = np.random.default_rng(7)
    cases = {s: numpy_case(s, rng) for s in shapes}
    cells = [(s, t) for s in shapes for t in threads]
    jv = {c: [] for c in cells}
    ob = {c: [] for c in cells}
    ratio = {c: [] for c in cells}
    jv_cpu = {c: [] for c in cells}
    ob_cpu = {c: [] for c in cells}
    ratio_cpu = {c: [] for c in cells}

    # Warm-up: the Java side JIT-compiles on each cell's first request; OpenBLAS starts its threads.
    for s, t in cells:
        openblas.set_threads(t)
        time_numpy(cases[s], 0.2)
        java_block(s, t, 0.2)

    settle = 0.15  # OpenBLAS worker threads spin for a while after a call; let them go to sleep
    for r in range(args.rounds):
        for i, (s, t) in enumerate(cells):
            openblas.set_threads(t)
            if (r + i) % 2 == 0:
                g_java = java_block(s, t, args.block)
                g_blas = time_numpy(cases[s], args.block)
            else:
                g_blas = time_numpy(cases[s], args.block)
                time.sleep(settle)
                g_java = java_block(s, t, args.block)
            time.sleep(settle)
            jv[(s, t)].append(g_java[0])
            ob[(s, t)].append(g_blas[0])
            ratio[(s, t)].append(g_java[0] / g_blas[0])
            jv_cpu[(s, t)].append(g_java[1])
            ob_cpu[(s, t)].append(g_blas[1])
            ratio_cpu[(s, t)].append(g_java[1] / g_blas[1])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    driver.stdin.close()
    driver.wait()

    med = statistics.median
    print("\n".join(machine_lines(java, openblas)))
    print(f"{args.rounds} rounds, {args.block} s blocks, alternating order; GFLOP/s medians; ratio = median of per-round simd/OpenBLAS")
    print_table("wall clock", cells, shapes, threads, jv, ob, ratio, args.markdown)
    if 1 in threads:
        one = [c for c in cells if c[1] == 1]
        print_table("1 thread, CPU time of the calling thread", one, shapes, [1], jv_cpu, ob_cpu, ratio_cpu, args.markdown)


def print_table(title, cells, shapes, threads, jv, ob, ratio, markdown):
    med = statistics.median
    print()
    print(title + ":")
    rows = [("shape", "threads", "simd GFLOP/s", "OpenBLAS GFLOP/s", "ratio (median)", "ratio IQR")]
    cell_ratios = []
    for s, t in cells:
        rs = sorted(ratio[(s, t)])
        q = statistics.quantiles(rs, n=4, method="inclusive") if len(rs) >= 2 else [rs[0], rs[0], rs[0]]
        cell_ratios.append(med(rs))
        rows.append((s, str(t), f"{med(jv[(s, t)]):.1f}", f"{med(ob[(s, t)]):.1f}", f"{med(rs):.2f}", f"{q[0]:.2f}-{q[2]:.2f}"))
    if len(threads) > 1:
        for t in threads:
            per_t = [med(ratio[(s, t)]) for s in shapes]
            rows.append(("median over shapes", str(t), "", "", f"{med(per_t):.2f}", ""))
    rows.append(("median over cells", "", "", "", f"{med(cell_ratios):.2f}", ""))
    if markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)))

if __name__ == "__main__":
    main()
