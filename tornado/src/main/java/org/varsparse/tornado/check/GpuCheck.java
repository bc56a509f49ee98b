package org.varsparse.tornado.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.varsparse.backend.Backends;
import org.varsparse.inference.Energy;
import org.varsparse.inference.Fista;
import org.varsparse.inference.FistaConfig;
import org.varsparse.inference.FistaResult;
import org.varsparse.io.Npy;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.ListaEncoder;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import org.varsparse.tornado.KernelVariant;
import org.varsparse.tornado.StepVariant;
import org.varsparse.tornado.TornadoFista;
import org.varsparse.tornado.TornadoOps;

/**
 * {@code ./run.sh gpu-check} and {@code local/gpu/run-gpu-check.sh}: the device checks (every kernel against the
 * scalar oracle, the FISTA graph against CPU FISTA on the golden batches), then FISTA solve timings at MNIST
 * shapes (P 784, l 128, H 1024; VDL and VDL-NL values) for the device, the CPU backend and, when a PyTorch
 * script is given and CUDA is there, the same loop in PyTorch on the same inputs. Prints one table. The device
 * checks and timings run for the {@link KernelVariant}s {@code --kernels} names (default all three, whatever
 * {@code -Dvarsparse.tornado.kernels} says): the plain kernels (checks as before, rows "tornado/plain/…"), the
 * register-tiled ones (checks named "tiled …" and "case … tiled", rows "tornado/tiled/…") and the local-memory tiled
 * ones (checks "local …", "local = plain …" and "case … local", rows "tornado/local/…"), each with the
 * {@link StepVariant}s {@code --steps} names (default both: rows "…/loops" and "…/groups", checks "groups …" and
 * "case … groups"). Exit
 * status: 0 all checks passed and every timing cell valid, 3 a check failed, 4 the checks passed but a device timing
 * cell was INVALID (its final iterations / codes / energy disagree with a CPU {@link Fista} solve of the same
 * inputs and config beyond the tolerances of {@link #validate}, or the cell threw); anything else: TornadoVM or the
 * JVM failed, e.g. no device. Invalid rows are printed in the table marked INVALID and get no ratio.
 *
 * <pre>
 *   --golden DIR        the golden .npy fixtures (required)
 *   --sizes 250,1000,4000   batch sizes timed on the device      --cpu-sizes 250   batch sizes timed on the CPU
 *   --runs 5            timed solves per cell (median reported; fewer when one solve takes over 2 s)
 *   --iters 200         K (fixed-work rows run exactly K iterations)
 *   --torch SCRIPT      tornado/bench/fista_torch_cuda.py (run with python3, if present)
 *   --out FILE          also write the table there               --skip-bench / --skip-checks
 *   --skip-kernel-checks    only the golden FISTA checks         --cases 2   which golden cases (1-based; default all)
 *   --budget 300        seconds after the start beyond which no further Java bench cell starts (all kernel variants)
 *   --validate-max-b 4000   device timing cells up to this B are checked against a CPU solve (larger: unchecked)
 *   --kernels local,tiled,plain   the kernel variants checked and timed, in this order (default all three)
 *   --steps groups,loops    the step-kernel variants checked and timed with each of them (default both)
 *   --unroll 1,4            iterations per step launch timed for the first kernel × step variant (rows "…/u4";
 *                           the others: 1)
 * </pre>
 */
