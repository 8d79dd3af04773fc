package mixtral.inspector.bench;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import mixtral.bench.Timing;

/** The page benchmark's results as Markdown: what it ran on, then a row per prompt length, median (minimum) in ms. */
public final class InspectorBenchReport {
    private InspectorBenchReport() {}

    /** What the numbers were measured on, as one line. */
    public record Machine(String cpu, int cores, String browser, double loadBefore, double loadAfter) {}

    public static String markdown(List<InspectorBench.Row> rows, int runs, Machine m) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Inspector page, embedded demo model, headless %s at 1400 x 900; %s, %d cores;"
                + " load average %.2f before, %.2f after; %s. Median (minimum) of %d runs, in ms.%n%n",
                m.browser(), m.cpu(), m.cores(), m.loadBefore(), m.loadAfter(), LocalDate.now(ZoneOffset.UTC), runs));
        s.append("| tokens |");
        InspectorBench.FIGURES.forEach(f -> s.append(' ').append(f).append(" |"));
        s.append("\n|---:|").append("---:|".repeat(InspectorBench.FIGURES.size())).append('\n');
        for (InspectorBench.Row r : rows) {
            s.append("| ").append(r.tokens()).append(" |");
            for (Timing t : r.figures()) {
                s.append(String.format(Locale.ROOT, " %.0f (%.0f) |", t.median(), t.min()));
            }
            s.append('\n');
        }
        return s.toString();
    }
}
