package dev.unetgan.autograd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The F64 gradient check over every row of the op table. */
class OpSpecGradTest {

    static List<OpSpec> rows() {
        return OpSpecs.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void gradientMatchesCentralDifferences(OpSpec spec) {
        GradCheck.check(spec.name(), spec.fn(), spec.atol(), spec.rtol(), 7,
                spec.inputsF64(42));
    }

    @Test
    void rowNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (OpSpec row : rows()) {
            assertTrue(names.add(row.name()), "duplicate row " + row.name());
        }
    }
}