public final class GpuCheck {
    private static final int P = 784, L = 128, H = 1024;
    private static long deadline = Long.MAX_VALUE; // System.nanoTime() after which bench cells are skipped
    private static int validateMaxB = 4000;
    private static int invalidCells = 0; // device timing cells that failed validation or threw
    private static List<KernelVariant> variants = List.of(KernelVariant.values());
    private static List<StepVariant> steps = List.of(StepVariant.values());
    private static int[] unrolls = {1, 4};

    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        Path golden = Path.of(require(opt, "golden"));
        int[] sizes = ints(opt.getOrDefault("sizes", "250,1000,4000"));
        int[] cpuSizes = ints(opt.getOrDefault("cpu-sizes", "250"));
        int runs = Integer.parseInt(opt.getOrDefault("runs", "5"));
        int iters = Integer.parseInt(opt.getOrDefault("iters", "200"));
        long start = System.nanoTime();
        // Java bench cells start only within this many seconds of the start (PyTorch runs after them)
        deadline = start + (long) (Double.parseDouble(opt.getOrDefault("budget", "300")) * 1e9);
        validateMaxB = Integer.parseInt(opt.getOrDefault("validate-max-b", "4000"));
        // Default order: the newest, most promising variants first, so that a spent --budget cuts the plain ones
        variants = Arrays.stream(opt.getOrDefault("kernels", "local,tiled,plain").split(","))
                .map(v -> KernelVariant.valueOf(v.trim().toUpperCase(Locale.ROOT))).toList();
        steps = Arrays.stream(opt.getOrDefault("steps", "groups,loops").split(","))
                .map(v -> StepVariant.valueOf(v.trim().toUpperCase(Locale.ROOT))).toList();
        unrolls = ints(opt.getOrDefault("unroll", "1,4"));

        List<TornadoOps> devices = variants.stream().map(TornadoOps::create).toList(); // one backend per variant
        TensorOps cpu = Backends.createCpu();
        StringBuilder report = new StringBuilder();
        line(report, "varsparse GPU check: JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores");
        line(report, "TornadoVM device: " + devices.get(0).deviceName() + "; kernels "
                + variants.stream().map(KernelVariant::label).reduce((a, b) -> a + ", " + b).orElse(""));
        line(report, "CPU backend: " + Backends.describe(cpu));

        int failed = 0;
        if (!opt.containsKey("skip-checks")) {
            line(report, "");
            line(report, "== checks: device vs CPU oracle (scalar) ==");
            List<Check> checks = new ArrayList<>();
            if (!opt.containsKey("skip-kernel-checks")) {
                for (TornadoOps device : devices) {
                    checks.addAll(KernelChecks.all(device, steps));
                }
            }
            List<FistaChecks.Case> all = FistaChecks.cases(golden);
            List<FistaChecks.Case> cases = !opt.containsKey("cases") ? all // 1-based, as the checks name them
                    : Arrays.stream(ints(opt.get("cases"))).mapToObj(i -> all.get(i - 1)).toList();
            for (FistaChecks.Case c : cases) {
                for (KernelVariant k : variants) {
                    for (StepVariant s : steps) {
                        checks.addAll(FistaChecks.check(c, k, s));
                    }
                }
            }
            for (Check c : checks) {
                line(report, c.toString());
                failed += c.passed() ? 0 : 1;
            }
            line(report, failed == 0 ? "all " + checks.size() + " checks passed" : failed + " of " + checks.size() + " checks FAILED");
        }

