package dev.unetgan.gan.app;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only CSV file whose first column is the iteration ({@code metrics.csv}, {@code eval.csv}). Each row is
 * flushed when written, so the file can be plotted while a run goes on. Reopening it for a resumed run drops the
 * rows after the checkpoint's iteration (they belong to the part of the run that is being redone), so a stopped
 * and resumed run leaves the same rows as an uninterrupted one.
 */
public final class CsvLog implements AutoCloseable {
    private final Path file;
    private final List<String> columns;
    private final BufferedWriter out;

    private CsvLog(Path file, List<String> columns, BufferedWriter out) {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.out = out;
    }

    /**
     * Opens {@code file} with {@code columns} (the first must be {@code iteration}): a new file gets the header; an
     * existing one keeps its rows up to {@code keepUpTo} (inclusive) and must have the same header.
     */
    public static CsvLog open(Path file, List<String> columns, long keepUpTo) throws IOException {
        String header = String.join(",", columns);
        List<String> kept = new ArrayList<>();
        kept.add(header);
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!lines.isEmpty() && !lines.getFirst().equals(header)) {
                throw new IllegalArgumentException(file + " has other columns than this version writes ("
                        + lines.getFirst() + "); move it away to resume");
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int comma = line.indexOf(',');
                if (!line.isBlank() && Long.parseLong(comma < 0 ? line : line.substring(0, comma)) <= keepUpTo) {
                    kept.add(line);
                }
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, kept, StandardCharsets.UTF_8);
        return new CsvLog(file, columns, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
    }

    /** Appends one row; {@code values} line up with the columns (numbers written in their shortest exact form). */
    public void row(List<?> values) throws IOException {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException(file + ": " + values.size() + " values for " + columns.size()
                    + " columns " + columns);
        }
        List<String> cells = values.stream().map(v -> v == null ? "" : v.toString()).toList();
        out.write(String.join(",", cells));
        out.newLine();
        out.flush();
    }

    public Path file() {
        return file;
    }

    public List<String> columns() {
        return columns;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
