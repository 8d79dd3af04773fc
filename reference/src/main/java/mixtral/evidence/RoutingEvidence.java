package mixtral.evidence;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * What one model's routing shows on the held-out windows, per layer (L), group (G) and expert (E): the "trained" and
 * "random" objects of {@code evidence.json}. Every array is indexed by layer, then group, then expert, as far as its
 * rank goes; {@link EvidenceCheck} checks the shapes by that rule.
 *
 * @param load                  [L][G][E] share of the group's top-K assignments that went to each expert (rows sum to 1)
 * @param firstChoice           [L][G][E] share of the group's first choices that went to each expert (rows sum to 1)
 * @param mutualInformationBits [L] I(first-choice expert; group) in bits, groups weighted equally
 * @param classifierAccuracy    [L] accuracy of guessing the group from the first-choice expert alone
 * @param repeatFirst           [L] share of consecutive token pairs with the same first choice, all groups' pairs pooled
 * @param repeatFirstByGroup    [L][G] the same, per group
 * @param repeatEither          [L] share of consecutive token pairs whose top-K sets share at least one expert
 *                              (token t reuses either of t-1's experts), pooled
 * @param repeatEitherByGroup   [L][G] the same, per group
 */
public record RoutingEvidence(double[][][] load, double[][][] firstChoice, double[] mutualInformationBits,
                              double[] classifierAccuracy, double[] repeatFirst, double[][] repeatFirstByGroup,
                              double[] repeatEither, double[][] repeatEitherByGroup) {

    public static RoutingEvidence of(RoutingTally t) {
        int layers = t.layers();
        int groups = t.groups();
        double[][][] first = t.firstShares();
        double[] mi = new double[layers];
        double[] accuracy = new double[layers];
        double[] repeatFirst = new double[layers];
        double[] repeatEither = new double[layers];
        double[][] firstByGroup = new double[layers][groups];
        double[][] eitherByGroup = new double[layers][groups];
        for (int l = 0; l < layers; l++) {
            mi[l] = GroupInformation.mutualInformationBits(first[l]);
            accuracy[l] = GroupInformation.classifierAccuracy(first[l]);
            repeatFirst[l] = t.repetition(l).first();
            repeatEither[l] = t.repetition(l).either();
            for (int g = 0; g < groups; g++) {
                firstByGroup[l][g] = t.repetition(l, g).first();
                eitherByGroup[l][g] = t.repetition(l, g).either();
            }
        }
        return new RoutingEvidence(t.loadShares(), first, mi, accuracy, repeatFirst, firstByGroup, repeatEither,
                eitherByGroup);
    }

    public int layers() {
        return mutualInformationBits.length;
    }

    /** Every number passed through {@code f} (to round them for the file). */
    public RoutingEvidence map(DoubleUnaryOperator f) {
        return new RoutingEvidence(map(load, f), map(firstChoice, f), map(mutualInformationBits, f),
                map(classifierAccuracy, f), map(repeatFirst, f), map(repeatFirstByGroup, f), map(repeatEither, f),
                map(repeatEitherByGroup, f));
    }

    private static double[] map(double[] a, DoubleUnaryOperator f) {
        return Arrays.stream(a).map(f).toArray();
    }

    private static double[][] map(double[][] a, DoubleUnaryOperator f) {
        return Arrays.stream(a).map(r -> map(r, f)).toArray(double[][]::new);
    }

    private static double[][][] map(double[][][] a, DoubleUnaryOperator f) {
        return Arrays.stream(a).map(r -> map(r, f)).toArray(double[][][]::new);
    }
}