        if (!opt.containsKey("skip-bench")) {
            line(report, "");
            line(report, LaunchOverhead.measure());
            bench(report, golden, sizes, cpuSizes, runs, iters, cpu, opt.get("torch"));
        }
        line(report, String.format(Locale.ROOT, "total %.1f s", (System.nanoTime() - start) / 1e9));
        if (opt.containsKey("out")) {
            Files.writeString(Path.of(opt.get("out")), report.toString());
        }
        if (invalidCells > 0) {
            System.out.println(invalidCells + " device timing cell(s) INVALID (see the table): exit 4");
        }
        System.exit(failed != 0 ? 3 : invalidCells != 0 ? 4 : 0);
    }

    /** One bench row. */
    private record Row(String backend, String decoder, int b, String mode, double ms, int iterations, String invalid) {
        Row(String backend, String decoder, int b, String mode, double ms, int iterations) {
            this(backend, decoder, b, mode, ms, iterations, null);
        }

        Row invalid(String why) {
            return new Row(backend, decoder, b, mode, ms, iterations, why);
        }
    }

    private static void bench(StringBuilder report, Path golden, int[] sizes, int[] cpuSizes, int runs, int iters,
                              TensorOps cpu, String torchScript) throws Exception {
        SplittableRandom rng = new SplittableRandom(31);
        LinearDictionary lin = LinearDictionary.init(P, L, rng);
        OneHiddenDecoder nl = OneHiddenDecoder.init(P, H, L, rng);
        ListaEncoder enc = ListaEncoder.init(P, L, 3, rng);
        int maxB = Arrays.stream(sizes).max().orElse(250);
        maxB = Math.max(maxB, Arrays.stream(cpuSizes).max().orElse(0));
        Matrix mnist = Npy.read(golden.resolve("mnist250_Y.npy")).toMatrix();
        Matrix yAll = new Matrix(maxB, P); // MNIST rows tiled, with a little noise so no two rows are equal
        for (int i = 0; i < maxB; i++) {
            for (int j = 0; j < P; j++) {
                yAll.set(i, j, mnist.get(i % mnist.rows, j) + 0.01f * (float) (rng.nextDouble() - 0.5));
            }
        }
        Matrix eAll = new Matrix(maxB, L);
        enc.encode(cpu, yAll, eAll);
        FistaConfig vdl = FistaConfig.mnistVdl().withMaxInferenceSteps(iters);
        FistaConfig vdlNl = FistaConfig.mnistVdlNl().withMaxInferenceSteps(iters);

        List<Row> rows = new ArrayList<>();
        List<TornadoFista> plans = new ArrayList<>();
        Map<String, FistaResult> cpuSolves = new HashMap<>(); // the CPU solves validating device cells (every variant)
        for (Decoder d : new Decoder[] {lin, nl}) {
            String dn = d instanceof LinearDictionary ? "linear VDL" : "NL VDL-NL";
            FistaConfig real = d instanceof LinearDictionary ? vdl : vdlNl;
            FistaConfig fixed = withTolerance(real, 0);
            // CPU first (small, predictable), then the device by increasing B: a slow big cell cannot crowd out the rest
            for (int b : cpuSizes) {
                Matrix y = yAll.rowSlice(0, b), e = eAll.rowSlice(0, b);
                Fista f = new Fista(cpu, d, b, fixed);
                add(rows, time(cpu.name(), dn, b, "tol 0", Math.min(runs, 3), false, () -> f.solve(y, e)));
                Fista fr = new Fista(cpu, d, b, real);
                add(rows, time(cpu.name(), dn, b, "tol 1e-3", Math.min(runs, 3), false, () -> fr.solve(y, e)));
            }
            for (int b : sizes) {
                for (KernelVariant k : variants) { // every variant at one B before the next B
                    for (StepVariant s : steps) {
                        boolean first = k == variants.get(0) && s == steps.get(0);
                        for (int u : first ? unrolls : new int[] {1}) { // the unroll factors: first variant only
                            if (System.nanoTime() > deadline) {
                                System.out.printf("  %s %s B=%d: skipped (bench time budget spent)%n",
                                        label(k, s, u), dn, b);
                                continue;
                            }
                            benchDevice(rows, plans, cpuSolves, cpu, d, dn, yAll.rowSlice(0, b), eAll.rowSlice(0, b),
                                    fixed, real, runs, k, s, u);
                        }
                    }
                }
            }
        }
        for (TornadoFista p : plans) {
            try {
                p.close();
            } catch (RuntimeException ex) {
                System.out.println("  closing a plan failed: " + ex);
            }
        }
        List<Row> torch = torch(torchScript, yAll, eAll, lin, nl, sizes, runs, iters);
        rows.addAll(torch);

        line(report, String.format(Locale.ROOT, "== FISTA solve timings: P %d, l %d, H %d, K %d; median of %d solves ==",
                P, L, H, iters, runs));
        line(report, "(tol 0 = fixed work, K iterations; tol 1e-3 = the reference's stopping rule, iterations as run."
                + " ratio = this row's ms / PyTorch CUDA's ms for the same decoder, B and tol; < 1 is faster)");
        line(report, String.format("%-23s %-10s %5s %-8s %12s %6s %9s %10s", "backend", "decoder", "B", "tol",
                "ms/solve", "iters", "solves/s", "vs torch"));
        for (Row r : rows) {
            Row t = torch.stream().filter(x -> x.decoder.equals(r.decoder) && x.b == r.b && x.mode.equals(r.mode))
                    .findFirst().orElse(null);
            String ratio = t == null || r.invalid != null ? "-" : String.format(Locale.ROOT, "%.2f", r.ms / t.ms);
            line(report, String.format(Locale.ROOT, "%-23s %-10s %5d %-8s %12.2f %6d %9.2f %10s%s", r.backend, r.decoder,
                    r.b, r.mode, r.ms, r.iterations, 1000.0 / r.ms, ratio,
                    r.invalid == null ? "" : "  INVALID: " + r.invalid));
        }
        if (torch.isEmpty()) {
            line(report, "(no PyTorch CUDA rows: " + (torchScript == null ? "no --torch script given" : "see the message above")
                    + ")");
        }
    }

    /** The device rows of one decoder, B and kernel variant: tol 0 and tol 1e-3, each validated against a CPU solve. */
    private static void benchDevice(List<Row> rows, List<TornadoFista> plans, Map<String, FistaResult> cpuSolves,
                                    TensorOps cpu, Decoder d, String dn, Matrix y, Matrix e, FistaConfig fixed,
                                    FistaConfig real, int runs, KernelVariant k, StepVariant s, int unroll) {
        int b = y.rows;
        String backend = label(k, s, unroll);
        Matrix out = new Matrix(b, L);
        // Workaround: every plan stays alive until the end of the bench (closed in bench()), not closed before
        // the next B's plan is built. On PTX (H200) building a plan after closing another in the same
        // process gave cuMemcpyHtoDAsyncMemSeg / cuMemcpyDtoHMemSeg -> Returned: 1 (CUDA_ERROR_INVALID_VALUE)
        // and wrong results (e.g. NL B=1000 tol 1e-3: 200 iterations where the CPU stops after 4).
        // All plans together need well under 1 GB of device memory at P 784, H 1024, B <= 4000.
        TornadoFista dev;
        try {
            dev = new TornadoFista(d, b, fixed, TornadoFista.DEFAULT_CHECK_EVERY, k, s, unroll);
            plans.add(dev);
            long c0 = System.nanoTime();
            dev.solve(y, e, out); // compiles the kernels
            System.out.printf(Locale.ROOT, "  [%s %s B=%d: first solve incl. kernel compilation %.1f s]%n",
                    backend, dn, b, (System.nanoTime() - c0) / 1e9);
        } catch (RuntimeException | Error ex) {
            failCell(rows, backend, dn, b, "tol 0", ex);
            failCell(rows, backend, dn, b, "tol 1e-3", ex);
            return;
        }
        for (FistaConfig c : new FistaConfig[] {fixed, real}) {
            String mode = c == fixed ? "tol 0" : "tol 1e-3";
            try {
                dev.setConfig(c);
                FistaResult[] last = new FistaResult[1];
                Row r = time(backend, dn, b, mode, runs, true, () -> last[0] = dev.solve(y, e, out));
                if (r != null) {
                    String why = null;
                    if (b <= validateMaxB) {
                        FistaResult want = cpuSolves.computeIfAbsent(dn + " " + b + " " + mode,
                                key -> new Fista(cpu, d, b, c).solve(y, e));
                        why = validate(cpu, d, y, e, c, last[0], want);
                    }
                    if (why != null) {
                        invalidCells++;
                        System.out.printf("  %s %s B=%d %s: INVALID (%s)%n", backend, dn, b, mode, why);
                        r = r.invalid(why);
                    } else if (b <= validateMaxB) {
                        System.out.printf("  %s %s B=%d %s: output agrees with the CPU solve%n", backend, dn, b, mode);
                    }
                }
                add(rows, r);
            } catch (RuntimeException | Error ex) {
                failCell(rows, backend, dn, b, mode, ex);
            }
        }
    }

    /** The table's backend name of a device row: tornado/GEMM kernels/step kernels[/u iterations per launch]. */
    private static String label(KernelVariant k, StepVariant s, int unroll) {
        return "tornado/" + k.label() + "/" + s.label() + (unroll == 1 ? "" : "/u" + unroll);
    }

    private static void failCell(List<Row> rows, String backend, String dn, int b, String mode, Throwable ex) {
        invalidCells++;
        String why = "threw " + ex;
        System.out.printf("  %s %s B=%d %s: INVALID (%s)%n", backend, dn, b, mode, why);
        ex.printStackTrace(System.out);
        rows.add(new Row(backend, dn, b, mode, Double.NaN, -1, why.length() > 120 ? why.substring(0, 120) : why));
    }

    /**
     * The device's last result of a timing cell against CPU {@link Fista} on the same (y, e, config): null when they
     * agree, else why not. Tolerances as the whole-solve checks of {@link FistaChecks} allow for FMA contraction on
     * devices: iterations equal (tol 0: exactly K) or ±1, codes max |Δ|/max(|z|, 1) within 1e-3, final energy
     * within 1e-4 relative, per-row steps within 1; any NaN in the codes fails. {@code want} is that CPU solve.
     */
    static String validate(TensorOps cpu, Decoder d, Matrix y, Matrix e, FistaConfig c, FistaResult got,
                           FistaResult want) {
        if (got == null) {
            return "no result";
        }
        for (float v : got.codes().data) {
            if (!Float.isFinite(v)) {
                return "non-finite codes";
            }
        }
        List<String> bad = new ArrayList<>();
        int di = Math.abs(got.iterations() - want.iterations());
        if (c.tolerance() == 0 ? di != 0 : di > 1) {
            bad.add("iterations device " + got.iterations() + " vs cpu " + want.iterations());
        }
        double dz = Check.maxRel(got.codes().data, want.codes().data, 1);
        if (!(dz <= 1e-3)) {
            bad.add(String.format(Locale.ROOT, "codes max diff %.3g", dz));
        }
        double eGot = energy(cpu, d, y, e, c, got.codes()), eWant = energy(cpu, d, y, e, c, want.codes());
        double de = Math.abs(eGot - eWant) / Math.abs(eWant);
        if (!(de <= 1e-4)) {
            bad.add(String.format(Locale.ROOT, "energy %.6g vs cpu %.6g", eGot, eWant));
        }
        int steps = 0;
        for (int i = 0; i < y.rows; i++) {
            steps = Math.max(steps, Math.abs(got.steps()[i] - want.steps()[i]));
        }
        if (steps > 1) {
            bad.add("per-row steps differ by up to " + steps);
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    private static double energy(TensorOps ops, Decoder d, Matrix y, Matrix e, FistaConfig c, Matrix z) {
        Matrix yHat = new Matrix(z.rows, d.outputDim());
        d.decode(ops, z, yHat);
        return new Energy(z.rows, z.cols).evaluate(ops, y, yHat, z, e, c).total();
    }

    private static void add(List<Row> rows, Row r) {
        if (r != null) {
            rows.add(r);
        }
    }

    private interface Solve {
        FistaResult run();
    }

    /**
     * Median of up to maxRuns timed solves (fewer when one solve is slow: about 10 s a cell). Unless the caller
     * already ran this solve (the device's first solve compiles the kernels), one or two warm-up solves first.
     */
    private static Row time(String backend, String decoder, int b, String mode, int maxRuns, boolean warmedUp, Solve s) {
        if (System.nanoTime() > deadline) {
            System.out.printf("  %s %s B=%d %s: skipped (bench time budget spent)%n", backend, decoder, b, mode);
            return null;
        }
        long w0 = System.nanoTime();
        FistaResult r = s.run();
        double one = (System.nanoTime() - w0) / 1e9;
        if (!warmedUp && one < 2) {
            r = s.run(); // the first CPU solve also warms the JIT
        }
        int runs = (int) Math.max(1, Math.min(maxRuns, Math.floor(10.0 / Math.max(one, 1e-3))));
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r = s.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : 0.5 * (ms[runs / 2 - 1] + ms[runs / 2]);
        Row row = new Row(backend, decoder, b, mode, median, r.iterations());
        System.out.printf(Locale.ROOT, "  %s %s B=%d %s: %.2f ms (%d iterations, %d runs)%n", backend, decoder, b, mode,
                row.ms, row.iterations, runs);
        return row;
    }

    /** Runs the PyTorch CUDA script on the same inputs (raw little-endian float32 files); its rows, or none. */
    private static List<Row> torch(String script, Matrix y, Matrix e, LinearDictionary lin, OneHiddenDecoder nl,
                                   int[] sizes, int runs, int iters) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        if (script == null) {
            return rows;
        }
        Path dir = Files.createTempDirectory("varsparse-torch");
        raw(dir.resolve("Y.f32"), y.data);
        raw(dir.resolve("E.f32"), e.data);
        raw(dir.resolve("W.f32"), lin.W.data);
        raw(dir.resolve("W1.f32"), nl.W1.data);
        raw(dir.resolve("b1.f32"), nl.b1);
        raw(dir.resolve("W2.f32"), nl.W2.data);
        String sz = Arrays.stream(sizes).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElse("250");
        List<String> cmd = List.of(System.getenv().getOrDefault("PYTHON", "python3"), script, "--dir", dir.toString(),
                "--maxb", Integer.toString(y.rows), "--sizes", sz, "--runs", Integer.toString(runs), "--iters",
                Integer.toString(iters));
        System.out.println("  + " + String.join(" ", cmd));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException ex) {
            System.out.println("  PyTorch comparison skipped: " + ex.getMessage());
            return rows;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String s; (s = r.readLine()) != null; ) {
                System.out.println("  | " + s);
                String[] f = s.split("\t");
                if (f.length == 6 && f[0].equals("ROW")) {
                    rows.add(new Row("pytorch-cuda", f[1], Integer.parseInt(f[2]), f[3], Double.parseDouble(f[4]),
                            Integer.parseInt(f[5])));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            System.out.println("  PyTorch script exited with " + rc + " (its rows, if any, are kept)");
        }
        return rows;
    }

    private static void raw(Path file, float[] v) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        Files.write(file, bb.array());
    }

    private static FistaConfig withTolerance(FistaConfig c, double tol) {
        return new FistaConfig(c.sparsityReg(), c.codeStepSize(), c.varianceReg(), c.hingeThreshold(), c.codeReg(),
                c.maxInferenceSteps(), tol, c.encoderInit(), c.freezeConverged());
    }

    private static void line(StringBuilder report, String s) {
        System.out.println(s);
        report.append(s).append('\n');
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            String k = args[i].substring(2);
            if (k.startsWith("skip-")) {
                m.put(k, "true");
            } else if (i + 1 < args.length) {
                m.put(k, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + k + " needs a value");
            }
        }
        return m;
    }

    private static String require(Map<String, String> m, String k) {
        String v = m.get(k);
        if (v == null) {
            throw new IllegalArgumentException("--" + k + " is required");
        }
        return v;
    }

    private static int[] ints(String s) {
        return s.isBlank() ? new int[0] : Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
