package org.varsparse.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one epoch on stderr: a progress bar (me.tongfei:progressbar) on a terminal, else a plain line
 * every tenth of the epoch, so logs stay readable. {@value #PROPERTY} = bar | lines | none (default lines;
 * run.sh passes bar when stderr is a terminal).
 */
abstract class Progress implements AutoCloseable {
    static final String PROPERTY = "varsparse.progress";

    /** Called after each batch with the text to show (e.g. PSNR and FISTA iterations). */
    abstract void step(String message);

    @Override
    public abstract void close();

    static Progress start(PrintStream err, String task, int total) {
        return switch (System.getProperty(PROPERTY, "lines")) {
            case "bar" -> new Bar(err, task, total);
            case "none" -> new Progress() {
                @Override
                void step(String message) {
                }

                @Override
                public void close() {
                }
            };
            default -> new Lines(err, task, total);
        };
    }

    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(PrintStream err, String task, int total) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" batches", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                    .setConsumer(new ConsoleProgressBarConsumer(err)).build();
        }

        @Override
        void step(String message) {
            bar.step();
            bar.setExtraMessage(" " + message);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Lines extends Progress {
        private final PrintStream err;
        private final String task;
        private final int total;
        private final int every;
        private final long t0 = System.nanoTime();
        private int done;

        Lines(PrintStream err, String task, int total) {
            this.err = err;
            this.task = task;
            this.total = total;
            this.every = Math.max(1, total / 10);
        }

        @Override
        void step(String message) {
            done++;
            if (done % every == 0 || done == total) {
                double s = (System.nanoTime() - t0) / 1e9;
                err.printf(Locale.ROOT, "  %s: batch %d/%d, %s, %.0f s%n", task, done, total, message, s);
            }
        }

        @Override
        public void close() {
            err.flush();
        }
    }
}
