package org.varsparse.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.varsparse.backend.Backends;
import org.varsparse.inference.Fista;
import org.varsparse.inference.FistaConfig;
import org.varsparse.inference.FistaResult;
import org.varsparse.model.Decoder;
import org.varsparse.model.LinearDictionary;
import org.varsparse.model.ListaEncoder;
import org.varsparse.model.OneHiddenDecoder;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * One FISTA solve on an MNIST-shaped batch (B = 250, P = 784, l = 128; NL: H = 1024) with the VDL / VDL-NL
 * preset values, on freshly initialised models and inputs uniform over MNIST's normalised range.
 * {@code tol = 0} forces the full 200 iterations (the work of the PyTorch timings in benchmarks/README.md);
 * {@code tol = 0.001} is the reference's early stop. The iterations run are printed at tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FistaBenchmark {

    @Param({"simd"})
    public String backend;

    @Param({"2"})
    public int threads;

    @Param({"linear", "nl"})
    public String decoder;

    @Param({"0", "0.001"})
    public double tol;

    Fista fista;
    Matrix y, e, z;
    FistaResult last;

    @Setup
    public void setup() {
        System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(threads));
        TensorOps ops = Backends.create(backend);
        SplittableRandom rng = new SplittableRandom(31);
        int b = 250, p = 784, l = 128;
        boolean nl = decoder.equals("nl");
        Decoder d = nl ? OneHiddenDecoder.init(p, 1024, l, rng) : LinearDictionary.init(p, l, rng);
        ListaEncoder enc = ListaEncoder.init(p, l, 3, rng);
        y = Matrix.uniform(b, p, -0.42f, 2.8f, rng); // (B×P), MNIST's normalised range
        e = new Matrix(b, l);
        enc.encode(ops, y, e);
        z = new Matrix(b, l);
        FistaConfig c = nl ? FistaConfig.mnistVdlNl() : FistaConfig.mnistVdl();
        fista = new Fista(ops, d, b, FistaConfig.of(c.sparsityReg(), c.codeStepSize(), c.varianceReg(),
                c.hingeThreshold(), c.codeReg(), 200, tol));
    }

    @Benchmark
    public FistaResult solve() {
        last = fista.solve(y, e, z);
        return last;
    }

    @TearDown
    public void report() {
        System.out.printf("%n[fista %s %s tol=%s] iterations run: %d, mean active steps per sample: %.1f%n", backend,
                decoder, tol, last.iterations(), last.meanSteps());
    }
}
