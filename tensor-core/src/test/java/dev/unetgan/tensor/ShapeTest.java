package dev.unetgan.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ShapeTest {
    @Test
    void sizeStridesAndAxes() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertArrayEquals(new long[]{12, 4, 1}, s.strides());
        assertEquals(4, s.dim(-1));
        assertEquals(12, s.sizeOf(1, 3));
        assertEquals(1, Shape.scalar().size());
        assertEquals(0, Shape.of(3, 0).size());
    }

    @Test
    void broadcastFollowsNumpyRules() {
        assertEquals(Shape.of(8, 3, 5), Shape.broadcast("t", Shape.of(8, 1, 5), Shape.of(3, 1)));
        assertEquals(Shape.of(2, 3), Shape.broadcast("t", Shape.scalar(), Shape.of(2, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shape.broadcast("add", Shape.of(2, 3), Shape.of(4, 3)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 3]"),
                e.getMessage());
    }

    @Test
    void illegalAxisNamesTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).dim(2));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    }

    @Test
    void equalityIsByDimensions() {
        assertEquals(Shape.of(1, 2), Shape.of(1, 2));
        assertEquals(Shape.of(1, 2).hashCode(), Shape.of(1, 2).hashCode());
        assertNotEquals(Shape.of(1, 2), Shape.of(2, 1));
        assertEquals(Shape.of(1, 1, 4), Shape.of(4).padLeft(3));
    }
}
