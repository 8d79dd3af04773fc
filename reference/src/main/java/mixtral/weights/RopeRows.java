package mixtral.weights;

/**
 * Reorders the rows of a query or key projection between the two RoPE conventions.
 *
 * <p>RoPE rotates pairs of coordinates within each head. Mistral's code rotates neighbours (2i, 2i+1) (interleaved);
 * Hugging Face's rotates i and i + Hd/2 (rotate-half). The two give the same attention scores when the projection's
 * rows are permuted within each head: {@code HF_row[h*Hd + a*Hd/2 + i] = Mistral_row[h*Hd + 2i + a]} for
 * 0 <= i < Hd/2, a in {0, 1}. Values and output projections are untouched, because the dot product of q and k does not
 * care in which order their coordinates are listed, as long as both use the same one.
 */
public final class RopeRows {
    private RopeRows() {}

    /**
     * Mistral (interleaved) rows to Hugging Face (rotate-half) rows.
     *
     * @param w       [heads*headDim, cols] row-major
     * @return a new array of the same shape
     */
    public static float[] interleavedToRotateHalf(float[] w, int heads, int headDim, int cols) {
        return permute(w, heads, headDim, cols, true);
    }

    /** The inverse of {@link #interleavedToRotateHalf}: Hugging Face rows to Mistral rows. */
    public static float[] rotateHalfToInterleaved(float[] w, int heads, int headDim, int cols) {
        return permute(w, heads, headDim, cols, false);
    }

    private static float[] permute(float[] w, int heads, int headDim, int cols, boolean toRotateHalf) {
        if (headDim % 2 != 0 || (long) heads * headDim * cols != w.length) {
            throw new IllegalArgumentException("rows do not form " + heads + " heads of " + headDim
                    + " rows of " + cols + " (got " + w.length + " values)");
        }
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            for (int a = 0; a < 2; a++) {
                for (int i = 0; i < half; i++) {
                    int rotateHalf = h * headDim + a * half + i;
                    int interleaved = h * headDim + 2 * i + a;
                    int from = toRotateHalf ? interleaved : rotateHalf;
                    int to = toRotateHalf ? rotateHalf : interleaved;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }
}
