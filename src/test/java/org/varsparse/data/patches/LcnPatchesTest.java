package org.varsparse.data.patches;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LCN patch pipeline (METHOD §3.4) on analytic crops, on skimage's CC0 photos (src/test/resources/photos:
 * camera.png, chelsea.png from python3-skimage 0.19.3, sha256 b0793d2a… and 596aa1e7…) and a PIL 9.4 fixture
 * (scripts/make_patch_fixtures.py).
 */
class LcnPatchesTest {
    private static final float NM = 0.457f, NS = 0.259f;

    static BufferedImage resource(String name) throws IOException {
        try (InputStream in = LcnPatchesTest.class.getResourceAsStream("/photos/" + name)) {
            return ImageIO.read(in);
        }
    }

    @Test
    void kernelIsANormalizedSymmetricGaussian() {
        double[] g = Lcn.kernel();
        double sum = 0;
        for (double v : g) {
            sum += v;
        }
        assertEquals(1, sum, 1e-12);
        assertEquals(g[6 * 13 + 6] * Math.exp(-1.0 / 50), g[6 * 13 + 7], 1e-15); // σ = 5, centred at 6
        assertEquals(g[0], g[12 * 13 + 12], 1e-18);
    }

    /**
     * A ramp plus α·checkerboard: the Gaussian mean of a ramp is the ramp (symmetric kernel) and of a checkerboard
     * q²·checkerboard (q = Σ g1(i)(−1)^i / Σ g1), so c = α(1−q²)·cb, σ_map = α(1−q²) and the output is ±1 exactly.
     */
    @Test
    void rampPlusCheckerboardHasAnalyticLcn() {
        double alpha = 0.7;
        double num = 0, den = 0;
        for (int i = 0; i < 13; i++) {
            double g = Math.exp(-(i - 6.0) * (i - 6.0) / 50);
            num += g * (i % 2 == 0 ? 1 : -1);
            den += g;
        }
        double q2 = (num / den) * (num / den);
        float[] x = new float[52 * 52];
        for (int r = 0; r < 52; r++) {
            for (int c = 0; c < 52; c++) {
                x[r * 52 + c] = (float) (0.02 * r - 0.03 * c + 0.1 + alpha * (((r + c) % 2 == 0) ? 1 : -1));
            }
        }
        float[][] y = new float[1][784], mu = new float[1][784], sd = new float[1][784];
        double floor = Lcn.apply(new float[][] {x}, y, mu, sd);
        assertEquals(alpha * (1 - q2), floor, 1e-5);
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                int i = r * 28 + c;
                assertEquals(((r + c) % 2 == 0) ? 1 : -1, y[0][i], 1e-4, "out at " + r + "," + c);
                assertEquals(alpha * (1 - q2), sd[0][i], 1e-5);
            }
        }
    }

    /** A pure ramp has no local contrast: c = 0, σ_map = 0, so the floor is 0 and then 1e-4; the output is ≈ 0. */
    @Test
    void rampHitsTheMinimumStd() {
        float[] x = new float[52 * 52];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.01f * (i / 52) + 0.02f * (i % 52);
        }
        float[][] y = new float[1][784], mu = new float[1][784], sd = new float[1][784];
        Lcn.apply(new float[][] {x}, y, mu, sd);
        for (int i = 0; i < 784; i++) {
            assertEquals(Lcn.MIN_STD, sd[0][i]);
            assertTrue(Math.abs(y[0][i]) < 0.05, "out " + y[0][i]);
        }
    }

    /** The floor is the batch mean: a low-contrast crop gets a larger σ_map when batched with a high-contrast one. */
    @Test
    void stdFloorIsTheBatchMeanAndDewhiteningInvertsLcn() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] low = new float[52 * 52], high = new float[52 * 52];
        for (int i = 0; i < low.length; i++) {
            low[i] = (float) (0.1 * rng.nextGaussian());
            high[i] = (float) (2 * rng.nextGaussian());
        }
        float[][] y = new float[2][784], mu = new float[2][784], sd = new float[2][784];
        double floorAlone = Lcn.apply(new float[][] {low}, new float[1][784], new float[1][784], new float[1][784]);
        double floor = Lcn.apply(new float[][] {low, high}, y, mu, sd);
        assertTrue(floor > 5 * floorAlone, floor + " vs " + floorAlone);
        for (int k = 0; k < 2; k++) {
            float[] back = Lcn.dewhiten(y[k], mu[k], sd[k]);
            for (int i = 0; i < 784; i++) {
                assertTrue(sd[k][i] >= (float) floor);
                float want = (k == 0 ? low : high)[(i / 28 + 12) * 52 + i % 28 + 12]; // x[12:40, 12:40]
                assertEquals(want, back[i], 1e-5, "patch " + k + " pixel " + i);
            }
        }
        for (int i = 0; i < 784; i++) {
            assertEquals((float) floor, sd[0][i], 1e-6); // every σ of the flat crop is below the batch mean
        }
    }

    /** Resize + PIL "L" against PIL 9.4's own output (chelsea 451×300 → 384×256): at most one gray level off. */
    @Test
    void resizeAndGrayMatchPil() throws IOException {
        GrayImage g = GrayImage.of(resource("chelsea.png"), 256);
        BufferedImage pil = resource("chelsea_resized_L.png");
        assertEquals(384, g.width());
        assertEquals(256, g.height());
        int maxDiff = 0;
        for (int r = 0; r < 256; r++) {
            for (int c = 0; c < 384; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(g.at(r, c) - (pil.getRaster().getSample(c, r, 0))));
            }
        }
        assertTrue(maxDiff <= 1, "max difference to PIL " + maxDiff);
        BufferedImage red = new BufferedImage(60, 60, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 60; i++) {
            for (int j = 0; j < 60; j++) {
                red.setRGB(i, j, 0xff0000);
            }
        }
        assertEquals(76, GrayImage.of(red, 60).at(3, 3)); // 0.299·255 = 76.2
    }

    /** Patches of camera.png: deterministic per seed, std ≥ 0.5, and dewhitened ×0.259 + 0.457 on the 1/255 grid. */
    @Test
    void cameraPatchesAreDeterministicFilteredAndInvertible() throws IOException {
        GrayImage cam = GrayImage.of(resource("camera.png"), 256);
        assertEquals(256, cam.width());
        PatchSet a = PatchSampler.DEFAULT.sample(List.of(cam), 300, 7);
        PatchSet b = PatchSampler.DEFAULT.sample(List.of(cam), 300, 7);
        PatchSet c = PatchSampler.DEFAULT.sample(List.of(cam), 300, 8);
        assertArrayEquals(a.patches().data, b.patches().data);
        assertArrayEquals(a.stdMaps().data, b.stdMaps().data);
        assertNotEquals(a.patches().data[0], c.patches().data[0]);
        PatchSet.Stats s = a.stats();
        assertEquals(s.crops(), s.rawRejected() + s.lcnRejected() + s.kept()); // full LCN batches only
        assertTrue(s.kept() >= 300);
        double maxOffGrid = 0;
        for (int k = 0; k < 300; k++) {
            float[] y = new float[784], mu = new float[784], sd = new float[784];
            System.arraycopy(a.patches().data, k * 784, y, 0, 784);
            System.arraycopy(a.meanMaps().data, k * 784, mu, 0, 784);
            System.arraycopy(a.stdMaps().data, k * 784, sd, 0, 784);
            assertTrue(PatchSampler.std(y, true) >= 0.5);
            float[] x = Lcn.dewhiten(y, mu, sd);
            for (float v : x) {
                double level = (v * NS + NM) * 255;
                maxOffGrid = Math.max(maxOffGrid, Math.abs(level - Math.rint(level)));
            }
        }
        assertTrue(maxOffGrid < 2e-3, "dewhitened pixels off the 1/255 grid by " + maxOffGrid);
    }

    /** The raw-contrast gate removes crops of a flat region; with the gate off, none are removed before LCN. */
    @Test
    void rawContrastGateRemovesFlatCrops() {
        SplittableRandom rng = new SplittableRandom(3);
        int[] px = new int[256 * 256];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 256) < 128 ? 120 : (int) Math.max(0, Math.min(255, 120 + 60 * rng.nextGaussian()));
        }
        GrayImage half = new GrayImage(256, 256, px);
        PatchSet gated = PatchSampler.DEFAULT.sample(List.of(half), 250, 1);
        PatchSet open = new PatchSampler(0, 0.5, 250).sample(List.of(half), 250, 1);
        assertTrue(gated.stats().rawRejected() > gated.stats().crops() / 5, gated.stats().describe());
        assertEquals(0, open.stats().rawRejected());
    }

    /** Split by image: disjoint file lists covering the folder, the same for the same seed. */
    @Test
    void photoFolderSplitsByImage(@TempDir Path dir) throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        for (int f = 0; f < 6; f++) {
            BufferedImage img = new BufferedImage(80 + 10 * f, 64, BufferedImage.TYPE_INT_RGB);
            for (int i = 0; i < img.getWidth(); i++) {
                for (int j = 0; j < img.getHeight(); j++) {
                    img.setRGB(i, j, rng.nextInt(0x1000000));
                }
            }
            ImageIO.write(img, "png", dir.resolve("img" + f + ".png").toFile());
        }
        Files.writeString(dir.resolve("notes.txt"), "not a photo");
        PatchSampler s = new PatchSampler(0.1, 0.5, 20);
        PhotoPatches p = PhotoPatches.load(dir, 1, 2, 40, 20, 20, s, 4);
        PhotoPatches q = PhotoPatches.load(dir, 1, 2, 40, 20, 20, s, 4);
        Set<String> all = new HashSet<>();
        p.names().forEach(all::addAll);
        assertEquals(6, all.size());
        assertEquals(List.of(3, 1, 2), p.names().stream().map(List::size).toList());
        assertEquals(p.names(), q.names());
        assertArrayEquals(p.test().patches().data, q.test().patches().data);
        assertEquals(40, p.train().patches().rows);
    }
}
