package org.varsparse.tornado.check;

/** One device-vs-CPU comparison: the largest difference found and the tolerance it must stay within. */
public record Check(String name, double maxDiff, double tolerance, String detail) {
    public boolean passed() {
        return maxDiff <= tolerance; // NaN fails
    }

    @Override
    public String toString() {
        return String.format("%-4s %-46s max diff %.3g (tol %.1g)%s", passed() ? "ok" : "FAIL", name, maxDiff,
                tolerance, detail.isEmpty() ? "" : "  " + detail);
    }

    /** max |a − b| / max(|b|, floor) over all elements; NaN where exactly one side is NaN. */
    static double maxRel(float[] a, float[] b, double floor) {
        if (a.length != b.length) {
            return Double.NaN;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                    return Double.NaN;
                }
                continue;
            }
            m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
        }
        return m;
    }
}
