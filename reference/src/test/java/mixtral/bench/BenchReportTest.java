package mixtral.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static Timing ms(Double... values) {
        return new Timing(List.of(values), Timing.Memory.UNKNOWN);
    }

    @Test
    void pairedRatioDividesRunsThatRanBackToBack() {
        // Run by run: 10/5, 20/40, 30/30 -> ratios 2, 0.5, 1 -> median 1.
        assertEquals(1.0, BenchReport.paired(ms(10.0, 20.0, 30.0), ms(5.0, 40.0, 30.0)), 1e-12);
    }

    @Test
    void pairedRatioIsNotTheRatioOfMediansNorOfSortedRuns() {
        Timing ours = ms(10.0, 20.0, 30.0);
        Timing theirs = ms(5.0, 40.0, 30.0);
        double ofMedians = ours.median() / theirs.median();                 // 20 / 30
        double ofSorted = new Timing(List.of(10.0 / 5, 20.0 / 30, 30.0 / 40), Timing.Memory.UNKNOWN).median();
        double paired = BenchReport.paired(ours, theirs);
        assertEquals(2.0 / 3, ofMedians, 1e-12);
        assertEquals(0.75, ofSorted, 1e-12);
        assertEquals(1.0, paired, 1e-12);
    }

    @Test
    void pairedRatioUsesTheRunsBothSidesHave() {
        assertEquals(2.0, BenchReport.paired(ms(4.0, 4.0, 100.0), ms(2.0, 2.0)), 1e-12);
    }
}
