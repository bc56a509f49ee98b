package org.varsparse.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.varsparse.UserError;
import org.varsparse.backend.Backends;
import org.varsparse.data.patches.GrayImage;
import org.varsparse.data.patches.PhotoPatches;
import org.varsparse.eval.FullImageDenoiser;
import org.varsparse.eval.Metrics;
import org.varsparse.io.FileIo;
import org.varsparse.tensor.Matrix;
import org.varsparse.tensor.TensorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code varsparse denoise-image}: a whole held-out photo denoised with a patch run's encoder and decoder
 * ({@link FullImageDenoiser}): the photo resized and grayed as in training, y + σ·N(0, I) in normalized units
 * (seeded with the run's seed), overlapping LCN patches → D(E(y)) → undo LCN → average; PSNR before and after.
 */
@Command(name = "denoise-image", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Denoise a whole photo with a run trained on LCN patches: overlapping patches, encoder codes,"
                + " decoder, LCN undone, overlaps averaged. Writes denoise-<name>.png (clean | noisy | denoised per σ)"
                + " and denoise-<name>.json."})
final class DenoiseImageCommand implements Callable<Integer> {
    private final Main.Io io;

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "a run folder trained on patches")
    Path run;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "a PNG or JPEG photo (not one it trained on)")
    Path image;

    @Option(names = "--noise", paramLabel = "σ", split = ",", defaultValue = "0.5,1,1.5",
            description = "noise levels, normalized gray units (×0.259 in [0,1] pixels) (default: ${DEFAULT-VALUE})")
    double[] noise;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "4", description = "patch stride in pixels (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--checkpoint", paramLabel = "NAME", defaultValue = "best", description = "best or last (default: ${DEFAULT-VALUE})")
    EvalCommand.CheckpointName checkpoint = EvalCommand.CheckpointName.best;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: <run>/pictures)")
    Path out;

    @Option(names = "--force", description = "overwrite denoise-<name>.png and .json if they exist")
    boolean force;

    @Mixin
    BackendOptions backend = new BackendOptions();

    DenoiseImageCommand(Main.Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        EvalCommand.checkNoise(noise);
        if (stride < 1) {
            throw UserError.of("--stride " + stride, "must be at least 1", "pass a stride such as 4");
        }
        FileIo.size(image, "pass the path of a PNG or JPEG photo"); // a missing file, a folder: their own messages
        RunDir r = RunDir.existing(run);
        GrayImage g;
        try {
            g = PhotoPatches.read(image);
        } catch (IOException e) {
            throw UserError.of(image, "cannot be read (" + e.getMessage() + ")", "pass a PNG or JPEG file", e);
        }
        if (!TrainCommand.dataSpec(r).isPatches()) {
            throw UserError.of(run, "was trained on MNIST digits; denoise-image needs a run trained on image patches"
                    + " (--preset patch-*)", "pass a run trained with --preset patch-vdl --photos DIR");
        }
        Checkpoint.State s = Checkpoint.load(r.checkpoints(), checkpoint.name());
        if (s.decoder().outputDim() != 784) {
            throw UserError.of(run, "its model takes " + s.decoder().outputDim() + " pixels, not 28×28 patches",
                    "pass a run trained with --photos");
        }
        String name = image.getFileName().toString().replaceAll("\\.[^.]*$", "");
        Path dir = out != null ? out : r.pictures();
        Path png = dir.resolve("denoise-" + name + ".png"), json = dir.resolve("denoise-" + name + ".json");
        OutputGuard.checkFolder(dir, force, png, json);
        TensorOps ops = backend.create();
        Metrics.Normalization norm = Metrics.Normalization.IMAGENET_GRAY;
        int h = g.height(), w = g.width();
        float[] clean = new float[h * w];
        for (int i = 0; i < clean.length; i++) {
            clean[i] = (g.pixels()[i] / 255f - norm.mean()) / norm.std();
        }
        io.err().printf(Locale.ROOT, "varsparse denoise-image: %s (%d×%d after resizing), checkpoint %s (epoch %d), backend %s%n",
                image, w, h, checkpoint, s.epoch(), Backends.describe(ops));
        List<float[]> shown = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        io.out().printf(Locale.ROOT, "  %6s %16s %16s %10s%n", "σ", "noisy PSNR (dB)", "denoised (dB)", "patches");
        for (double sigma : noise) {
            SplittableRandom rng = new SplittableRandom(s.config().seed());
            float[] noisy = clean.clone();
            for (int i = 0; i < noisy.length; i++) {
                noisy[i] += (float) (sigma * rng.nextGaussian());
            }
            FullImageDenoiser.Result res = FullImageDenoiser.denoise(noisy, h, w, stride, (in, o) -> {
                Matrix z = new Matrix(in.rows, s.config().codeDim());
                s.encoder().encode(ops, in, z);
                s.decoder().decode(ops, z, o);
            });
            double before = FullImageDenoiser.psnr(noisy, clean, res.covered(), norm);
            double after = FullImageDenoiser.psnr(res.image(), clean, res.covered(), norm);
            io.out().printf(Locale.ROOT, "  %6.2f %16.2f %16.2f %10d%n", sigma, before, after, res.patches());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sigma", sigma);
            m.put("psnr_noisy", before);
            m.put("psnr_denoised", after);
            m.put("patches", res.patches());
            results.add(m);
            shown.add(noisy);
            shown.add(res.image());
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("image", image.toAbsolutePath().toString());
        all.put("width", w);
        all.put("height", h);
        all.put("stride", stride);
        all.put("checkpoint", checkpoint.name());
        all.put("epoch", s.epoch());
        all.put("noise_seed", s.config().seed());
        all.put("results", results);
        try {
            Files.createDirectories(dir);
            ImageIO.write(strip(clean, shown, h, w, norm), "png", png.toFile());
        } catch (IOException e) {
            throw FileIo.writeFailure(png, e);
        }
        Json.write(json, all);
        io.out().println("wrote " + png + ", " + json);
        return 0;
    }

    /** One row per σ: clean | noisy | denoised, clamped to [0,1], 4-pixel gaps. */
    private static BufferedImage strip(float[] clean, List<float[]> shown, int h, int w, Metrics.Normalization norm) {
        int gap = 4, rows = shown.size() / 2;
        BufferedImage img = new BufferedImage(3 * w + 2 * gap, rows * h + (rows - 1) * gap, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int k = 0; k < rows; k++) {
            float[][] panels = {clean, shown.get(2 * k), shown.get(2 * k + 1)};
            for (int p = 0; p < 3; p++) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        double v = panels[p][r * w + c] * norm.std() + norm.mean();
                        raster.setSample(p * (w + gap) + c, k * (h + gap) + r, 0,
                                (int) Math.round(255 * Math.max(0, Math.min(1, v))));
                    }
                }
            }
        }
        return img;
    }
}
