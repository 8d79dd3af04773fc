package mixtral.model;

import mixtral.config.MixtralConfig;
import mixtral.weights.WeightSource;

/**
 * The Mixtral forward pass written again as plain double-precision loops, one token and one head at a time, with
 * none of the batching tricks of the real model (no gathered experts, no repeated kv heads, no tiled tables). It
 * checks the array plumbing; the published implementation checks the semantics (see the golden module).
 */
final class PlainLoops {
    private final MixtralConfig c;
    private final WeightSource w;

    PlainLoops(WeightSource w) {
        this.c = w.config();
        this.w = w;
    }

    /** logits [T][V] */
    double[][] forward(long[] tokens) {
        int t = tokens.length;
        float[][] emb = w.embedding().toFloatMatrix();
        double[][] x = new double[t][];
        for (int i = 0; i < t; i++) {
            x[i] = toDouble(emb[(int) tokens[i]]);
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            double[][] a = norm(x, w.attnNorm(l).toFloatVector());
            double[][] att = attention(a, l);
            for (int i = 0; i < t; i++) {
                x[i] = add(x[i], att[i]);
            }
            double[][] m = norm(x, w.moeNorm(l).toFloatVector());
            for (int i = 0; i < t; i++) {
                x[i] = add(x[i], moe(m[i], l));
            }
        }
        double[][] h = norm(x, w.finalNorm().toFloatVector());
        float[][] head = w.lmHead().toFloatMatrix();
        double[][] logits = new double[t][];
        for (int i = 0; i < t; i++) {
            logits[i] = matVec(head, h[i]);
        }
        return logits;
    }

    double[][] norm(double[][] x, float[] weight) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double ms = 0;
            for (double v : x[i]) {
                ms += v * v / x[i].length;
            }
            y[i] = new double[x[i].length];
            for (int d = 0; d < x[i].length; d++) {
                y[i][d] = x[i][d] / Math.sqrt(ms + c.rmsNormEps()) * weight[d];
            }
        }
        return y;
    }

    double[][] attention(double[][] x, int l) {
        int t = x.length;
        int hd = c.headDim();
        float[][] wq = w.wq(l).toFloatMatrix();
        float[][] wk = w.wk(l).toFloatMatrix();
        float[][] wv = w.wv(l).toFloatMatrix();
        double[][] q = new double[t][];
        double[][] k = new double[t][];
        double[][] v = new double[t][];
        for (int i = 0; i < t; i++) {
            q[i] = rope(matVec(wq, x[i]), i);
            k[i] = rope(matVec(wk, x[i]), i);
            v[i] = matVec(wv, x[i]);
        }
        double[][] mixed = new double[t][c.numAttentionHeads() * hd];
        for (int h = 0; h < c.numAttentionHeads(); h++) {
            int g = h / (c.numAttentionHeads() / c.numKeyValueHeads());      // the kv head this query head reads
            for (int i = 0; i < t; i++) {
                double[] p = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    boolean visible = c.slidingWindow() == null || i - j < c.slidingWindow();
                    p[j] = visible ? dot(q[i], h * hd, k[j], g * hd, hd) / Math.sqrt(hd) : Double.NEGATIVE_INFINITY;
                    max = Math.max(max, p[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    p[j] = Math.exp(p[j] - max);
                    sum += p[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < hd; d++) {
                        mixed[i][h * hd + d] += p[j] / sum * v[j][g * hd + d];
                    }
                }
            }
        }
        float[][] wo = w.wo(l).toFloatMatrix();
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            out[i] = matVec(wo, mixed[i]);
        }
        return out;
    }

    /** Rotate-half RoPE on every head of one token's vector. */
    double[] rope(double[] x, int pos) {
        int hd = c.headDim();
        double[] y = x.clone();
        for (int h = 0; h < x.length / hd; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / hd);
                double a = x[h * hd + i];
                double b = x[h * hd + i + hd / 2];
                y[h * hd + i] = a * Math.cos(angle) - b * Math.sin(angle);
                y[h * hd + i + hd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return y;
    }

    /** One token through the sparse MoE: sum over the chosen experts of weight * expert(x). */
    double[] moe(double[] x, int l) {
        double[] logits = matVec(w.gate(l).toFloatMatrix(), x);
        float[] lf = new float[logits.length];
        for (int e = 0; e < lf.length; e++) {
            lf[e] = (float) logits[e];
        }
        int[] chosen = Routing.topK(lf, c.numExpertsPerTok());
        double sum = 0;
        for (int e : chosen) {
            sum += Math.exp(logits[e] - logits[chosen[0]]);
        }
        double[] y = new double[x.length];
        for (int e : chosen) {
            double weight = Math.exp(logits[e] - logits[chosen[0]]) / sum;
            y = add(y, scale(expert(x, l, e), weight));
        }
        return y;
    }

    double[] expert(double[] x, int l, int e) {
        double[] a = matVec(w.w1(l, e).toFloatMatrix(), x);
        double[] b = matVec(w.w3(l, e).toFloatMatrix(), x);
        for (int f = 0; f < a.length; f++) {
            a[f] = a[f] / (1 + Math.exp(-a[f])) * b[f];
        }
        return matVec(w.w2(l, e).toFloatMatrix(), a);
    }

    static double[] matVec(float[][] m, double[] x) {
        double[] y = new double[m.length];
        for (int o = 0; o < m.length; o++) {
            for (int i = 0; i < x.length; i++) {
                y[o] += m[o][i] * x[i];
            }
        }
        return y;
    }

    private static double dot(double[] a, int ai, double[] b, int bi, int n) {
        double s = 0;
        for (int d = 0; d < n; d++) {
            s += a[ai + d] * b[bi + d];
        }
        return s;
    }

    static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    private static double[] scale(double[] a, double s) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] * s;
        }
        return y;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
