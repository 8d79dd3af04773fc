package mixtral.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge loop of SentencePiece ({@code bpe_model.cc}), over a linked list of symbols and a priority queue
 * of adjacent pairs, so that a megabyte of text takes a moment rather than a rescan per merge.
 *
 * <p>Start with one symbol per character. Put every adjacent pair whose concatenation is a piece on the agenda,
 * scored by that piece's score. Repeatedly take the best pair (highest score; on a tie, the leftmost), merge it
 * into one symbol, and put the two new pairs it forms with its neighbours on the agenda. An agenda entry made stale
 * by an earlier merge is recognised because its two symbols no longer add up to the length it was made with
 * (symbols only grow, or are emptied when merged into their left neighbour).
 */
final class BpeMerger {
    /** The score of merging the symbols {@code text[start, mid)} and {@code text[mid, end)}, or NaN if not a piece. */
    interface PairScore {
        float score(int start, int mid, int end);
    }

    private BpeMerger() {
    }

    /**
     * Splits {@code text} into merged symbols.
     *
     * @return the symbol boundaries: symbol {@code k} is {@code text[b[k], b[k+1])}; length = symbols + 1
     */
    static int[] merge(String text, PairScore pairScore) {
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];    // symbol i is text[start[i], end[i]); empty once merged into its left neighbour
        int[] end = new int[n];
        int[] prev = new int[n];     // linked list over the live symbols, -1 at either end
        int[] next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            at += Character.charCount(text.codePointAt(at));
            end[i] = at;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        Agenda agenda = new Agenda(Math.max(16, n));
        for (int i = 1; i < n; i++) {
            offer(agenda, pairScore, start, end, i - 1, i);
        }
        while (!agenda.isEmpty()) {
            int left = agenda.topLeft();
            int right = agenda.topRight();
            int length = agenda.topLength();
            agenda.pop();
            int leftLen = end[left] - start[left];
            int rightLen = end[right] - start[right];
            if (leftLen == 0 || rightLen == 0 || leftLen + rightLen != length) {
                continue;    // stale: one side was merged elsewhere since this pair was offered
            }
            end[left] = end[right];
            end[right] = start[right];
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offer(agenda, pairScore, start, end, prev[left], left);
            offer(agenda, pairScore, start, end, left, next[left]);
        }
        int[] bounds = new int[n + 1];
        int count = 0;
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            bounds[count++] = start[i];
        }
        bounds[count++] = text.length();
        return Arrays.copyOf(bounds, count);
    }

    private static void offer(Agenda agenda, PairScore pairScore, int[] start, int[] end, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        float score = pairScore.score(start[left], start[right], end[right]);
        if (!Float.isNaN(score)) {
            agenda.push(score, left, right, end[right] - start[left]);
        }
    }

    /** A binary max-heap of pairs on parallel arrays: best score first, then the smallest left index. */
    private static final class Agenda {
        private float[] score;
        private int[] left;
        private int[] right;
        private int[] length;
        private int size;

        Agenda(int capacity) {
            score = new float[capacity];
            left = new int[capacity];
            right = new int[capacity];
            length = new int[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        int topLeft() {
            return left[0];
        }

        int topRight() {
            return right[0];
        }

        int topLength() {
            return length[0];
        }

        void push(float s, int l, int r, int len) {
            if (size == score.length) {
                int cap = size * 2;
                score = Arrays.copyOf(score, cap);
                left = Arrays.copyOf(left, cap);
                right = Arrays.copyOf(right, cap);
                length = Arrays.copyOf(length, cap);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!before(s, l, score[parent], left[parent])) {
                    break;
                }
                move(parent, i);
                i = parent;
            }
            set(i, s, l, r, len);
        }

        void pop() {
            size--;
            if (size == 0) {
                return;
            }
            float s = score[size];
            int l = left[size];
            int r = right[size];
            int len = length[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && before(score[child + 1], left[child + 1], score[child], left[child])) {
                    child++;
                }
                if (!before(score[child], left[child], s, l)) {
                    break;
                }
                move(child, i);
                i = child;
            }
            set(i, s, l, r, len);
        }

        private static boolean before(float s1, int l1, float s2, int l2) {
            return s1 > s2 || (s1 == s2 && l1 < l2);
        }

        private void move(int from, int to) {
            set(to, score[from], left[from], right[from], length[from]);
        }

        private void set(int i, float s, int l, int r, int len) {
            score[i] = s;
            left[i] = l;
            right[i] = r;
            length[i] = len;
        }
    }
}
