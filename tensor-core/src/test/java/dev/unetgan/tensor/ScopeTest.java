package dev.unetgan.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ScopeTest {
    @Test
    void scopeClosesWhatItOwnsAndNothingElse() {
        NDArray outside = NDArray.zeros(Shape.of(2), DType.F32, Device.CPU);
        NDArray inner;
        NDArray kept;
        try (Scope scope = Scope.open()) {
            inner = NDArray.zeros(Shape.of(3), DType.F32, Device.CPU);
            kept = scope.keep(NDArray.zeros(Shape.of(4), DType.F32, Device.CPU));
            assertEquals(1, scope.ownedCount());
        }
        assertTrue(inner.isClosed());
        assertFalse(kept.isClosed());
        assertFalse(outside.isClosed());
    }

    @Test
    void keepHandsTheArrayToTheEnclosingScope() {
        NDArray kept;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = inner.keep(NDArray.zeros(Shape.of(1), DType.F32, Device.CPU));
            }
            assertFalse(kept.isClosed());
            assertEquals(1, outer.ownedCount());
        }
        assertTrue(kept.isClosed());
    }

    @Test
    void reshapeSharesStorageSafely() {
        NDArray a = NDArray.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray v = a.reshape(3, -1);
        assertEquals(Shape.of(3, 2), v.shape());
        a.close();
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, v.toFloatArray());
        v.close();
        v.close(); // idempotent
    }

    @Test
    void closedArrayIsRefusedWithTheOpName() {
        NDArray a = NDArray.of(new float[]{1, 2}, 2);
        a.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ops.copy(a));
        assertTrue(e.getMessage().contains("copy") && e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalStateException.class, a::toFloatArray);
    }

    @Test
    void closingOutOfOrderIsAnError() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }
}
