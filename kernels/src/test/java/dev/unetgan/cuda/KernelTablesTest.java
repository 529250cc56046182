package dev.unetgan.cuda;

import dev.unetgan.tensor.BinaryOp;
import dev.unetgan.tensor.GanLossKind;
import dev.unetgan.tensor.ReduceOp;
import dev.unetgan.tensor.TernaryOp;
import dev.unetgan.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The op codes that CudaBackend passes are Java enum ordinals, so every .cu enum mirroring a Java enum must list
 * the same constants in the same order, and every constant needs its own {@code case} in each switch over that
 * enum (DESIGN.md §2: adding an activation means one enum constant, one CUDA case, one OpSpec row).
 */
class KernelTablesTest {

    private static List<String> javaNames(Class<? extends Enum<?>> e) {
        return Arrays.stream(e.getEnumConstants()).map(Enum::name).toList();
    }

    /** The constants of {@code enum class name { ... }} in the source. */
    private static List<String> cudaEnum(String source, String name) {
        Matcher m = Pattern.compile("enum class " + name + "\\s*\\{([^}]*)}").matcher(source);
        assertTrue(m.find(), "no enum class " + name);
        List<String> names = new ArrayList<>();
        for (String part : m.group(1).split(",")) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        return names;
    }

    /** For each switch over {@code name}, the set of its cases, in order of appearance. */
    private static List<Set<String>> switches(String source, String name) {
        List<Set<String>> result = new ArrayList<>();
        Matcher sw = Pattern.compile("switch \\(static_cast<" + name + ">\\(\\w+\\)\\) \\{").matcher(source);
        while (sw.find()) {
            int depth = 1, i = sw.end();
            while (depth > 0) {
                char c = source.charAt(i++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            Set<String> cases = new LinkedHashSet<>();
            Matcher cm = Pattern.compile("case " + name + "::(\\w+):").matcher(source.substring(sw.end(), i));
            while (cm.find()) {
                cases.add(cm.group(1));
            }
            result.add(cases);
        }
        return result;
    }

    private static void check(String file, String name, Class<? extends Enum<?>> javaEnum, int expectedSwitches) {
        String source = CudaSources.resource("cuda/" + file);
        List<String> java = javaNames(javaEnum);
        assertEquals(java, cudaEnum(source, name), file + ": enum class " + name + " vs " + javaEnum.getName());
        List<Set<String>> switches = switches(source, name);
        assertEquals(expectedSwitches, switches.size(), file + ": switches over " + name);
        for (Set<String> cases : switches) {
            assertEquals(new LinkedHashSet<>(java), cases, file + ": one case per " + javaEnum.getSimpleName());
        }
    }

    @Test
    void elementwiseTablesMatchTheJavaEnums() {
        check("elementwise.cu", "UnaryOp", UnaryOp.class, 2);
        check("elementwise.cu", "BinaryOp", BinaryOp.class, 2);
        check("elementwise.cu", "TernaryOp", TernaryOp.class, 2);
    }

    @Test
    void lossAndReductionCodesMatchTheJavaEnums() {
        check("gan_loss.cu", "GanLossKind", GanLossKind.class, 1);
        assertEquals(javaNames(ReduceOp.class), cudaEnum(CudaSources.resource("cuda/reduce.cu"), "ReduceOp"));
    }

    @Test
    void everyFamilyIsListedAndDefinesItsKernels() {
        CudaSources bundled = CudaSources.bundled();
        for (CudaSources.File f : bundled.files()) {
            if (f.isFamily()) {
                assertTrue(!f.kernels().isEmpty(), f.name() + " defines no kernel");
                for (String k : f.kernels()) {
                    assertTrue(k.endsWith("_kernel"), f.name() + ": kernel " + k + " should be named <op>_kernel");
                }
            }
        }
    }
}
