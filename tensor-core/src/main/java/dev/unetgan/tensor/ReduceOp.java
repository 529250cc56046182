package dev.unetgan.tensor;

/** Reductions along axes. {@code MEAN} divides by the number of reduced elements. */
public enum ReduceOp { SUM, MEAN, MAX, MIN }
