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
import org.openjdk.jmh.annotations.Warmup;
import org.varsparse.backend.Backends;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;

/**
 * One GEMM of a paper shape per operation; {@link BenchMain} turns ops/s into GFLOP/s.
 * The scalar oracle is single-threaded: its threads=2 rows repeat threads=1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx2g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class GemmBenchmark {

    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    @Param
    public GemmShape shape;

    TensorOps ops;
    Matrix a, b, c;

    @Setup
    public void setup() {
        System.setProperty(Backends.THREADS_PROPERTY, Integer.toString(threads));
        ops = Backends.create(backend);
        SplittableRandom rng = new SplittableRandom(42);
        a = shape.newA(rng);
        b = shape.newB(rng);
        c = new Matrix(shape.m, shape.n);
    }

    @Benchmark
    public Matrix gemm() {
        shape.multiply(ops, a, b, c);
        return c;
    }
}
