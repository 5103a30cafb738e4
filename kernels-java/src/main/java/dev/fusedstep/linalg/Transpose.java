package dev.fusedstep.linalg;

/** Whether a GEMM operand is used as stored ({@link #N}) or transposed ({@link #T}), as BLAS's {@code transa}/{@code transb}. */
public enum Transpose {
    /** op(X) = X. */
    N,
    /** op(X) = X^T. */
    T
}
