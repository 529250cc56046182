package dev.unetgan.nn.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * PNG and JPEG images from a folder. If the folder has sub-folders, each is a class: the sorted sub-folder names
 * become labels {@code 0..n-1} ({@link #classes()}), and images are found anywhere below each class folder;
 * otherwise every image directly in the folder has label 0. Hidden files and other extensions are ignored.
 *
 * <p>Transforms, in order: resize so that the short side is {@code resize} pixels (area averaging when shrinking,
 * bilinear when enlarging; see {@link Resample}), centre crop to {@code crop x crop}, conversion to grayscale
 * (ITU-R 601 luma, {@code 0.299 R + 0.587 G + 0.114 B}) or RGB, scaling to [-1, 1] ({@code v / 127.5 - 1}), and,
 * per read, a random horizontal flip. Alpha is ignored.
 *
 * <p><b>Decoding is eager</b>: every file is decoded, resized and cropped once, in parallel, when the dataset is
 * built, and kept as one byte per value ({@code N * C * crop^2} bytes, e.g. 300 MB for 100000 RGB images at 32x32).
 * Reasons: the GAN trains for many epochs on small images, so decoding each file once instead of every epoch saves
 * far more than it costs; a corrupt file is found before training starts, so the size of the dataset is known and
 * exact, the skip warning is logged once, and an unreadable folder fails at construction instead of hours into a
 * run; and reads in the loader are then a cheap byte-to-float conversion plus the flip, which is the part that must
 * stay random per epoch. The cost is memory proportional to the data; for folders too large for that, a lazy
 * dataset could decode in {@link Dataset#read} (the loader already calls it on its prefetch thread), but it would
 * have to validate every file up front anyway to keep the size exact. Values are rounded to 8 bits after resizing,
 * an error of at most half a grey level.
 *
 * <p>A file that cannot be decoded (corrupt, truncated, a decoder warning such as a premature end of a JPEG, or
 * smaller than the crop) is skipped with one {@code WARNING} on the {@code dev.unetgan.nn.data} logger naming the
 * file. A folder that does not exist, holds no images, or whose images are all unreadable is an
 * {@link IllegalArgumentException} naming the folder.
 */
public final class ImageFolder implements Dataset {
    private static final Logger LOG = Logger.getLogger(ImageFolder.class.getPackageName());
    private final Path root;
    private final List<String> classes;
    private final List<Path> files;
    private final int[] labels;
    private final byte[][] pixels;
    private final ImageShape shape;
    private final boolean flip;
    private final long seed;

    private ImageFolder(Path root, List<String> classes, List<Path> files, int[] labels, byte[][] pixels,
            ImageShape shape, boolean flip, long seed) {
        this.root = root;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.pixels = pixels;
        this.shape = shape;
        this.flip = flip;
        this.seed = seed;
    }

    /** A builder for the images under {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Options; defaults: RGB, no resize, no crop (then all images must have one size), no flip, seed 0. */
    public static final class Builder {
        private final Path root;
        private int resize;
        private int crop;
        private int channels = 3;
        private boolean flip;
        private long seed;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** Resize the short side to {@code side} and centre-crop to {@code side x side}. */
        public Builder size(int side) {
            return resize(side).centerCrop(side);
        }

        /** Resize so that the short side is {@code side}, keeping the aspect ratio (long side rounded). */
        public Builder resize(int side) {
            this.resize = positive("resize", side);
            return this;
        }

        /** Crop the centre {@code side x side} square (offsets rounded down). */
        public Builder centerCrop(int side) {
            this.crop = positive("centerCrop", side);
            return this;
        }

        /** Output channels: 1 (grayscale) or 3 (RGB). */
        public Builder channels(int channels) {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
            this.channels = channels;
            return this;
        }

        /** Flip each read horizontally with probability 1/2, drawn from the seed, index and augmentation key. */
        public Builder randomFlip(boolean flip) {
            this.flip = flip;
            return this;
        }

        /** The seed of the flip draws. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Lists, decodes and transforms every image.
         *
         * @throws IllegalArgumentException naming the folder if it is missing, empty or entirely unreadable, or
         *     naming a file whose transformed size differs from the first image's (set a resize and crop)
         * @throws UncheckedIOException if the folder cannot be listed
         */
        public ImageFolder build() {
            try {
                return load(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list image folder " + root + ": " + e.getMessage(), e);
            }
        }

        private static int positive(String what, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(what + " must be >= 1, got " + v);
            }
            return v;
        }
    }

    /** The class names, indexed by label (empty when the folder has no sub-folders). */
    public List<String> classes() {
        return classes;
    }

    /** The folder this dataset was read from. */
    public Path root() {
        return root;
    }

    /** The file of example {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    /** The label of example {@code index}. */
    public int label(int index) {
        return labels[index];
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public ImageShape shape() {
        return shape;
    }

    @Override
    public int read(int index, long augmentKey, float[] dst, int offset) {
        byte[] src = pixels[Objects.checkIndex(index, pixels.length)];
        boolean mirror = flipped(index, augmentKey);
        int w = shape.width();
        int rows = shape.channels() * shape.height();
        for (int r = 0; r < rows; r++) {
            int s = r * w;
            int d = offset + r * w;
            if (mirror) {
                for (int x = 0; x < w; x++) {
                    dst[d + x] = PixelScale.unit(src[s + w - 1 - x]);
                }
            } else {
                for (int x = 0; x < w; x++) {
                    dst[d + x] = PixelScale.unit(src[s + x]);
                }
            }
        }
        return labels[index];
    }

    /** The flip draw: whether example {@code index} is mirrored when read with {@code augmentKey}. */
    boolean flipped(int index, long augmentKey) {
        return flip && (Seeds.combine(Seeds.combine(seed, augmentKey), index) & 1L) != 0;
    }

    private record Decoded(byte[] pixels, int height, int width, String error) {
    }

    private static ImageFolder load(Builder opt) throws IOException {
        Path root = opt.root;
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("image folder " + root + " does not exist or is not a folder");
        }
        List<Path> dirs = sortedChildren(root, true);
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        if (dirs.isEmpty()) {
            files.addAll(imagesIn(root, false));
            files.forEach(f -> labels.add(0));
        } else {
            int loose = imagesIn(root, false).size();
            if (loose > 0) {
                LOG.warning("image folder " + root + " has class sub-folders; ignoring the " + loose
                        + " image(s) directly in it");
            }
            for (Path dir : dirs) {
                List<Path> found = imagesIn(dir, true);
                if (found.isEmpty()) {
                    LOG.warning("class folder " + dir + " holds no images; its label " + classes.size()
                            + " will not occur");
                }
                for (Path f : found) {
                    files.add(f);
                    labels.add(classes.size());
                }
                classes.add(dir.getFileName().toString());
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root + " holds no PNG or JPEG images");
        }
        Decoded[] decoded = new Decoded[files.size()];
        // Decoding dominates construction and files are independent, so spread it over the cores.
        IntStream.range(0, files.size()).parallel().forEach(i -> decoded[i] = decode(files.get(i), opt));

        List<Path> kept = new ArrayList<>();
        List<byte[]> keptPixels = new ArrayList<>();
        List<Integer> keptLabels = new ArrayList<>();
        int height = -1;
        int width = -1;
        for (int i = 0; i < decoded.length; i++) {
            Decoded d = decoded[i];
            if (d.error() != null) {
                LOG.warning("skipping unreadable image " + files.get(i) + ": " + d.error());
                continue;
            }
            if (height < 0) {
                height = d.height();
                width = d.width();
            } else if (d.height() != height || d.width() != width) {
                throw new IllegalArgumentException("image " + files.get(i) + " becomes " + d.width() + "x"
                        + d.height() + " but " + kept.getFirst() + " becomes " + width + "x" + height
                        + "; set a resize and centre crop so that all images have one size");
            }
            kept.add(files.get(i));
            keptPixels.add(d.pixels());
            keptLabels.add(labels.get(i));
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("none of the " + files.size() + " images in folder " + root
                    + " could be read (see the warnings)");
        }
        return new ImageFolder(root, List.copyOf(classes), List.copyOf(kept),
                keptLabels.stream().mapToInt(Integer::intValue).toArray(), keptPixels.toArray(byte[][]::new),
                new ImageShape(opt.channels, height, width), opt.flip, opt.seed);
    }

    private static List<Path> sortedChildren(Path dir, boolean directories) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p) == directories)
                    .sorted()
                    .toList();
        }
    }

    private static List<Path> imagesIn(Path dir, boolean recursive) throws IOException {
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFolder::isImageName).sorted().toList();
        }
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".")
                && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }

    /** Decodes and transforms one file; never throws, so one bad file cannot abort the parallel decode. */
    private static Decoded decode(Path file, Builder opt) {
        try {
            BufferedImage img = readImage(file);
            int w = img.getWidth();
            int h = img.getHeight();
            float[] planes = planes(img, opt.channels);
            if (opt.resize > 0) {
                int shortSide = Math.min(w, h);
                int newW = w == shortSide ? opt.resize : (int) Math.round((double) w * opt.resize / shortSide);
                int newH = h == shortSide ? opt.resize : (int) Math.round((double) h * opt.resize / shortSide);
                planes = Resample.resize(planes, opt.channels, h, w, newH, newW);
                w = newW;
                h = newH;
            }
            int outW = w;
            int outH = h;
            int x0 = 0;
            int y0 = 0;
            if (opt.crop > 0) {
                if (opt.crop > w || opt.crop > h) {
                    return new Decoded(null, 0, 0, "its size " + w + "x" + h + " is smaller than the crop "
                            + opt.crop);
                }
                x0 = (w - opt.crop) / 2;
                y0 = (h - opt.crop) / 2;
                outW = opt.crop;
                outH = opt.crop;
            }
            byte[] out = new byte[opt.channels * outH * outW];
            for (int c = 0; c < opt.channels; c++) {
                for (int y = 0; y < outH; y++) {
                    int s = (c * h + y + y0) * w + x0;
                    int d = (c * outH + y) * outW;
                    for (int x = 0; x < outW; x++) {
                        out[d + x] = (byte) Math.clamp(Math.round(planes[s + x]), 0, 255);
                    }
                }
            }
            return new Decoded(out, outH, outW, null);
        } catch (IOException | RuntimeException e) {
            // Decoders throw assorted unchecked exceptions on malformed data, not only IIOException.
            return new Decoded(null, 0, 0, String.valueOf(e.getMessage() == null ? e : e.getMessage()));
        }
    }

    /** Reads with an explicit reader so that decoder warnings (a truncated JPEG decodes "successfully") count. */
    private static BufferedImage readImage(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not a PNG or JPEG image (no decoder recognises it)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException("decoder warning: " + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * The image as {@code [channels, h, w]} floats in [0, 255]. Component images in sRGB or grey are read from the
     * raster directly, because {@code getRGB} would push a grey image through a linear-to-sRGB conversion and
     * change its values; palette and packed images go through {@code getRGB}, which is exact for them.
     */
    private static float[] planes(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        float[] src = new float[3 * plane];
        int components;
        ColorModel cm = img.getColorModel();
        int csType = cm.getColorSpace().getType();
        if (cm instanceof ComponentColorModel
                && (cm.getColorSpace().isCS_sRGB() || csType == ColorSpace.TYPE_GRAY)) {
            Raster r = img.getRaster();
            components = cm.getNumColorComponents();
            int[] row = new int[w];
            for (int b = 0; b < components; b++) {
                float scale = (float) (255.0 / ((1L << cm.getComponentSize(b)) - 1));
                for (int y = 0; y < h; y++) {
                    r.getSamples(0, y, w, 1, b, row);
                    for (int x = 0; x < w; x++) {
                        src[b * plane + y * w + x] = row[x] * scale;
                    }
                }
            }
        } else {
            components = 3;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    src[p] = (row[x] >> 16) & 0xFF;
                    src[plane + p] = (row[x] >> 8) & 0xFF;
                    src[2 * plane + p] = row[x] & 0xFF;
                }
            }
        }
        float[] out = new float[channels * plane];
        if (channels == 1 && components == 1) {
            System.arraycopy(src, 0, out, 0, plane);
        } else if (channels == 1) {
            for (int p = 0; p < plane; p++) {
                out[p] = 0.299f * src[p] + 0.587f * src[plane + p] + 0.114f * src[2 * plane + p];
            }
        } else if (components == 1) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(src, 0, out, c * plane, plane);
            }
        } else {
            System.arraycopy(src, 0, out, 0, 3 * plane);
        }
        return out;
    }
}
