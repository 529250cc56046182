package dev.unetgan.gan.model;

import dev.unetgan.nn.Module;
import dev.unetgan.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter and SN-buffer counts against the official implementation (issue 5: 128x128, ch 64, unconditional,
 * self-modulation, no attention), against an independent closed-form count at every resolution, and the
 * state-dict names and shapes of UNETGAN.md §7.
 */
class ParameterCountTest {
    private static long uElements(Module m) {
        long n = 0;
        for (Map.Entry<String, NDArray> e : m.namedBuffers().entrySet()) {
            if (e.getKey().endsWith(".u0")) {
                n += e.getValue().size();
            }
        }
        return n;
    }

    private static void assertShape(Map<String, NDArray> state, String key, int... dims) {
        assertTrue(state.containsKey(key), () -> "missing " + key);
        assertArrayEquals(dims, state.get(key).shape().dims(), key);
    }

    @Test
    void officialCountsAndKeysAt128() {
        ModelConfig cfg = ModelConfig.of(128, 3, 64, 0);
        try (BigGanGenerator g = new BigGanGenerator(cfg, null)) {
            assertEquals(33_732_739L, g.parameterCount());
            assertEquals(22_339L, uElements(g));
            Map<String, NDArray> s = g.stateDict();
            assertShape(s, "linear.weight", 16384, 128);
            assertShape(s, "linear.u0", 1, 16384);
            assertShape(s, "linear.sv0", 1);
            assertShape(s, "blocks.0.0.conv1.weight", 1024, 1024, 3, 3);
            assertShape(s, "blocks.1.0.conv_sc.weight", 512, 1024, 1, 1);
            assertShape(s, "blocks.4.0.conv2.u0", 1, 64);
            assertShape(s, "blocks.0.0.bn1.gain.0.weight", 128, 128);
            assertShape(s, "blocks.0.0.bn1.gain.0.bias", 128);
            assertShape(s, "blocks.2.0.bn2.gain.2.weight", 256, 128);
            assertShape(s, "blocks.2.0.bn2.bias.2.weight", 256, 128);
            assertShape(s, "blocks.3.0.bn1.stored_mean", 256);
            assertShape(s, "blocks.3.0.bn1.stored_var", 256);
            assertShape(s, "output_layer.0.gain", 64);
            assertShape(s, "output_layer.0.stored_var", 64);
            assertShape(s, "output_layer.2.weight", 3, 64, 3, 3);
            assertShape(s, "output_layer.2.u0", 1, 3);
            assertFalse(s.containsKey("blocks.0.0.bn1.gain.2.bias"), "the MLP's second linear has no bias");
            assertFalse(s.keySet().stream().anyMatch(k -> k.contains("num_batches_tracked")));
        }
        try (UNetDiscriminator d = new UNetDiscriminator(cfg, null)) {
            assertEquals(31_481_667L, d.parameterCount());
            assertEquals(9_026L, uElements(d));
            Map<String, NDArray> s = d.stateDict();
            assertShape(s, "blocks.0.0.conv1.weight", 64, 3, 3, 3);
            assertShape(s, "blocks.4.0.conv_sc.weight", 1024, 512, 1, 1);
            assertShape(s, "blocks.5.0.conv1.weight", 512, 1024, 3, 3);       // first decoder block
            assertShape(s, "blocks.6.0.conv1.weight", 256, 1024, 3, 3);       // (8+8)ch -> 4ch
            assertShape(s, "blocks.9.0.conv_sc.weight", 64, 128, 1, 1);       // (1+1)ch -> 1ch
            assertShape(s, "blocks.10.weight", 1, 64, 1, 1);                  // pixel head, no SN
            assertShape(s, "blocks.10.bias", 1);
            assertFalse(s.containsKey("blocks.10.u0"));
            assertShape(s, "linear.weight", 1, 64);
            assertShape(s, "linear.u0", 1, 1);
            assertShape(s, "linear.sv0", 1);
            assertShape(s, "linear_middle.weight", 1, 1024);
            assertFalse(s.containsKey("embed.weight"));
        }
    }

