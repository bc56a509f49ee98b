package org.varsparse.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FullImageDenoiserTest {
    static final int H = 70, W = 90;

    /** A smooth image (normalized units) and a noisy copy. */
    static float[][] images(double sigma) {
        SplittableRandom rng = new SplittableRandom(1);
        float[] clean = new float[H * W], noisy = new float[H * W];
        for (int r = 0; r < H; r++) {
            for (int c = 0; c < W; c++) {
                clean[r * W + c] = (float) (Math.sin(r / 9.0) + 0.8 * Math.cos(c / 13.0));
                noisy[r * W + c] = clean[r * W + c] + (float) (sigma * rng.nextGaussian());
            }
        }
        return new float[][] {clean, noisy};
    }

    /** The identity model gives the noisy image back exactly: LCN, dewhitening and overlap averaging invert. */
    @Test
    void identityModelReturnsTheInput() {
        float[][] im = images(0.5);
        FullImageDenoiser.Result r = FullImageDenoiser.denoise(im[1], H, W, 5, (in, out) -> out.copyFrom(in));
        for (int i = 0; i < im[1].length; i++) {
            assertEquals(im[1][i], r.image()[i], 1e-4);
        }
        assertTrue(r.covered()[12 * W + 12]);
        assertFalse(r.covered()[11 * W + 40]);
        assertTrue(r.covered()[(H - 13) * W + (W - 13)]); // the last crop is flush with the edge
        assertFalse(r.covered()[(H - 12) * W + 40]);
    }

    /** A model that outputs 0 keeps only the local Gaussian means: a low-pass filter, which denoises a smooth image. */
    @Test
    void zeroModelIsALowPassThatDenoisesASmoothImage() {
        float[][] im = images(0.5);
        FullImageDenoiser.Result r = FullImageDenoiser.denoise(im[1], H, W, 3, (in, out) -> out.fill(0f));
        double before = FullImageDenoiser.psnr(im[1], im[0], r.covered(), Metrics.Normalization.IMAGENET_GRAY);
        double after = FullImageDenoiser.psnr(r.image(), im[0], r.covered(), Metrics.Normalization.IMAGENET_GRAY);
        assertEquals(10 * Math.log10(1 / (0.25 * 0.259 * 0.259)), before, 0.5); // σ = 0.5 in normalized units
        assertTrue(after > before + 5, before + " -> " + after);
    }
}
