package dev.unetgan.gan.app;

import dev.unetgan.nn.data.Dataset;
import dev.unetgan.nn.data.FashionMnist;
import dev.unetgan.nn.data.ImageFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Opens the training data that {@code --data} names and checks it against the configuration before any model is
 * built, so that every mistake in the input is an {@link IllegalArgumentException} telling the user what to do:
 * a missing folder, images whose channel counts differ (unless {@code --channels} says what to convert them to),
 * the built-in data at a resolution other than 32, class sub-folders that disagree with {@code --classes}, and a
 * batch larger than the dataset.
 */
public final class TrainingData {
    /** The data and the configuration adjusted to it (channels and class count taken from an image folder). */
    public record Opened(Dataset dataset, TrainConfig config) {
    }

    private TrainingData() {
    }

    /**
     * @param explicit the configuration keys the user gave on the command line (those are never adjusted)
     */
    public static Opened open(TrainConfig config, Set<String> explicit) {
        Opened opened = config.fashionMnist() ? fashionMnist(config) : imageFolder(config, explicit);
        int size = opened.dataset().size();
        if (config.batch() > size) {
            throw new IllegalArgumentException("--batch " + config.batch() + " is larger than the dataset ("
                    + size + " images in " + config.data() + "); lower --batch to at most " + size);
        }
        return opened;
    }

    private static Opened fashionMnist(TrainConfig c) {
        if (c.res() != 32 || c.channels() != 1) {
            throw new IllegalArgumentException("--data " + TrainConfig.FASHION_MNIST + " is 1-channel 32x32 (28x28"
                    + " padded); use --res 32 --channels 1 (the fashion32 preset), or train on an image folder");
        }
        if (c.classes() != 0 && c.classes() != FashionMnist.CLASSES.size()) {
            throw new IllegalArgumentException("--data " + TrainConfig.FASHION_MNIST + " has "
                    + FashionMnist.CLASSES.size() + " classes; use --classes 10, or 0 for unconditional training");
        }
        return new Opened(FashionMnist.train(true), c);
    }

    private static Opened imageFolder(TrainConfig c, Set<String> explicit) {
        Path root = Path.of(c.data());
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("--data " + root + " is not a folder; pass a folder of PNG/JPEG"
                    + " images (class sub-folders for conditional training), or --data " + TrainConfig.FASHION_MNIST);
        }
        Map<Integer, Path> byChannels = channelExamples(root);
        int channels = c.channels();
        if (!explicit.contains("channels")) {
            if (byChannels.size() > 1) {
                throw new IllegalArgumentException("images in " + root + " have mixed channel counts (e.g. "
                        + byChannels.get(1) + " is grayscale, " + byChannels.get(3) + " is colour); convert them to one"
                        + " kind, or pass --channels 1 or --channels 3 to convert every image when it is read");
            }
            if (byChannels.size() == 1) {
                channels = byChannels.keySet().iterator().next();
            }
        }
        // Short side resized to res, then centre-cropped; flips as augmentation (UNETGAN.md §6).
        ImageFolder folder = ImageFolder.builder(root).size(c.res()).channels(channels).randomFlip(true)
                .seed(c.seed()).build();
        int found = folder.classes().size();
        int classes = c.classes();
        if (explicit.contains("classes")) {
            if (classes > 0 && classes != found) {
                throw new IllegalArgumentException("--classes " + classes + " but " + root + " has " + found
                        + " class sub-folders; pass --classes " + found + ", or 0 for unconditional training");
            }
        } else if (classes > 0) {
            // A conditional preset takes its class count from the folder; a folder without sub-folders trains
            // unconditionally.
            classes = found > 1 ? found : 0;
        }
        Map<String, Object> adjusted = c.toMap();
        adjusted.put("channels", channels);
        adjusted.put("classes", classes);
        return new Opened(folder, TrainConfig.resolve(c.preset(), adjusted, Map.of()));
    }

    /**
     * One example file per colour-channel count (1 grey, 3 colour; alpha not counted) among the images below
     * {@code root}, read from the file headers only.
     */
    private static Map<Integer, Path> channelExamples(Path root) {
        Map<Integer, Path> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(TrainingData::isImage)::iterator) {
                int channels = colourChannels(p);
                if (channels > 0) {
                    found.putIfAbsent(channels, p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return found;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && !name.startsWith(".")
                && List.of(".png", ".jpg", ".jpeg").stream().anyMatch(name::endsWith);
    }

    /** 1 or 3 from the first image type the decoder reports, or 0 if the header is unreadable (ImageFolder skips it). */
    private static int colourChannels(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return 0;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
                return types.hasNext() && types.next().getColorModel().getColorSpace().getNumComponents() == 1 ? 1 : 3;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
