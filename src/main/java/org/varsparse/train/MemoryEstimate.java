package org.varsparse.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.varsparse.inference.Fista;

/**
 * The Java heap a training run keeps, from its sizes alone, so that a run too big for the heap is refused before
 * anything is allocated instead of ending in an OutOfMemoryError (or, with sizes over Java's array limit, in an
 * exception from the first large {@code new float[]}).
 *
 * <p>What is counted, in float32 (4 bytes), for B = batch, P = input, l = code and H = hidden dimensions (H = 0 for the
 * linear dictionary), T_L LISTA iterations and n worker threads:
 * <pre>
 *   weights       decoder P·l, or H·l + H + P·H;  encoder l·P + l + l·l
 *   optimizer     3 × weights: the gradient buffers and Adam's two moments
 *   activations   the decoder workspace (2B·P, + 3B·H for NL), the encoder's ((2T_L + 5)·B·l), the trainer's and the
 *                 final evaluation's batches (6B·P + 4B·l), the encoders' and decoders' temporaries (2B·l + B·H)
 *   FISTA         two solvers (training, final evaluation): 4B·l, WᵀW and Y·W (linear), and every block of the
 *                 compact-row ladder B, 7B/8, ... , 1 (≈ 8B rows of 2l, + P without the Gram form, + 2H for NL)
 *   GEMM scratch  one packed operand per worker thread, up to B·max(P, H) or l·P
 *   data          the float rows held: training pool, test set and the validation copy (N·P)
 * </pre>
 * Object headers, small vectors and the JVM's own few MiB are left out, and a collector needs some room beyond the
 * live set; the measured peaks are in README.md ("Memory").
 *
 * @param terms       the amounts above, in bytes, by name
 * @param largest     the largest single array, by name
 * @param largestSize its element count
 */
public record MemoryEstimate(List<Term> terms, String largest, long largestSize) {
    /** The most elements a Java array may hold (the VM reserves a few header words). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** One part of the estimate. */
    public record Term(String name, long bytes) {
    }

    /**
     * @param inputDim P, pixels per image
     * @param dataRows rows of P floats the data set keeps (training pool + test + validation copy); 0 if unknown yet
     * @param threads  the backend's worker threads
     */
    public static MemoryEstimate of(TrainConfig c, int inputDim, long dataRows, int threads) {
        long p = inputDim, l = c.codeDim(), b = c.batchSize(), t = c.listaIterations();
        long h = c.decoder() == TrainConfig.DecoderKind.ONE_HIDDEN ? c.hiddenDim() : 0;
        long decoder = h == 0 ? p * l : h * l + h + p * h;
        long encoder = l * p + l + l * l;
        long weights = decoder + encoder;
        long activations = 2 * b * p + 3 * b * h + b // decoder workspace
                + (2 * t + 5) * b * l + b // encoder workspace
                + 6 * b * p + 4 * b * l // trainer (codes, validation) and the final evaluation
                + 2 * b * l + b * h; // encode and NL decode temporaries
        long fista = 2 * Fista.workspaceFloats(c.batchSize(), c.codeDim(), inputDim, (int) h, Fista.Strategy.FAST);
        long scratch = threads * Math.max(b * Math.max(p, h), l * p);
        List<Term> terms = List.of(new Term("weights", 4 * weights), new Term("gradients and Adam moments", 12 * weights),
                new Term("batch workspaces", 4 * activations), new Term("FISTA workspaces", 4 * fista),
                new Term("GEMM scratch", 4 * scratch), new Term("data", 4 * dataRows * p));

        List<Term> arrays = new ArrayList<>(List.of(new Term("the encoder's W (l×P)", l * p),
                new Term("the encoder's S (l×l)", l * l), new Term("a batch of inputs (B×P)", b * p)));
        if (h == 0) {
            arrays.add(new Term("the decoder's W (P×l)", p * l));
        } else {
            arrays.add(new Term("the decoder's W1 (H×l)", h * l));
            arrays.add(new Term("the decoder's W2 (P×H)", p * h));
            arrays.add(new Term("a batch of hidden activations (B×H)", b * h));
        }
        Term big = arrays.stream().max(Comparator.comparingLong(Term::bytes)).orElseThrow();
        return new MemoryEstimate(terms, big.name(), big.bytes());
    }

    public long totalBytes() {
        return terms.stream().mapToLong(Term::bytes).sum();
    }

    /** Whether every array fits Java's limit. */
    public boolean arraysFit() {
        return largestSize <= MAX_ARRAY;
    }

    /** "weights 401 KiB, gradients and Adam moments 1.2 MiB, ..." (terms of at least 1 KiB). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Term term : terms) {
            if (term.bytes() >= 1024) {
                parts.add(term.name() + " " + bytes(term.bytes()));
            }
        }
        return String.join(", ", parts);
    }

    /** 1536 → "1.5 KiB", in binary units. */
    public static String bytes(long n) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
