package mixtral.compare;

import java.io.PrintStream;
import java.util.Arrays;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.LayerRouting;
import mixtral.compare.Report.TensorDiff;

/** Prints a comparison as a readable table. */
public final class ReportPrinter {
    private ReportPrinter() {}

    public static void print(Report r, String expectedName, String actualName, PrintStream out) {
        Tolerances t = r.tolerances();
        out.printf("expected: %s%nactual:   %s%ntolerances: atol %.1e, rtol %.1e, tie margin %.1e%n%n",
                expectedName, actualName, t.atol(), t.rtol(), t.tieMargin());
        out.printf("%-34s %-16s %10s %10s %10s %10s  %s%n",
                "tensor", "shape", "max abs", "max rel", "cosine", "scaled", "status");
        for (TensorDiff d : r.tensors()) {
            String status = d.within() ? "ok" : d.afterTie() ? "differs after a tie" : "DIVERGES";
            out.printf("%-34s %-16s %10.2e %10.2e %10.7f %10.2e  %s%n", d.name(), Arrays.toString(d.shape()),
                    d.maxAbsError(), d.maxRelError(), d.cosine(), d.scaledMaxError(), status);
        }
        if (!r.routing().isEmpty()) {
            out.printf("%n%-8s %14s %10s %16s%n", "layer", "same experts", "agreement", "smallest margin");
            for (LayerRouting l : r.routing()) {
                out.printf("%-8d %8d / %-3d %9.1f%% %16.3g%n", l.layer(), l.sameExperts(), l.tokens(),
                        100 * l.agreement(), l.smallestMargin());
            }
        }
        for (Flip f : r.flips()) {
            out.printf("flip: layer %d token %d: expected %s, actual %s, router margin %.3g%s%n", f.layer(), f.token(),
                    Arrays.toString(f.expectedExperts()), Arrays.toString(f.actualExperts()), f.margin(),
                    f.tie() ? " (tie: not a failure)" : "");
        }
        if (r.logits() != null) {
            out.printf("%nlogits: top-1 agreement %.1f%% of %d tokens, KL(expected||actual) mean %.3g, max %.3g nats%n",
                    100 * r.logits().top1Agreement(), r.logits().tokens(), r.logits().meanKl(), r.logits().maxKl());
        }
        if (!r.onlyInOne().isEmpty()) {
            out.println("not compared (in one trace only): " + String.join(", ", r.onlyInOne()));
        }
        if (r.first() != null) {
            out.printf("%nfirst divergence: %s%s, token %d: %s%n",
                    r.first().layer() < 0 ? "" : "layer " + r.first().layer() + ", ", r.first().tensor(),
                    r.first().token(), r.first().what());
        }
        out.println(r.passed() ? "\nRESULT: within tolerance" : "\nRESULT: outside tolerance");
    }
}
