package org.varsparse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.varsparse.backend.scalar.ScalarOps;
import org.varsparse.data.MnistDataset;
import org.varsparse.data.MnistFiles;
import org.varsparse.data.Split;
import org.varsparse.io.Npy;
import org.varsparse.tensor.Matrix;
import org.varsparse.train.Preset;
import org.varsparse.train.TrainConfig;

/** The command line end to end on tiny synthetic MNIST: train (2 epochs) → checkpoints → eval → encode. */
class TrainEvalEncodeTest {
    @TempDir
    static Path tmp;
    static Path mnist;
    static Path run;
    static TinyMnist.Result train;

    @BeforeAll
    static void trainTwoEpochs() throws IOException {
        mnist = TinyMnist.write(tmp.resolve("mnist"), 7);
        run = tmp.resolve("run");
        train = TinyMnist.run(TinyMnist.trainArgs(mnist, run, 2, "--noise", "0.5,1"));
    }

    @Test
    void trainWritesTheRunFolder() {
        assertEquals(0, train.exit(), train.err());
        for (String f : List.of("run.json", "metrics.jsonl", "eval.json", "checkpoints/last/model.safetensors",
                "checkpoints/last/optimizer.safetensors", "checkpoints/last/checkpoint.json",
                "checkpoints/best/model.safetensors", "checkpoints/best/checkpoint.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        try (var s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of("best", "last"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary checkpoint folder left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        for (String png : List.of("atoms.png", "reconstructions.png", "denoising.png", "curves.png",
                "denoising-sigma0.5.png", "denoising-sigma1.png")) {
            Path f = run.resolve("pictures").resolve(png);
            try {
                BufferedImage im = ImageIO.read(f.toFile());
                assertNotNull(im, png + " is a PNG");
                assertTrue(im.getWidth() >= 28 * 4 && im.getHeight() >= 28, png + " " + im.getWidth() + "x" + im.getHeight());
            } catch (IOException e) {
                throw new AssertionError(png, e);
            }
        }
        assertTrue(train.out().contains("== summary"), train.out());
        assertTrue(train.out().contains("atoms.png"), train.out());
        assertTrue(train.out().contains("peak heap"), train.out());
        assertTrue(train.err().contains("epoch 1/2: batch 2/2"), "progress lines on stderr: " + train.err());
    }

    @Test
    void runJsonRecordsConfigDataAndVersions() {
        JsonNode j = Json.read(run.resolve("run.json"), "");
        TrainConfig expected = Preset.MNIST_VDL.config().with("codeDim", 16).with("maxInferenceSteps", 50)
                .with("epochs", 2);
        assertEquals(expected, Checkpoint.config(j.get("hyperparameters"), run.resolve("run.json")));
        assertEquals(expected.asMap().keySet(), Json.MAPPER.convertValue(j.get("hyperparameters"), java.util.Map.class).keySet());
        assertEquals(mnist.toAbsolutePath().normalize().toString(), j.at("/data/mnistDir").asText());
        assertEquals(250, j.at("/data/valSize").asInt());
        assertTrue(j.at("/data/anySize").asBoolean());
        assertEquals("scalar (1 thread)", j.get("backend").asText());
        assertEquals(Versions.varsparse(), j.at("/versions/varsparse").asText());
        assertFalse(Versions.varsparse().contains("${"), "version filtered by Maven: " + Versions.varsparse());
    }

    @Test
    void metricsHaveOneLinePerEpochAndBestIsTheLowestValidationEnergy() {
        List<JsonNode> m = RunDir.existing(run).readMetrics();
        assertEquals(2, m.size());
        double lowest = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        for (int i = 0; i < 2; i++) {
            JsonNode e = m.get(i);
            assertEquals(i + 1, e.get("epoch").asInt());
            for (String f : List.of("seconds", "train_loss_decoder", "train_loss_encoder", "train_psnr",
                    "train_sparsity", "train_energy", "train_fista_iterations", "val_energy", "val_psnr",
                    "val_sparsity", "lr_decoder", "lr_encoder")) {
                assertTrue(e.get(f).isNumber(), f + " in " + e);
            }
            assertEquals(3e-4, e.get("lr_decoder").asDouble());
            assertTrue(e.get("val_psnr").asDouble() > 5 && e.get("val_psnr").asDouble() < 40, e.toString());
            double v = e.get("val_energy").asDouble();
            assertEquals(v < lowest, e.get("best").asBoolean(), "best flag of epoch " + (i + 1));
            if (v < lowest) {
                lowest = v;
                bestEpoch = i + 1;
            }
        }
        JsonNode last = Json.read(run.resolve("checkpoints/last/checkpoint.json"), "");
        assertEquals(2, last.get("epoch").asInt());
        assertEquals(bestEpoch, last.get("best_epoch").asInt());
        assertEquals(lowest, last.get("best_val_energy").asDouble());
        assertEquals(bestEpoch, Json.read(run.resolve("checkpoints/best/checkpoint.json"), "").get("epoch").asInt());
    }

