package dev.unetgan.tensor;

/**
 * Random distributions for {@link Backend#random}. Parameters {@code (a, b)}: {@code UNIFORM} on {@code [a, b)};
 * {@code NORMAL} with mean {@code a} and standard deviation {@code b}; {@code BERNOULLI} gives 1 with probability
 * {@code a}, else 0 ({@code b} unused).
 */
public enum Distribution { UNIFORM, NORMAL, BERNOULLI }
