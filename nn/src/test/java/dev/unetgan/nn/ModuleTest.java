package dev.unetgan.nn;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.layers.BatchNorm2d;
import dev.unetgan.nn.layers.Conv2d;
import dev.unetgan.nn.layers.Linear;
import dev.unetgan.nn.layers.ReLU;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.unetgan.nn.NnTesting.assertUnchanged;
import static dev.unetgan.nn.NnTesting.keys;
import static dev.unetgan.nn.NnTesting.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {

    /** A residual block with two convs, a BN and a parameter of its own, as a GAN block would look. */
    static final class Block extends Module {
        final Tensor gain;
        final Conv2d conv1;
        final BatchNorm2d bn;
        final Conv2d conv2;

        Block(int c, Generator gen) {
            gain = registerParameter("gain", NDArray.full(Shape.of(1), DType.F32, dev.unetgan.tensor.Device.CPU, 1));
            conv1 = registerModule("conv1", new Conv2d(c, c, 3, 1, gen));
            bn = registerModule("bn", new BatchNorm2d(c));
            conv2 = registerModule("conv2", Conv2d.builder(c, c, 1).bias(false).build(gen));
        }
    }

    /** A composite with a non-Layer signature: two inputs, two outputs. */
    static final class Net extends Module {
        final ModuleList<Block> blocks;
        final Sequential head;

        record Out(Tensor a, Tensor b) {
        }

        Net(Generator gen) {
            blocks = registerModule("blocks", new ModuleList<>(new Block(2, gen), new Block(2, gen)));
            head = registerModule("head", new Sequential(new Linear(2, 3, gen), new ReLU(), new Linear(3, 1, gen)));
        }

        Out forward(Tensor x, Tensor y) {
            Tensor h = x;
            for (Block b : blocks) {
                h = b.conv2.forward(b.bn.forward(b.conv1.forward(h))).mul(b.gain).add(h);
            }
            return new Out(h, head.forward(y));
        }
    }

    static final List<String> NET_KEYS = List.of(
            "blocks.0.gain", "blocks.0.conv1.weight", "blocks.0.conv1.bias", "blocks.0.bn.weight", "blocks.0.bn.bias",
            "blocks.0.bn.running_mean", "blocks.0.bn.running_var", "blocks.0.bn.num_batches_tracked",
            "blocks.0.conv2.weight",
            "blocks.1.gain", "blocks.1.conv1.weight", "blocks.1.conv1.bias", "blocks.1.bn.weight", "blocks.1.bn.bias",
            "blocks.1.bn.running_mean", "blocks.1.bn.running_var", "blocks.1.bn.num_batches_tracked",
            "blocks.1.conv2.weight",
            "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias");

    @Test
    void stateDictNamesNestedModulesInDeclarationOrder() {
        try (Net net = new Net(new Generator(1))) {
            assertEquals(NET_KEYS, keys(net.stateDict()));
            assertEquals(NET_KEYS.stream().filter(k -> !k.contains("running") && !k.contains("num_batches")).toList(),
                    keys(net.namedParameters()));
            assertEquals(List.of("blocks.0.bn.running_mean", "blocks.0.bn.running_var", "blocks.0.bn.num_batches_tracked",
                    "blocks.1.bn.running_mean", "blocks.1.bn.running_var", "blocks.1.bn.num_batches_tracked"),
                    keys(net.namedBuffers()));
            assertEquals(List.of("", "blocks", "blocks.0", "blocks.0.conv1", "blocks.0.bn", "blocks.0.conv2", "blocks.1",
                    "blocks.1.conv1", "blocks.1.bn", "blocks.1.conv2", "head", "head.0", "head.1", "head.2"),
                    keys(net.namedModules()));
            // live arrays, not copies
            assertSame(net.blocks.get(1).conv1.weight().value(), net.stateDict().get("blocks.1.conv1.weight"));
            assertSame(net.blocks.get(0).bn.runningVar(), net.stateDict().get("blocks.0.bn.running_var"));
            assertEquals(net.parameters(), List.copyOf(net.namedParameters().values()));
        }
    }

    @Test
    void parameterCount() {
        try (Net net = new Net(new Generator(1))) {
            long block = 1 + (2 * 2 * 9 + 2) + (2 + 2) + 2 * 2;          // gain, conv1, bn affine, conv2 (no bias)
            long head = (2 * 3 + 3) + (3 + 1);
            assertEquals(2 * block + head, net.parameterCount());
            assertEquals(2 * 9 + 2, new Conv2d(1, 2, 3, 1, new Generator(0)).parameterCount());
            assertEquals(0, new ReLU().parameterCount());
            assertEquals(0, BatchNorm2d.builder(4).affine(false).build().parameterCount());
        }
    }

    @Test
    void sharedParameterIsCountedOnceButSavedUnderBothNames() {
        final class Tied extends Module {
            final Linear a;
            final Tensor alias;

            Tied() {
                a = registerModule("a", new Linear(2, 2, new Generator(3)));
                alias = registerParameter("alias", a.weight());
            }
        }
        try (Tied t = new Tied()) {
            assertEquals(List.of("alias", "a.weight", "a.bias"), keys(t.stateDict()));
            assertEquals(List.of("alias", "a.bias"), keys(t.namedParameters()));
            assertEquals(6, t.parameterCount());
        }
    }

    @Test
    void trainAndEvalAreRecursive() {
        try (Net net = new Net(new Generator(1))) {
            assertTrue(net.namedModules().values().stream().allMatch(Module::isTraining));
            assertSame(net, net.eval());
            assertTrue(net.namedModules().values().stream().noneMatch(Module::isTraining));
            net.blocks.get(1).train();
            assertTrue(net.blocks.get(1).bn.isTraining());
            assertFalse(net.blocks.get(0).bn.isTraining());
            net.train(true);
            assertTrue(net.namedModules().values().stream().allMatch(Module::isTraining));
        }
    }

    @Test
    void zeroGradClearsEveryParameter() {
        try (Net net = new Net(new Generator(1)); Scope scope = Scope.open()) {
            Tensor x = Tensor.of(NnTesting.seqArray(DType.F32, 1, 0, 2, 2, 3, 3));
            Tensor y = Tensor.of(NnTesting.seqArray(DType.F32, 1, 1, 4, 2));
            Net.Out out = net.forward(x, y);
            out.a().sum().add(out.b().sum()).backward();
            assertTrue(net.parameters().stream().allMatch(p -> p.grad() != null));
            net.zeroGrad();
            assertTrue(net.parameters().stream().allMatch(p -> p.grad() == null));
        }
    }

    @Test
    void frozenModuleGetsNoGradientsButPassesThemOn() {
        try (Net net = new Net(new Generator(1)); Scope scope = Scope.open()) {
            Tensor x = Tensor.of(NnTesting.seqArray(DType.F32, 1, 0, 2, 2, 3, 3));
            Tensor y = Tensor.of(NnTesting.seqArray(DType.F32, 1, 1, 4, 2));
            Block last = net.blocks.get(1);
            assertSame(last, last.requiresGrad(false));
            Net.Out out = net.forward(x, y);
            out.a().sum().add(out.b().sum()).backward();
            // Block 0 sits before the frozen block 1, so its gradients pass through it.
            assertTrue(last.parameters().stream().allMatch(p -> p.grad() == null));
            assertTrue(net.blocks.get(0).parameters().stream().allMatch(p -> p.grad() != null));
            assertTrue(net.head.parameters().stream().allMatch(p -> p.grad() != null));
            last.requiresGrad(true);
            net.zeroGrad();
            out = net.forward(x, y);
            out.a().sum().add(out.b().sum()).backward();
            assertTrue(net.parameters().stream().allMatch(p -> p.grad() != null));
        }
    }

    @Test
    void registrationRejectsBadAndDuplicateNames() {
        final class Bad extends Module {
            Bad(String first, String second) {
                registerBuffer(first, NDArray.zeros(Shape.of(1), DType.F32, dev.unetgan.tensor.Device.CPU));
                registerModule(second, new ReLU());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("x", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("a.b", "c"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("", "c"));
        new Bad("a", "b").close();
    }

    @Test
    void loadStateDictCopiesValuesInPlace() {
        try (Net a = new Net(new Generator(1)); Net b = new Net(new Generator(2))) {
            NDArray before = b.blocks.get(0).conv1.weight().value();
            b.loadStateDict(a.stateDict());
            assertSame(before, b.blocks.get(0).conv1.weight().value());
            Map<String, double[]> sa = snapshot(a);
            assertUnchanged(sa, b);
            assertNotSame(a.stateDict().get("head.0.weight"), b.stateDict().get("head.0.weight"));
        }
    }

    /** Each bad case is rejected with a message naming the key(s), and the target stays bit-for-bit the same. */
    @Test
    void strictLoadRejectsEveryBadCaseAndLeavesTheModuleUnchanged() {
        try (Net src = new Net(new Generator(1)); Net dst = new Net(new Generator(2)); Scope scope = Scope.open()) {
            Map<String, double[]> before = snapshot(dst);

            Map<String, NDArray> missing = new LinkedHashMap<>(src.stateDict());
            missing.remove("blocks.1.bn.running_var");
            StateDictException e = assertThrows(StateDictException.class, () -> dst.loadStateDict(missing));
            assertEquals(List.of("blocks.1.bn.running_var"), e.missingKeys());
            assertTrue(e.getMessage().contains("blocks.1.bn.running_var"), e.getMessage());
            assertUnchanged(before, dst);

            Map<String, NDArray> unexpected = new LinkedHashMap<>(src.stateDict());
            unexpected.put("head.3.weight", NDArray.zeros(Shape.of(1), DType.F32, dev.unetgan.tensor.Device.CPU));
            e = assertThrows(StateDictException.class, () -> dst.loadStateDict(unexpected));
            assertEquals(List.of("head.3.weight"), e.unexpectedKeys());
            assertTrue(e.getMessage().contains("head.3.weight"), e.getMessage());
            assertUnchanged(before, dst);

            Map<String, NDArray> shape = new LinkedHashMap<>(src.stateDict());
            shape.put("head.0.weight", NDArray.zeros(Shape.of(2, 3), DType.F32, dev.unetgan.tensor.Device.CPU));
            e = assertThrows(StateDictException.class, () -> dst.loadStateDict(shape));
            assertEquals(1, e.mismatches().size());
            assertTrue(e.getMessage().contains("head.0.weight") && e.getMessage().contains("[3, 2]")
                    && e.getMessage().contains("[2, 3]"), e.getMessage());
            assertUnchanged(before, dst);

            Map<String, NDArray> dtype = new LinkedHashMap<>(src.stateDict());
            dtype.put("blocks.0.bn.num_batches_tracked", NDArray.zeros(Shape.scalar(), DType.F32, dev.unetgan.tensor.Device.CPU));
            e = assertThrows(StateDictException.class, () -> dst.loadStateDict(dtype));
            assertTrue(e.getMessage().contains("blocks.0.bn.num_batches_tracked") && e.getMessage().contains("I32")
                    && e.getMessage().contains("F32"), e.getMessage());
            assertUnchanged(before, dst);

            // all problems at once are all reported
            Map<String, NDArray> all = new LinkedHashMap<>(shape);
            all.remove("blocks.0.gain");
            all.put("extra", NDArray.zeros(Shape.of(1), DType.F32, dev.unetgan.tensor.Device.CPU));
            e = assertThrows(StateDictException.class, () -> dst.loadStateDict(all));
            assertEquals(List.of("blocks.0.gain"), e.missingKeys());
            assertEquals(List.of("extra"), e.unexpectedKeys());
            assertEquals(1, e.mismatches().size());
            assertUnchanged(before, dst);
        }
    }

    @Test
    void loadOptionsIgnoreNamedUnexpectedKeysOnly() {
        try (Net src = new Net(new Generator(1)); Net dst = new Net(new Generator(2)); Scope scope = Scope.open()) {
            Map<String, NDArray> state = new LinkedHashMap<>(src.stateDict());
            NDArray one = NDArray.zeros(Shape.of(1), DType.F32, dev.unetgan.tensor.Device.CPU);
            state.put("step", one);
            state.put("ema.head.0.weight", one);
            state.put("ema.blocks.0.gain", one);
            Map<String, double[]> before = snapshot(dst);
            assertThrows(StateDictException.class,
                    () -> dst.loadStateDict(state, LoadOptions.STRICT.ignoreUnexpected("step")));
            assertThrows(StateDictException.class,
                    () -> dst.loadStateDict(state, LoadOptions.STRICT.ignoreUnexpectedPrefix("ema.")));
            assertUnchanged(before, dst);
            dst.loadStateDict(state, LoadOptions.STRICT.ignoreUnexpected("step").ignoreUnexpectedPrefix("ema."));
            assertUnchanged(snapshot(src), dst);
            // ignoring never excuses a missing key
            state.remove("head.2.bias");
            assertThrows(StateDictException.class,
                    () -> dst.loadStateDict(state, LoadOptions.STRICT.ignoreUnexpected("step", "head.2.bias")
                            .ignoreUnexpectedPrefix("ema.")));
        }
    }

    @Test
    void closeFreesParametersGradientsAndBuffers() {
        Net net = new Net(new Generator(1));
        List<NDArray> arrays = List.copyOf(net.stateDict().values());
        net.close();
        assertTrue(arrays.stream().allMatch(NDArray::isClosed));
        assertTrue(NnTesting.allClosed(net));
        net.close();
    }

    @Test
    void toStringShowsTheTree() {
        try (Sequential s = new Sequential(new Linear(2, 3, new Generator(0)), new ReLU())) {
            String text = s.toString();
            assertTrue(text.startsWith("Sequential(\n  (0): Linear(in=2, out=3, bias=true)\n  (1): ReLU()"), text);
        }
    }

    @Test
    void sequentialAppliesLayersInOrder() {
        try (Linear l = new Linear(2, 2, new Generator(4)); Sequential s = new Sequential(l, new ReLU());
             Scope scope = Scope.open()) {
            Tensor x = Tensor.of(NnTesting.seqArray(DType.F32, 2, 0.5, 3, 2));
            double[] expected = l.forward(x).relu().value().toDoubleArray();
            assertArrayEquals(expected, s.forward(x).value().toDoubleArray(), 0);
            assertEquals(2, s.size());
            assertSame(l, s.get(0));
            assertNull(s.stateDict().get("1.weight"));
        }
    }

    /** Steps run in scopes free their temporaries but never the module's arrays or the gradients. */
    @Test
    void trainingStepsInsideScopesKeepParametersGradientsAndBuffers() {
        try (Net net = new Net(new Generator(1))) {
            for (int step = 0; step < 3; step++) {
                try (Scope scope = Scope.open()) {
                    Net.Out out = net.forward(Tensor.of(NnTesting.seqArray(DType.F32, 1, step, 2, 2, 3, 3)),
                            Tensor.of(NnTesting.seqArray(DType.F32, 1, 1, 4, 2)));
                    net.zeroGrad();
                    out.a().square().mean().add(out.b().sum()).backward();
                }
                assertTrue(net.stateDict().values().stream().noneMatch(NDArray::isClosed));
                assertTrue(net.parameters().stream().allMatch(p -> p.grad() != null && !p.grad().isClosed()));
            }
            assertEquals(3, net.blocks.get(1).bn.numBatchesTracked().item());
        }
    }
}
