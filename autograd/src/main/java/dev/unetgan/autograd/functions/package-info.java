/**
 * One {@link dev.unetgan.autograd.Function} per differentiable primitive: a generic one for each elementwise op
 * table ({@code Unary}, {@code Binary}, {@code Ternary}), one for all reductions, and one each for the structured
 * ops. A new {@code UnaryOp}/{@code BinaryOp}/{@code TernaryOp} constant needs no new file here.
 */
package dev.unetgan.autograd.functions;
