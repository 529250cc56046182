package dev.unetgan.gan.app;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Training progress for a person: on a terminal, a progress bar (me.tongfei:progressbar) with iterations per second
 * and ETA, and the latest losses as its extra message; otherwise (a log file, CI) one plain line per log interval.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final PrintStream log;

    private Progress(ProgressBar bar, PrintStream log) {
        this.bar = bar;
        this.log = log;
    }

    /**
     * A bar on the terminal when {@code System.console()} is one and {@code log} is {@code System.out}; else plain
     * lines to {@code log}.
     */
    public static Progress start(String task, long start, long total, PrintStream log) {
        boolean terminal = System.console() != null && System.console().isTerminal() && log == System.out;
        if (!terminal) {
            return new Progress(null, log);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(start,
                Duration.ZERO).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
        return new Progress(bar, log);
    }

    /** Advances to {@code done} iterations. */
    public void stepTo(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    /** A log interval's summary: the bar's message on a terminal, else a printed line. */
    public void report(String line) {
        if (bar != null) {
            bar.setExtraMessage(" " + line);
        } else {
            log.println(line);
        }
    }

    /** A message that must be seen (a checkpoint, a sample, an error): printed above the bar. */
    public void note(String line) {
        log.println(line);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
