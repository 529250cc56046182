package dev.unetgan.gan.app.eval;

/**
 * The statistics behind the classifier metrics, in double precision on the host: Gaussian fits, the Fréchet distance
 * between two of them, the classifier score, and k-NN precision and recall. Feature matrices are
 * {@code double[n][d]}.
 */
public final class FeatureMath {
    private static final int MAX_SWEEPS = 100;

    private FeatureMath() {
    }

    /** The mean {@code [d]} of the rows of {@code x}. */
    public static double[] mean(double[][] x) {
        double[] mu = new double[x[0].length];
        for (double[] row : x) {
            for (int j = 0; j < mu.length; j++) {
                mu[j] += row[j];
            }
        }
        for (int j = 0; j < mu.length; j++) {
            mu[j] /= x.length;
        }
        return mu;
    }

    /** The unbiased covariance {@code [d][d]} of the rows of {@code x} (at least two rows). */
    public static double[][] covariance(double[][] x, double[] mu) {
        int d = mu.length;
        double[][] c = new double[d][d];
        double[] centred = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                centred[j] = row[j] - mu[j];
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    c[i][j] += centred[i] * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                c[i][j] /= x.length - 1;
                c[j][i] = c[i][j];
            }
        }
        return c;
    }

    /**
     * The Fréchet distance between {@code N(mu1, s1)} and {@code N(mu2, s2)}:
     * {@code |mu1-mu2|² + tr(s1) + tr(s2) - 2·tr((s1^½ s2 s1^½)^½)}. The last trace equals {@code tr((s1 s2)^½)} (the
     * two matrices are similar) and is computed from symmetric eigen-decompositions, which stay real for PSD inputs.
     */
    public static double frechetDistance(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        int d = mu1.length;
        double dist = 0;
        for (int i = 0; i < d; i++) {
            dist += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + s1[i][i] + s2[i][i];
        }
        double[][] root = sqrtPsd(s1);
        double[][] m = multiply(multiply(root, s2), root);
        double traceRoot = 0;
        for (double lambda : symmetricEigen(m, null)) {
            traceRoot += Math.sqrt(Math.max(lambda, 0));
        }
        return dist - 2 * traceRoot;
    }

    /** The PSD square root of a symmetric matrix (negative eigenvalues from rounding are taken as 0). */
    static double[][] sqrtPsd(double[][] s) {
        int d = s.length;
        double[][] v = new double[d][d];
        double[] lambda = symmetricEigen(s, v);
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int k = 0; k < d; k++) {
                    sum += v[i][k] * Math.sqrt(Math.max(lambda[k], 0)) * v[j][k];
                }
                out[i][j] = sum;
            }
        }
        return out;
    }

    /**
     * Eigenvalues of the symmetric matrix {@code a} by cyclic Jacobi rotations (accurate for the small, possibly
     * singular covariances here); when {@code vectors} is non-null it receives the eigenvectors as columns.
     */
    static double[] symmetricEigen(double[][] a, double[][] vectors) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        if (vectors != null) {
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(vectors[i], 0);
                vectors[i][i] = 1;
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off <= 1e-30 * Math.max(diag, Double.MIN_NORMAL)) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] != 0) {
                        rotate(m, vectors, p, q);
                    }
                }
            }
        }
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = m[i][i];
        }
        return lambda;
    }

    /** One Jacobi rotation that zeroes {@code m[p][q]} (Golub and Van Loan's symmetric Schur decomposition). */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = m.length;
        for (int k = 0; k < n; k++) {
            double mkp = m[k][p];
            double mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
            double mpk = m[p][k];
            double mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
        if (v != null) {
            for (int k = 0; k < n; k++) {
                double vkp = v[k][p];
                double vkq = v[k][q];
                v[k][p] = c * vkp - s * vkq;
                v[k][q] = s * vkp + c * vkq;
            }
        }
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < k; l++) {
                double ail = a[i][l];
                for (int j = 0; j < m; j++) {
                    out[i][j] += ail * b[l][j];
                }
            }
        }
        return out;
    }

    /**
     * The classifier score, Inception Score's analogue: {@code exp(mean_i KL(p(y|x_i) || p(y)))} for class
     * probabilities {@code probs [n][classes]}, with {@code p(y)} their mean. 1 when every image gets the same
     * distribution; at most the class count, reached by confident predictions spread evenly over the classes.
     */
    public static double classifierScore(double[][] probs) {
        double[] marginal = mean(probs);
        double kl = 0;
        for (double[] p : probs) {
            for (int c = 0; c < p.length; c++) {
                if (p[c] > 0) {
                    kl += p[c] * (Math.log(p[c]) - Math.log(marginal[c]));
                }
            }
        }
        return Math.exp(kl / probs.length);
    }

    /**
     * Improved precision (Kynkäänniemi et al., 2019): the fraction of {@code candidates} that fall inside the
     * k-nearest-neighbour ball of at least one {@code reference} point (radius: distance to its k-th nearest other
     * reference). Recall is {@code coverage(fake, real, k)}, precision {@code coverage(real, fake, k)}.
     */
    public static double coverage(double[][] reference, double[][] candidates, int k) {
        if (reference.length <= k) {
            throw new IllegalArgumentException("precision/recall: need more than k=" + k + " reference points, got "
                    + reference.length);
        }
        double[] radius = new double[reference.length];
        for (int i = 0; i < reference.length; i++) {
            double[] nearest = new double[k + 1];
            java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
            for (double[] other : reference) {
                double dist = squaredDistance(reference[i], other);
                // Keep the k+1 smallest (the point itself is one of them, at distance 0).
                if (dist < nearest[k]) {
                    int j = k;
                    while (j > 0 && nearest[j - 1] > dist) {
                        nearest[j] = nearest[j - 1];
                        j--;
                    }
                    nearest[j] = dist;
                }
            }
            radius[i] = nearest[k];
        }
        int inside = 0;
        for (double[] c : candidates) {
            for (int i = 0; i < reference.length; i++) {
                if (squaredDistance(c, reference[i]) <= radius[i]) {
                    inside++;
                    break;
                }
            }
        }
        return (double) inside / candidates.length;
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
