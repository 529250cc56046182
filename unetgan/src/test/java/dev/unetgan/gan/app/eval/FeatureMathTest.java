package dev.unetgan.gan.app.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metric statistics against closed forms. */
class FeatureMathTest {
    private static double[][] diag(double... v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            m[i][i] = v[i];
        }
        return m;
    }

    /** {@code q m qᵀ} for the rotation by {@code angle} in the plane of axes 0 and 1. */
    private static double[][] rotate(double[][] m, double angle) {
        int n = m.length;
        double[][] q = diag(new double[n]);
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        q[0][0] = Math.cos(angle);
        q[0][1] = -Math.sin(angle);
        q[1][0] = Math.sin(angle);
        q[1][1] = Math.cos(angle);
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (int l = 0; l < n; l++) {
                        out[i][j] += q[i][k] * m[k][l] * q[j][l];
                    }
                }
            }
        }
        return out;
    }

    @Test
    void frechetDistanceMatchesTheClosedFormForCommutingCovariances() {
        double[] mu1 = {0, 1, 2};
        double[] mu2 = {1, 1, 0};
        double[] a = {4, 1, 0.25};
        double[] b = {1, 9, 0.25};
        double expected = 1 + 0 + 4;
        for (int i = 0; i < 3; i++) {
            expected += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        assertEquals(expected, FeatureMath.frechetDistance(mu1, diag(a), mu2, diag(b)), 1e-9);
        // Rotating both Gaussians the same way changes nothing; this exercises the non-diagonal path.
        assertEquals(expected, FeatureMath.frechetDistance(mu1, rotate(diag(a), 0.7), mu1.clone(),
                rotate(diag(b), 0.7)) + 5, 1e-9);
        assertEquals(0, FeatureMath.frechetDistance(mu1, rotate(diag(a), 0.3), mu1, rotate(diag(a), 0.3)), 1e-9);
    }

    @Test
    void sampleStatisticsAndSquareRoot() {
        Random r = new Random(1);
        double[][] x = new double[2000][3];
        for (double[] row : x) {
            row[0] = 1 + 2 * r.nextGaussian();
            row[1] = -1 + 0.5 * r.nextGaussian();
            row[2] = row[0] + r.nextGaussian();
        }
        double[] mu = FeatureMath.mean(x);
        double[][] c = FeatureMath.covariance(x, mu);
        assertEquals(1, mu[0], 0.15);
        assertEquals(4, c[0][0], 0.4);
        assertEquals(4, c[0][2], 0.4);
        double[][] root = FeatureMath.sqrtPsd(c);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double sq = 0;
                for (int k = 0; k < 3; k++) {
                    sq += root[i][k] * root[k][j];
                }
                assertEquals(c[i][j], sq, 1e-9);
            }
        }
    }

    @Test
    void classifierScoreSpansOneToTheClassCount() {
        double[][] same = {{0.5, 0.5, 0}, {0.5, 0.5, 0}};
        assertEquals(1, FeatureMath.classifierScore(same), 1e-12);
        double[][] confident = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        assertEquals(3, FeatureMath.classifierScore(confident), 1e-12);
    }

    @Test
    void coverageCountsPointsInsideTheKnnBalls() {
        // Reference points on a line 0..9: each 1-NN radius is 1.
        double[][] ref = new double[10][];
        for (int i = 0; i < 10; i++) {
            ref[i] = new double[]{i, 0};
        }
        double[][] candidates = {{0.5, 0}, {4, 0.9}, {20, 0}, {5, 5}};
        assertEquals(0.5, FeatureMath.coverage(ref, candidates, 1), 1e-12);
        // k = 3: radius 2 (interior) or 3 (ends); (5, 5) is still outside.
        assertEquals(0.5, FeatureMath.coverage(ref, candidates, 3), 1e-12);
    }
}
