package dev.unetgan.tensor;

/** 2-D pooling modes. Average pooling counts padded positions as zeros (PyTorch's {@code count_include_pad=True}). */
public enum PoolMode { AVG, MAX }
