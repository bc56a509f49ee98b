package org.varsparse.tornado;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Copies between heap {@code float[]} and TornadoVM's off-heap {@link FloatArray}, as one bulk
 * {@code MemorySegment.copy} (a memcpy) where the JDK has it, else element by element.
 *
 * <p>Every solve copies Y, E and the decoder weights in and the codes out (NL at B = 4000: 4.1M floats). Measured here
 * (Zen 5, one thread, median of 21, three rounds) on Y at B = 4000 (3.1M floats): element loop 2.1 ms each way, bulk
 * 0.65–0.72 ms (0.30–0.35×), so about 3 ms a solve saved at B = 4000. java.lang.foreign
 * is a preview API at release 21 (our target), so the two {@code copy} methods are reached through method handles,
 * looked up once; the layout is float without alignment (TornadoVM allocates its arrays with alignment 1).
 */
public final class HostCopy {
    private static final MethodHandle TO_SEGMENT; // (Object src, int srcIndex, MemorySegment dst, ValueLayout, long dstOffset, int n)
    private static final MethodHandle FROM_SEGMENT; // (MemorySegment src, ValueLayout, long srcOffset, Object dst, int dstIndex, int n)
    private static final MethodHandle SEGMENT; // FloatArray::getSegment
    private static final Object FLOAT; // ValueLayout.JAVA_FLOAT_UNALIGNED

    static {
        MethodHandle to = null, from = null, seg = null;
        Object layout = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            layout = valueLayout.getField("JAVA_FLOAT_UNALIGNED").get(null);
            to = lookup.findStatic(segment, "copy", MethodType.methodType(void.class, Object.class, int.class, segment,
                    valueLayout, long.class, int.class));
            from = lookup.findStatic(segment, "copy", MethodType.methodType(void.class, segment, valueLayout, long.class,
                    Object.class, int.class, int.class));
            seg = lookup.findVirtual(FloatArray.class, "getSegment", MethodType.methodType(segment));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            to = null; // the element loops below
        }
        TO_SEGMENT = to;
        FROM_SEGMENT = from;
        SEGMENT = seg;
        FLOAT = layout;
    }

    private HostCopy() {
    }

    /** True when the bulk copy is in use (else element loops). */
    public static boolean bulk() {
        return TO_SEGMENT != null;
    }

    /** dst[0..src.length) = src. dst (≥ src.length). */
    public static void toDevice(float[] src, FloatArray dst) {
        if (src.length > dst.getSize()) {
            throw new IllegalArgumentException("copy of " + src.length + " floats into a FloatArray of " + dst.getSize());
        }
        if (TO_SEGMENT != null) {
            try {
                TO_SEGMENT.invoke((Object) src, 0, SEGMENT.invoke(dst), FLOAT, 0L, src.length);
                return;
            } catch (Throwable t) {
                throw new IllegalStateException("bulk copy into a FloatArray failed", t);
            }
        }
        for (int i = 0; i < src.length; i++) {
            dst.set(i, src[i]);
        }
    }

    /** dst = src[0..dst.length). src (≥ dst.length). */
    public static void toHost(FloatArray src, float[] dst) {
        if (dst.length > src.getSize()) {
            throw new IllegalArgumentException("copy of " + dst.length + " floats out of a FloatArray of " + src.getSize());
        }
        if (FROM_SEGMENT != null) {
            try {
                FROM_SEGMENT.invoke(SEGMENT.invoke(src), FLOAT, 0L, (Object) dst, 0, dst.length);
                return;
            } catch (Throwable t) {
                throw new IllegalStateException("bulk copy out of a FloatArray failed", t);
            }
        }
        for (int i = 0; i < dst.length; i++) {
            dst[i] = src.get(i);
        }
    }
}
