package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.data.MnistDataset;
import org.varsparse.data.patches.PatchSampler;
import org.varsparse.data.patches.PhotoPatches;
import org.varsparse.eval.Metrics;
import org.varsparse.tensor.Matrix;

/** {@code train --preset patch-vdl --photos DIR} end to end on five synthetic photos (a few seconds). */
class PatchTrainTest {
    /** Random sums of oriented gratings plus noise: texture at several scales, RGB. */
    static Path writePhotos(Path dir, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int f = 0; f < n; f++) {
            BufferedImage img = new BufferedImage(120 + 7 * f, 96, BufferedImage.TYPE_INT_RGB);
            double[][] waves = new double[4][];
            for (int w = 0; w < 4; w++) {
                waves[w] = new double[] {rng.nextDouble(-0.6, 0.6), rng.nextDouble(-0.6, 0.6), rng.nextDouble(6.3), rng.nextDouble(20, 60)};
            }
            for (int x = 0; x < img.getWidth(); x++) {
                for (int y = 0; y < img.getHeight(); y++) {
                    double v = 128 + 10 * rng.nextGaussian();
                    for (double[] w : waves) {
                        v += w[3] * Math.sin(w[0] * x + w[1] * y + w[2]);
                    }
                    int g = (int) Math.max(0, Math.min(255, v));
                    img.setRGB(x, y, (g << 16) | (Math.min(255, g + 20) << 8) | Math.max(0, g - 20));
                }
            }
            ImageIO.write(img, "png", dir.resolve("photo" + f + ".png").toFile());
        }
        return dir;
    }

    @Test
    void trainsAndEvaluatesOnLcnPatchesWithTheirMaps(@TempDir Path tmp) throws IOException {
        Path photos = writePhotos(tmp.resolve("photos"), 5, 21);
        Path run = tmp.resolve("run");
        TinyMnist.Result r = TinyMnist.run("train", "--preset", "patch-vdl", "--photos", photos.toString(),
                "--patches", "500", "--val-size", "250", "--code-dim", "16", "--max-inference-steps", "30",
                "--epochs", "1", "--backend", "scalar", "--out", run.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("LCN patches of 3/1/1 photos"), r.out());
        JsonNode data = Json.read(run.resolve("run.json"), "").get("data");
        assertEquals(photos.toAbsolutePath().normalize().toString(), data.get("photos").asText());
        assertEquals(500, data.get("patches").asInt());

        // the test PSNR of eval.json is the PSNR after undoing the LCN with the test patches' own maps
        PhotoPatches p = PhotoPatches.load(photos, 1, 1, 500, 250, 250, PatchSampler.DEFAULT,
                MnistDataset.DEFAULT_SPLIT_SEED);
        Checkpoint.State best = Checkpoint.load(run.resolve("checkpoints"), "best");
        Matrix y = p.test().patches();
        Matrix codes = new Matrix(y.rows, 16), out = new Matrix(y.rows, y.cols);
        best.encoder().encode(new ScalarOps(), y, codes);
        best.decoder().decode(new ScalarOps(), codes, out);
        Metrics.LcnMaps maps = new Metrics.LcnMaps(p.test().meanMaps(), p.test().stdMaps());
        double psnr = Metrics.psnr(y, out, maps, Metrics.Normalization.IMAGENET_GRAY);
        double eval = Json.read(run.resolve("eval.json"), "").get("encoder").get("psnr").asDouble();
        assertEquals(psnr, eval, 1e-4);
        assertNotEquals(Metrics.psnr(y, out, Metrics.Normalization.IMAGENET_GRAY), eval, 0.01); // the maps matter

        // eval reloads the same patches from run.json (--force: without FISTA it would drop train's FISTA results)
        TinyMnist.Result ev = TinyMnist.run("eval", "--run", run.toString(), "--no-fista", "--force",
                "--backend", "scalar");
        assertEquals(0, ev.exit(), ev.err());
        double again = Json.read(run.resolve("eval.json"), "").get("encoder").get("psnr").asDouble();
        assertEquals(eval, again, 1e-9);
        assertTrue(Files.isRegularFile(run.resolve("pictures/denoising.png")));

        // the whole of a held-out photo, denoised with overlapping patches
        TinyMnist.Result dn = TinyMnist.run("denoise-image", "--run", run.toString(), "--image",
                photos.resolve("photo0.png").toString(), "--noise", "0.5,1", "--stride", "8", "--backend", "scalar");
        assertEquals(0, dn.exit(), dn.err());
        JsonNode res = Json.read(run.resolve("pictures/denoise-photo0.json"), "").get("results");
        assertEquals(2, res.size());
        assertEquals(20 * Math.log10(1 / 0.259), res.get(1).get("psnr_noisy").asDouble(), 0.3); // σ = 1: 11.73 dB
        assertTrue(Double.isFinite(res.get(1).get("psnr_denoised").asDouble()));
        BufferedImage strip = ImageIO.read(run.resolve("pictures/denoise-photo0.png").toFile());
        assertEquals(2 * 256 + 4, strip.getHeight()); // two σ rows of the photo resized to height 256

        // a second denoising of the same photo replaces nothing without --force
        byte[] png = Files.readAllBytes(run.resolve("pictures/denoise-photo0.png"));
        String[] second = {"denoise-image", "--run", run.toString(), "--image", photos.resolve("photo0.png").toString(),
                "--noise", "1", "--stride", "100", "--backend", "scalar"};
        TinyMnist.Result refused = TinyMnist.run(second);
        assertEquals(2, refused.exit(), refused.err());
        assertTrue(refused.err().contains(run.resolve("pictures/denoise-photo0.png") + ": already exists")
                && refused.err().contains("--force"), refused.err());
        assertArrayEquals(png, Files.readAllBytes(run.resolve("pictures/denoise-photo0.png")));
        assertEquals(2, Json.read(run.resolve("pictures/denoise-photo0.json"), "").get("results").size());
        TinyMnist.Result forced = TinyMnist.run(java.util.stream.Stream.concat(java.util.Arrays.stream(second),
                java.util.stream.Stream.of("--force")).toArray(String[]::new));
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(1, Json.read(run.resolve("pictures/denoise-photo0.json"), "").get("results").size());
    }
}
