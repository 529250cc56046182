package dev.unetgan.gan.app;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** PNG line charts (XChart) of columns of {@link CsvLog} files against their {@code iteration} column. */
public final class Plots {
    /** One line of a chart: {@code y} against {@code x}, in file order. */
    public record Series(String name, List<Double> x, List<Double> y) {
    }

    private Plots() {
    }

    /**
     * Plots {@code columns} of {@code csv} against iteration into {@code png}; empty cells are skipped. Does nothing
     * while the file has no data row.
     */
    public static void lines(Path csv, List<String> columns, String title, String yAxis, Path png) throws IOException {
        List<Series> series = new ArrayList<>();
        for (String column : columns) {
            series.add(read(csv, column, column));
        }
        chart(series, title, yAxis, png);
    }

    /**
     * Column {@code column} of {@code csv} against its first ({@code iteration}) column, as a series called
     * {@code name}; empty cells and non-finite values are skipped.
     *
     * @throws IllegalArgumentException naming the file's columns when it has no {@code column}
     */
    public static Series read(Path csv, String column, String name) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> header = lines.isEmpty() ? List.of() : Arrays.asList(lines.getFirst().split(",", -1));
        int k = header.indexOf(column);
        if (k < 0) {
            throw new IllegalArgumentException(csv + " has no column '" + column + "'; has " + header);
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (k < cells.length && !cells[k].isEmpty()) {
                double y = Double.parseDouble(cells[k]);
                if (Double.isFinite(y)) {
                    xs.add(Double.parseDouble(cells[0]));
                    ys.add(y);
                }
            }
        }
        return new Series(name, xs, ys);
    }

    /** Draws the non-empty {@code series} into one chart and writes it to {@code png} atomically; nothing if all are empty. */
    public static void chart(List<Series> series, String title, String yAxis, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("iteration")
                .yAxisTitle(yAxis).build();
        int longest = series.stream().mapToInt(s -> s.x().size()).max().orElse(0);
        chart.getStyler().setMarkerSize(longest > 60 ? 0 : 4);
        for (Series s : series) {
            if (!s.x().isEmpty()) {
                chart.addSeries(s.name(), s.x(), s.y()).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return;
        }
        Path target = png.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
