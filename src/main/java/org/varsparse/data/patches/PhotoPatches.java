package org.varsparse.data.patches;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.varsparse.UserError;

/**
 * Train / validation / test LCN patches from a folder of photos (PNG or JPEG, read with javax.imageio), split
 * <b>by image</b> (overlapping crops of one photo never land in two splits): the files sorted by name, shuffled
 * with the seed, the first {@code valImages} for validation, the next {@code testImages} for test, the rest for
 * training. Each split is sampled by {@link PatchSampler} with its own stream of the seed, so the patches are a
 * function of (folder contents, seed, counts, sampler) only.
 *
 * @param names the image file names of each split (train, val, test)
 */
public record PhotoPatches(PatchSet train, PatchSet val, PatchSet test, List<List<String>> names) {

    /** The image files (png, jpg, jpeg; any case) directly in {@code dir}, sorted by name. */
    public static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(png|jpe?g)")).sorted().toList();
        }
    }

    /**
     * Reads and resizes one photo (shorter side 256, gray). A file that is not an image, is damaged, or declares
     * more pixels than half the heap can decode (checked from its header, before decoding) is a {@link UserError}
     * naming it.
     */
    public static GrayImage read(Path f) throws IOException {
        String fix = "replace or remove it (a PNG or JPEG photo)";
        try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw UserError.of(f, "not a PNG or JPEG image (javax.imageio knows no reader for it)", fix);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                long bytes = 4 * w * h; // a decoded raster takes up to 4 bytes per pixel (ARGB)
                long heap = Runtime.getRuntime().maxMemory();
                if (bytes > heap / 2) {
                    throw UserError.of(f, String.format(Locale.ROOT, "declares %d×%d pixels, about %d MiB decoded,"
                            + " more than half the Java heap (%d MiB)", w, h, bytes >> 20, heap >> 20),
                            "downscale it (it is used at " + GrayImage.SHORT_SIDE + " pixels on the shorter side),"
                                    + " or remove it");
                }
                return GrayImage.of(reader.read(0), GrayImage.SHORT_SIDE);
            } catch (IOException | RuntimeException e) { // decoders throw runtime exceptions on some damaged data
                if (e instanceof UserError u) {
                    throw u;
                }
                throw UserError.of(f, "cannot be read as an image (" + e.getMessage() + ")", fix, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Splits the photos of {@code dir} by image and samples each split. */
    public static PhotoPatches load(Path dir, int valImages, int testImages, int nTrain, int nVal, int nTest,
                                    PatchSampler sampler, long seed) throws IOException {
        List<Path> files = list(dir);
        if (valImages < 1 || testImages < 1 || files.size() < valImages + testImages + 1) {
            throw new IllegalArgumentException(dir + " holds " + files.size() + " photos; the split needs "
                    + (valImages + testImages + 1) + " (" + valImages + " validation, " + testImages
                    + " test, at least 1 training)");
        }
        List<Path> shuffled = new ArrayList<>(files);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Path t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        List<Path> val = shuffled.subList(0, valImages);
        List<Path> test = shuffled.subList(valImages, valImages + testImages);
        List<Path> train = shuffled.subList(valImages + testImages, shuffled.size());
        return new PhotoPatches(
                sampler.sample(readAll(train), nTrain, rng.split().nextLong()),
                sampler.sample(readAll(val), nVal, rng.split().nextLong()),
                sampler.sample(readAll(test), nTest, rng.split().nextLong()),
                List.of(names(train), names(val), names(test)));
    }

    /** Default split sizes for n photos: 10% validation and 15% test images, at least one each. */
    public static int[] defaultImageSplit(int n) {
        return new int[] {Math.max(1, Math.round(0.10f * n)), Math.max(1, Math.round(0.15f * n))};
    }

    private static List<GrayImage> readAll(List<Path> files) throws IOException {
        List<GrayImage> out = new ArrayList<>();
        for (Path f : files) {
            out.add(read(f));
        }
        return out;
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }
}
