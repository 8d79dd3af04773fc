package mixtral.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupInformationTest {
    private static final double LOG2_6 = Math.log(6) / Math.log(2);

    @Test
    void perfectlySeparatedGroupsGiveLog2OfTheGroupsAndAccuracyOne() {
        double[][] counts = new double[6][8];
        for (int g = 0; g < 6; g++) {
            counts[g][g + 2] = 10 * (g + 1);      // unequal group sizes must not matter
        }
        assertEquals(LOG2_6, GroupInformation.mutualInformationBits(counts), 1e-12);
        assertEquals(2.585, GroupInformation.mutualInformationBits(counts), 5e-4);
        assertEquals(1.0, GroupInformation.classifierAccuracy(counts), 1e-12);
    }

    @Test
    void independentExpertAndGroupGiveZeroBitsAndChanceAccuracy() {
        double[] mix = {5, 1, 0, 3, 2, 2, 4, 7};
        double[][] counts = new double[6][];
        for (int g = 0; g < 6; g++) {
            int scale = g + 1;
            counts[g] = Arrays.stream(mix).map(c -> c * scale).toArray();
        }
        assertEquals(0.0, GroupInformation.mutualInformationBits(counts), 1e-12);
        assertEquals(1.0 / 6, GroupInformation.classifierAccuracy(counts), 1e-12);
    }

    @Test
    void twoGroupsThreeQuartersApartGiveOneMinusTheBinaryEntropy() {
        double[][] counts = {{3, 1}, {1, 3}};
        double h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) / Math.log(2);   // 0.8113
        assertEquals(1 - h, GroupInformation.mutualInformationBits(counts), 1e-12);
        assertEquals(0.75, GroupInformation.classifierAccuracy(counts), 1e-12);
    }

    @Test
    void groupsWeighEquallyWhateverTheirTokenCounts() {
        assertEquals(1.0, GroupInformation.mutualInformationBits(new double[][] {{1000, 0}, {0, 10}}), 1e-12);
        assertEquals(GroupInformation.mutualInformationBits(new double[][] {{3, 1}, {1, 3}}),
                GroupInformation.mutualInformationBits(new double[][] {{300, 100}, {1, 3}}), 1e-12);
    }

    @Test
    void theGroupsDivergencesAverageToTheMutualInformation() {
        double[][] counts = {{5, 1, 0, 2}, {1, 1, 1, 1}, {0, 0, 3, 9}};
        double mean = Arrays.stream(GroupInformation.divergenceBits(counts)).average().orElseThrow();
        assertEquals(GroupInformation.mutualInformationBits(counts), mean, 1e-12);
        assertEquals(0.0, GroupInformation.divergenceBits(new double[][] {{1, 2}, {2, 4}})[0], 1e-12);
    }

    /** The docs' bias formula: independent draws of N tokens show about (E-1)(G-1)/(2 N ln 2) bits on average. */
    @Test
    void independentSamplesShowTheFiniteSampleBias() {
        Random r = new Random(5);
        int perGroup = 2000;
        double sum = 0;
        int trials = 60;
        for (int i = 0; i < trials; i++) {
            double[][] counts = new double[6][8];
            for (double[] row : counts) {
                for (int t = 0; t < perGroup; t++) {
                    row[r.nextInt(8)]++;
                }
            }
            sum += GroupInformation.mutualInformationBits(counts);
        }
        double expected = GroupInformation.finiteSampleBiasBits(8, 6, 6L * perGroup);
        assertEquals(35 / (2 * 12000 * Math.log(2)), expected, 1e-15);
        assertEquals(expected, sum / trials, 0.2 * expected);
    }

    @Test
    void aGroupWithoutTokensIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> GroupInformation.mutualInformationBits(new double[][] {{1, 2}, {0, 0}}));
    }
}
