package dev.unetgan.gan.demo;

import dev.unetgan.tensor.Device;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;

import static org.junit.jupiter.api.Assertions.*;

class ConvNetDemoTest {
    @Test
    void learnsTheLineTask() {
        ConvNetDemo demo = new ConvNetDemo(Device.CPU, 3);
        double before = demo.accuracy(256);
        ConvNetDemo.Result r = demo.train(150, 32, new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(before < 0.5, "untrained accuracy " + before);
        assertTrue(r.testAccuracy() > 0.9, "accuracy after training " + r.testAccuracy());
        assertTrue(r.finalLoss() < 0.5, "final loss " + r.finalLoss());
    }
}
