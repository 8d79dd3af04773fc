package mixtral.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import mixtral.compare.Report.Decision;
import mixtral.compare.Report.Divergence;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.NotComparable;
import mixtral.compare.Report.TensorDiff;
import mixtral.trace.TensorNames;

/**
 * Where B first departs from the baseline, in forward order: a failing tensor, a flip that is no tie, a wrong decision,
 * a tensor that cannot be compared because K differs (at its first token).
 */
final class FirstDivergence {
    private FirstDivergence() {}

    static Divergence of(List<TensorDiff> tensors, List<Flip> flips, List<Decision> wrong,
                         List<NotComparable> notComparable) {
        List<Divergence> all = new ArrayList<>();
        for (Flip f : flips) {
            if (!f.tie()) {
                all.add(new Divergence(f.layer(), TensorNames.selectedExperts(f.layer()), f.token(), "routed to "
                        + Arrays.toString(f.actualExperts()) + " instead of " + Arrays.toString(f.expectedExperts())
                        + " (" + (f.actualExperts().length != f.expectedExperts().length ? "K differs: A "
                        + f.expectedExperts().length + ", B " + f.actualExperts().length + "; " : "")
                        + "router margin " + String.format("%.3g", f.margin()) + ")"));
            }
        }
        for (Decision d : wrong) {
            all.add(new Divergence(d.layer(), TensorNames.selectedExperts(d.layer()), d.token(), "routed to "
                    + Arrays.toString(d.actualExperts()) + " where the reference, given the same inputs, chooses "
                    + Arrays.toString(d.referenceExperts()) + " (" + d.reason() + ")"));
        }
        for (NotComparable n : notComparable) {
            all.add(new Divergence(TensorNames.layerOf(n.name()), n.name(), 0, "not comparable: " + n.reason()));
        }
        for (TensorDiff d : tensors) {
            if (!d.within()) {
                all.add(new Divergence(TensorNames.layerOf(d.name()), d.name(), d.firstBadToken(), describe(d)));
            }
        }
        return all.stream().min(Comparator.comparing(Divergence::tensor, TensorNames.FORWARD_ORDER)
                .thenComparingInt(Divergence::token)).orElse(null);
    }

    private static String describe(TensorDiff d) {
        if (Double.isNaN(d.maxAbsError())) {
            return "shape " + Arrays.toString(d.shape()) + " differs";
        }
        if (d.nonFiniteMismatches() > 0) {
            return d.nonFiniteMismatches() + " elements non-finite on one side only (NaN or Inf: " + d.nonFiniteExpected()
                    + " expected, " + d.nonFiniteActual() + " actual)";
        }
        return String.format("max |actual - expected| = %.3g (token %d)", d.maxAbsError(), d.worstToken());
    }
}
