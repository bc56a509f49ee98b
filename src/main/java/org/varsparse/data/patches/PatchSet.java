package org.varsparse.data.patches;

import org.varsparse.tensor.Matrix;

/**
 * LCN patches with the maps that undo the LCN (METHOD §3.4): row k of {@code patches} dewhitened,
 * patches·stdMaps + meanMaps, is the centre 28×28 of its crop in normalized units (×0.259 + 0.457 gives [0,1]).
 *
 * @param patches  (N×784) the model's input
 * @param meanMaps (N×784) local means μ
 * @param stdMaps  (N×784) floored local stds σ_map
 * @param stats    what the sampler drew and what the two filters removed
 */
public record PatchSet(Matrix patches, Matrix meanMaps, Matrix stdMaps, Stats stats) {
    public PatchSet {
        if (!patches.sameShape(meanMaps) || !patches.sameShape(stdMaps)) {
            throw new IllegalArgumentException("patches " + patches.shape() + ", mean maps " + meanMaps.shape()
                    + ", std maps " + stdMaps.shape() + " must have one shape");
        }
    }

    /**
     * @param crops       crops drawn
     * @param rawRejected crops removed by the raw-contrast gate before LCN (std of the normalized crop too low)
     * @param lcnRejected crops removed after LCN (unbiased std of the 28×28 output below the threshold)
     * @param kept        patches kept (≥ the rows of the set: the last LCN batch may overshoot)
     * @param passes      passes over the images (one crop per image per pass)
     * @param meanFloor   mean over LCN batches of the batch std floor
     */
    public record Stats(long crops, long rawRejected, long lcnRejected, long kept, int passes, double meanFloor) {
        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "%,d crops in %d passes: %,d (%.1f%%) removed by the raw-contrast gate, %,d (%.1f%%) by the LCN std"
                            + " filter, %,d kept; mean std floor %.4f", crops, passes, rawRejected,
                    100.0 * rawRejected / Math.max(1, crops), lcnRejected, 100.0 * lcnRejected / Math.max(1, crops),
                    kept, meanFloor);
        }
    }
}