    @Test
    void conditionalKeys() {
        ModelConfig cfg = ModelConfig.of(32, 1, 4, 10);
        try (BigGanGenerator g = new BigGanGenerator(cfg, null); UNetDiscriminator d = new UNetDiscriminator(cfg, null);
             BigGanDiscriminator b = new BigGanDiscriminator(cfg, null)) {
            Map<String, NDArray> s = g.stateDict();
            assertShape(s, "blocks.0.0.bn1.gain.weight", 10, 64);
            assertShape(s, "blocks.2.0.bn2.bias.weight", 10, 16);
            assertFalse(s.containsKey("blocks.0.0.bn1.gain.0.weight"));
            Map<String, NDArray> t = d.stateDict();
            assertShape(t, "embed.weight", 10, 4);
            assertShape(t, "embed.u0", 1, 10);
            assertShape(t, "embed_middle.weight", 10, 64);
            assertShape(t, "embed_middle.sv0", 1);
            Map<String, NDArray> u = b.stateDict();
            assertShape(u, "blocks.3.0.conv1.weight", 64, 64, 3, 3);
            assertFalse(u.containsKey("blocks.3.0.conv_sc.weight"), "identity shortcut in the non-down-sampling block");
            assertShape(u, "linear.weight", 1, 64);
            assertShape(u, "embed.weight", 10, 64);
        }
    }

    /** An independent count from the spec's tables written out by hand (x ch), for every resolution and mode. */
    @ParameterizedTest
    @CsvSource({"32,1,8,0", "32,3,4,10", "64,3,4,0", "64,1,4,7", "128,3,2,0", "128,3,2,3", "256,3,2,0", "256,1,2,5"})
    void countsMatchClosedForm(int res, int c, int ch, int classes) {
        int[][] gIo = switch (res) {
            case 256 -> new int[][]{{16, 16}, {16, 8}, {8, 8}, {8, 4}, {4, 2}, {2, 1}};
            case 128 -> new int[][]{{16, 16}, {16, 8}, {8, 4}, {4, 2}, {2, 1}};
            case 64 -> new int[][]{{16, 16}, {16, 8}, {8, 4}, {4, 2}};
            default -> new int[][]{{16, 16}, {16, 8}, {8, 4}};
        };
        // Encoder then decoder (in, out) rows of UNETGAN.md §2, in ch multiples; 0 marks the image.
        int[][] dIo = switch (res) {
            case 256 -> new int[][]{{0, 1}, {1, 2}, {2, 4}, {4, 8}, {8, 8}, {8, 16},
                    {16, 8}, {16, 8}, {16, 4}, {8, 2}, {4, 1}, {2, 1}};
            case 128 -> new int[][]{{0, 1}, {1, 2}, {2, 4}, {4, 8}, {8, 16}, {16, 8}, {16, 4}, {8, 2}, {4, 1}, {2, 1}};
            case 64 -> new int[][]{{0, 2}, {2, 4}, {4, 8}, {8, 16}, {16, 8}, {16, 4}, {8, 2}, {4, 1}};
            default -> new int[][]{{0, 4}, {4, 8}, {8, 16}, {16, 8}, {16, 4}, {8, 1}};
        };
        long z = 128;
        long bn = classes > 0 ? 2L * classes : 2 * (z * z + z + z);     // per channel: 2 · (embedding | MLP)
        long bnFixed = classes > 0 ? 0 : 2 * (z * z + z);
        long gExpect = z * 16 * ch * 16 + 16L * ch * 16;
        long gU = 16L * ch * 16;
        for (int[] io : gIo) {
            long i = (long) io[0] * ch;
            long o = (long) io[1] * ch;
            gExpect += i * o * 9 + o + o * o * 9 + o + i * o + o;
            gExpect += 2 * bnFixed + (classes > 0 ? (long) classes * 2 * (i + o) : 2 * z * (i + o));
            gU += 3 * o;
        }
        long last = (long) gIo[gIo.length - 1][1] * ch;
        gExpect += 2 * last + last * c * 9 + c;
        gU += c;
        long dExpect = 0;
        long dU = 0;
        for (int[] io : dIo) {
            long i = io[0] == 0 ? c : (long) io[0] * ch;
            long o = (long) io[1] * ch;
            dExpect += i * o * 9 + o + o * o * 9 + o + i * o + o;
            dU += 3 * o;
        }
        long dLast = (long) dIo[dIo.length - 1][1] * ch;
        dExpect += dLast + 1 + dLast + 1 + 16L * ch + 1;   // pixel head, unused linear, linear_middle
        dU += 2;
        if (classes > 0) {
            dExpect += (long) classes * (dLast + 16L * ch);
            dU += 2L * classes;
        }
        assertTrue(bn > 0);
        ModelConfig cfg = ModelConfig.of(res, c, ch, classes);
        try (BigGanGenerator g = new BigGanGenerator(cfg, null); UNetDiscriminator d = new UNetDiscriminator(cfg, null)) {
            assertEquals(gExpect, g.parameterCount(), "G");
            assertEquals(gU, uElements(g), "G u");
            assertEquals(dExpect, d.parameterCount(), "D");
            assertEquals(dU, uElements(d), "D u");
        }
    }
}
