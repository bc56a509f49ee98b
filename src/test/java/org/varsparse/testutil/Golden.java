package org.varsparse.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.varsparse.io.Npy;
import org.varsparse.tensor.Matrix;

/**
 * Fixtures produced by calling the reference implementation's own functions (deep-sparse @ 70562a3,
 * PyTorch 1.13); copied from shared/golden/ into src/test/resources/golden/ (see the README there).
 */
public final class Golden {
    private Golden() {
    }

    public static Npy.Array array(String name) {
        String path = "/golden/" + name + ".npy";
        try (InputStream in = Golden.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + path + " (copy it from shared/golden/)");
            }
            return Npy.parse(in.readAllBytes(), path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Matrix matrix(String name) {
        return array(name).toMatrix();
    }

    public static float[] floats(String name) {
        return array(name).toFloats();
    }

    /** max_i |a_i − b_i| / max(|b_i|, floor): a relative difference that tolerates zeros in b. */
    public static double maxRelDiff(float[] a, float[] b, double floor) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]) / Math.max(Math.abs((double) b[i]), floor);
            if (!(d <= m)) {
                m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return m;
    }
}
