package org.varsparse.tornado.check;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * One short GPU run that confirms or refutes the "stale PTX host pin" explanation of the multi-plan copy bug
 * (tornado/README.md, "PTX: stale host pins"). TornadoVM's PTX backend calls cuMemHostRegister on the host segment of every
 * array it allocates a device buffer for, and unregisters it only when that buffer is freed through the owning
 * wrapper. {@code plan.close()} after {@code withGraph(1)} frees only graph 1, so graph 0's inputs stay pinned.
 * CUDA refuses (CUDA_ERROR_INVALID_VALUE) a copy whose host range is partly registered and partly not.
 *
 * <p>Phase A places the host arrays by hand inside one big native block (never freed, so no malloc or GC
 * behaviour is involved): plan P0 uses input slice A; P0 is closed like TornadoFista closes its plan; later plans
 * use slices that are disjoint from A, inside A, or straddle A's start or end.
 * Prediction on PTX with {@code close} mode: disjoint and inside pass; both straddle cases print
 * {@code cuMemcpyHtoDAsyncMemSeg -> Returned: 1} and give wrong results. With {@code graph0} mode
 * ({@code withGraph(0)} before {@code close()}, so close() frees and unpins graph 0's buffers, the input among them)
 * every case passes. On OpenCL every case passes in both modes (no host registration there).
 * ({@code withAllGraphs()} before {@code close()} is no option for TornadoFista: it fails with "trying to deallocate
 * an invalid buffer", because objects consumed by graph 1 share graph 0's device buffer and are released twice.)
 *
 * <p>Phase B is the realistic path: a plan's input is allocated exactly like a TornadoVM array (malloc, alignment
 * 1), the plan is closed as TornadoFista does, the host memory is freed, and new arrays are allocated until one
 * overlaps the dead, still-registered range; that one is run. Whether malloc reuses the range is up to glibc, so
 * phase B only reports (VA reuse yes/no, and the outcome).
 *
 * <p>Usage (TornadoVM JVM flags as for GpuCheck): {@code PinReuseCheck [close|graph0]}; exit 0 when all checks
 * pass, 5 when a case gave wrong results. Also grep the output for "JNI] ERROR".
 *
 * <p>Written for {@code --release 21}: java.lang.foreign is reached by reflection (preview at release 21).
 */
public final class PinReuseCheck {
    private static final Method OF_SHARED, ALLOCATE, CLOSE, ADDRESS, AS_SLICE, FROM_SHALLOW;

    static {
        try {
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            OF_SHARED = arena.getMethod("ofShared");
            ALLOCATE = arena.getMethod("allocate", long.class, long.class);
            CLOSE = arena.getMethod("close");
            ADDRESS = segment.getMethod("address");
            AS_SLICE = segment.getMethod("asSlice", long.class, long.class);
            FROM_SHALLOW = FloatArray.class.getMethod("fromSegmentShallow", segment);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long HEADER = TornadoNativeArray.ARRAY_HEADER;
    private static boolean closeGraph0;
    private static int failures;

    private PinReuseCheck() {
    }

    public static void affine(FloatArray in, FloatArray out) {
        for (@Parallel int i = 0; i < in.getSize(); i++) {
            out.set(i, 2f * in.get(i) + 1f);
        }
    }

    /** A FloatArray of n elements over [offset, offset + header + 4n) of block. */
    private static FloatArray view(Object block, long offset, int n) throws ReflectiveOperationException {
        Object slice = AS_SLICE.invoke(block, offset, HEADER + 4L * n);
        return (FloatArray) FROM_SHALLOW.invoke(null, slice);
    }

    private static long address(FloatArray a) throws ReflectiveOperationException {
        return (long) ADDRESS.invoke(a.getSegmentWithHeader());
    }

    /**
     * Runs the TornadoFista pattern on input in: graph 0 uploads it (EVERY_EXECUTION) and persists; graph 1 consumes
     * and keeps its output UNDER_DEMAND; withGraph(0), withGraph(1), transferToHost; then closes the plan
     * (graph0 mode: after withGraph(0), so graph 0 is freed). Returns the number of wrong elements.
     */
    private static int runPlan(String name, FloatArray in) throws Exception {
        int n = in.getSize();
        for (int i = 0; i < n; i++) {
            in.set(i, (i % 1000) * 0.5f + name.length());
        }
        FloatArray mid = new FloatArray(n);
        FloatArray out = new FloatArray(n);
        out.init(-7f);
        TaskGraph g0 = new TaskGraph("g0").transferToDevice(DataTransferMode.EVERY_EXECUTION, in)
                .task("t", PinReuseCheck::affine, in, mid).persistOnDevice(in, mid);
        TaskGraph g1 = new TaskGraph("g1").consumeFromDevice("g0", mid)
                .task("t", PinReuseCheck::affine, mid, out).transferToHost(DataTransferMode.UNDER_DEMAND, out);
        TornadoExecutionPlan plan = new TornadoExecutionPlan(g0.snapshot(), g1.snapshot());
        System.out.printf(Locale.ROOT, "PINCHECK %s: begin (in at 0x%x, %d bytes)%n", name, address(in),
                HEADER + 4L * n);
        System.out.flush();
        plan.withGraph(0).execute();
        TornadoExecutionResult r = plan.withGraph(1).execute();
        r.transferToHost(out);
        int bad = 0;
        for (int i = 0; i < n; i++) {
            float want = 4f * in.get(i) + 3f;
            if (out.get(i) != want) {
                bad++;
            }
        }
        if (closeGraph0) {
            plan.withGraph(0); // close() frees the selected graph only: graph 0 holds (and pinned) the input
        }
        plan.close();
        System.out.printf(Locale.ROOT, "PINCHECK %s: end, %s%n", name, bad == 0 ? "ok" : "WRONG " + bad + " of " + n);
        System.out.flush();
        failures += bad == 0 ? 0 : 1;
        return bad;
    }

    public static void main(String[] args) throws Exception {
        closeGraph0 = args.length > 0 && args[0].equals("graph0");
        System.out.println("PINCHECK mode " + (closeGraph0 ? "graph0 (withGraph(0) before close())"
                : "close (plan.close() after withGraph(1), as TornadoFista)"));

        // ---- phase A: hand-placed views into one block that stays allocated (no malloc/GC involved)
        int n = 262_144; // 1 MiB of floats
        long s = HEADER + 4L * n;
        long unit = (s + 4095) / 4096 * 4096;
        Object arena = OF_SHARED.invoke(null);
        Object block = ALLOCATE.invoke(arena, 8 * unit, 4096L);
        long a0 = 2 * unit; // A = [a0, a0 + s)
        runPlan("A0 first plan, input A", view(block, a0, n));
        runPlan("A1 disjoint from A", view(block, 5 * unit, n));
        runPlan("A2 inside A", view(block, a0 + 4096, n / 2));
        runPlan("A3 straddles A's end", view(block, a0 + unit / 2, n));
        runPlan("A4 straddles A's start", view(block, a0 - unit / 2, n));
        // block and arena stay alive until exit on purpose

        // ---- phase B: real free and malloc reuse, as with GC'd TornadoFista arrays
        int nb = 200_000; // 800 KB (the size class of B = 250 x P = 784 floats)
        long sb = HEADER + 4L * nb;
        Object deadArena = OF_SHARED.invoke(null);
        FloatArray dead = (FloatArray) FROM_SHALLOW.invoke(null, ALLOCATE.invoke(deadArena, sb, 1L));
        long deadStart = address(dead);
        runPlan("B0 input later freed", dead);
        dead = null;
        CLOSE.invoke(deadArena); // frees the host memory; on PTX its registration stays (prediction)
        List<Object> keep = new ArrayList<>(); // arenas of the candidates stay alive until exit
        boolean ranStraddle = false, ranInside = false;
        // larger sizes first: a larger block placed at the freed start straddles the dead range's end
        long[] sizes = {sb + 4096 + 64, sb + 64, 2 * sb, sb, sb - 64, sb / 2, sb * 3 / 4, sb - 4096 - 64};
        for (int t = 0; t < 32 && !(ranStraddle && ranInside); t++) {
            long size = sizes[t % sizes.length];
            size = HEADER + (size - HEADER) / 4 * 4;
            Object ar = OF_SHARED.invoke(null);
            keep.add(ar);
            FloatArray c = (FloatArray) FROM_SHALLOW.invoke(null, ALLOCATE.invoke(ar, size, 1L));
            long cs = address(c), ce = cs + size, de = deadStart + sb;
            if (cs < de && ce > deadStart) {
                boolean inside = cs >= deadStart && ce <= de;
                if (inside ? ranInside : ranStraddle) {
                    continue;
                }
                String how = inside ? "inside" : "straddling";
                System.out.printf(Locale.ROOT, "PINCHECK B: candidate %d (%d bytes) reuses the freed range (%s)%n", t,
                        size, how);
                runPlan("B1 reuses freed range, " + how, c);
                if (inside) {
                    ranInside = true;
                } else {
                    ranStraddle = true;
                }
            }
        }
        if (!ranStraddle && !ranInside) {
            System.out.println("PINCHECK B: malloc did not reuse the freed range in 32 tries (phase B inconclusive)");
        }
        System.out.println(failures == 0 ? "PINCHECK all cases ok" : "PINCHECK " + failures + " case(s) WRONG");
        System.exit(failures == 0 ? 0 : 5);
    }
}