    @Test
    void evalJsonHoldsTestMetricsAndTheAnalyticNoisyPsnr() {
        JsonNode e = Json.read(run.resolve("eval.json"), "");
        assertEquals("best", e.get("checkpoint").asText());
        assertEquals(250, e.get("test_images").asInt());
        assertTrue(e.at("/encoder/psnr").asDouble() > 8, e.toString());
        double l0 = e.at("/encoder/sparsity").asDouble();
        assertTrue(l0 >= 0 && l0 <= 1, e.toString());
        assertTrue(e.at("/fista/psnr").isNumber() && e.at("/fista/iterations").asDouble() >= 1, e.toString());
        JsonNode dn = e.get("denoising");
        assertEquals(2, dn.size());
        // METHOD §4.3: noisy-input PSNR = 10·log10(1/0.3081²) = 10.23 dB at σ = 1, 16.25 dB at σ = 0.5.
        assertEquals(16.25, dn.get(0).get("psnr_noisy_img").asDouble(), 0.05);
        assertEquals(10.23, dn.get(1).get("psnr_noisy_img").asDouble(), 0.05);
        assertEquals(e.at("/encoder/psnr").asDouble(), dn.get(1).get("psnr_orig").asDouble());
        assertTrue(dn.get(1).get("psnr_noisy_rec").asDouble() > dn.get(1).get("psnr_noisy_img").asDouble(),
                "reconstructing the noisy input denoises: " + dn);
    }

    @Test
    void evalOfTheLastCheckpointWritesItsOwnFile() {
        TinyMnist.Result r = TinyMnist.run("eval", "--run", run.toString(), "--checkpoint", "last", "--noise", "1",
                "--no-fista", "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        JsonNode e = Json.read(run.resolve("eval-last.json"), "");
        assertEquals(2, e.get("epoch").asInt());
        assertTrue(e.get("fista").isNull());
        assertTrue(r.out().contains("encoder E(y)"), r.out());
    }

    @Test
    void encodeWritesTheEncoderCodesOfASplit() throws IOException {
        Path codes = tmp.resolve("val-codes.npy");
        TinyMnist.Result r = TinyMnist.run("encode", "--run", run.toString(), "--split", "val", "--out",
                codes.toString(), "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        Npy.Array a = Npy.read(codes);
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[] {250, 16}, a.shape());
        // the same codes, computed here from the best checkpoint and the validation rows of the split
        Checkpoint.State s = Checkpoint.load(run.resolve("checkpoints"), "best");
        MnistDataset d = MnistDataset.loadAnySize(MnistFiles.inFolder(mnist));
        Split split = d.split(MnistDataset.DEFAULT_SPLIT_SEED, 250);
        Matrix val = new Matrix(250, 784);
        for (int i = 0; i < 250; i++) {
            System.arraycopy(d.trainPool().data, split.val()[i] * 784, val.data, i * 784, 784);
        }
        Matrix want = new Matrix(250, 16);
        s.encoder().encode(new ScalarOps(), val, want);
        assertArrayEquals(want.data, a.toMatrix().data);

        TinyMnist.Result again = TinyMnist.run("encode", "--run", run.toString(), "--split", "val", "--out",
                codes.toString());
        assertEquals(2, again.exit(), "an existing file is not overwritten without --force");
        assertTrue(again.err().contains("--force"), again.err());
    }

    @Test
    void encodeFistaCodesOfTheTestSet() throws IOException {
        Path codes = tmp.resolve("test-fista.npy");
        TinyMnist.Result r = TinyMnist.run("encode", "--run", run.toString(), "--split", "test", "--fista",
                "--checkpoint", "last", "--out", codes.toString(), "--backend", "scalar");
        assertEquals(0, r.exit(), r.err());
        Npy.Array a = Npy.read(codes);
        assertArrayEquals(new int[] {TinyMnist.TEST, 16}, a.shape());
        for (double v : a.values()) {
            assertTrue(v >= 0, "FISTA codes are non-negative");
        }
    }

    @Test
    void aSecondTrainIntoTheSameFolderIsRefused() {
        TinyMnist.Result r = TinyMnist.run(TinyMnist.trainArgs(mnist, run, 1));
        assertEquals(2, r.exit());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("already holds a run") && r.err().contains("--resume"), r.err());
    }
}
