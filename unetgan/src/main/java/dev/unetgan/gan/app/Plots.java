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

/** PNG line charts (XChart) of columns of a {@link CsvLog} file against its {@code iteration} column. */
public final class Plots {
    private Plots() {
    }

    /**
     * Plots {@code columns} of {@code csv} against iteration into {@code png}; empty cells are skipped. Does nothing
     * while the file has no data row.
     */
    public static void lines(Path csv, List<String> columns, String title, String yAxis, Path png) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            return;
        }
        List<String> header = Arrays.asList(lines.getFirst().split(",", -1));
        XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("iteration")
                .yAxisTitle(yAxis).build();
        chart.getStyler().setMarkerSize(lines.size() > 60 ? 0 : 4);
        for (String column : columns) {
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
            if (!xs.isEmpty()) {
                chart.addSeries(column, xs, ys).setMarker(SeriesMarkers.CIRCLE);
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
