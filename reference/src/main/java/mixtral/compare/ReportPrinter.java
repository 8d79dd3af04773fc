package mixtral.compare;

import java.io.PrintStream;
import java.util.Arrays;
import mixtral.compare.Report.Decision;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.LayerRouting;
import mixtral.compare.Report.NotComparable;
import mixtral.compare.Report.TensorDiff;

/** Prints a comparison as a readable table: ties, real flips, wrong decisions and failing tensors each apart. */
public final class ReportPrinter {
    private ReportPrinter() {}

    public static void print(Report r, String expectedName, String actualName, PrintStream out) {
        Tolerances t = r.tolerances();
        out.printf("expected (A): %s%s%nactual (B):   %s%s%nB's tensors held to: %s%n"
                        + "tolerances: atol %.1e, rtol %.1e, tie margin %.1e%n%n",
                expectedName, intervened(r.expectedIntervention()), actualName, intervened(r.actualIntervention()),
                r.baseline(), t.atol(), t.rtol(), t.tieMargin());
        out.printf("%-34s %-16s %10s %10s %10s %10s  %s%n",
                "tensor", "shape", "max abs", "max rel", "cosine", "scaled", "status");
        for (TensorDiff d : r.tensors()) {
            out.printf("%-34s %-16s %10.2e %10.2e %10.7f %10.2e  %s%n", d.name(), Arrays.toString(d.shape()),
                    d.maxAbsError(), d.maxRelError(), d.cosine(), d.scaledMaxError(), status(d));
        }
        for (NotComparable n : r.notComparable()) {
            out.printf("%-34s %-16s %10s %10s %10s %10s  NOT COMPARABLE (%s)%n", n.name(),
                    Arrays.toString(n.actualShape()), "-", "-", "-", "-", n.reason());
        }
        if (!r.routing().isEmpty()) {
            boolean otherK = r.routing().stream().anyMatch(l -> l.kExpected() != l.kActual());
            if (otherK) {
                out.printf("%nK DIFFERS: A and B choose a different number of experts per token (K_A, K_B below);%n"
                        + "expert sets are compared as sets, so every token's set counts as changed; 'nested': tokens%n"
                        + "whose change only added or removed experts (one set holds the other)%n");
            }
            // K_A/K_B and nesting only say something when K differs; with one K the table stays as it always was
            out.printf("%n%-8s %14s %10s %16s" + (otherK ? " %8s %10s" : "%s%s") + "%n", "layer", "same experts",
                    "agreement", "smallest margin", otherK ? "K_A/K_B" : "", otherK ? "nested" : "");
            for (LayerRouting l : r.routing()) {
                out.printf("%-8d %8d / %-3d %9.1f%% %16.3g" + (otherK ? " %8s %10s" : "%s%s") + "%n", l.layer(),
                        l.sameExperts(), l.tokens(), 100 * l.agreement(), l.smallestMargin(),
                        otherK ? l.kExpected() + "/" + l.kActual() : "", otherK ? l.nested() + " / " + l.tokens() : "");
            }
        }
        long ties = r.flips().stream().filter(Flip::tie).count();
        if (!r.flips().isEmpty()) {
            out.printf("%nflips (B's expert set differs from A's): %d ties, %d not%n", ties, r.flips().size() - ties);
        }
        for (Flip f : r.flips()) {
            out.printf("  %s layer %d token %d: A %s, B %s, A's router margin %.3g%n", f.tie() ? "tie: " : "FLIP:",
                    f.layer(), f.token(), Arrays.toString(f.expectedExperts()), Arrays.toString(f.actualExperts()),
                    f.margin());
        }
        if (!r.wrongDecisions().isEmpty()) {
            out.printf("%nrouting decisions the reference would not make given the same inputs: %d%n",
                    r.wrongDecisions().size());
        }
        for (Decision d : r.wrongDecisions()) {
            out.printf("  WRONG layer %d token %d: B %s, reference %s, %s%n", d.layer(), d.token(),
                    Arrays.toString(d.actualExperts()), Arrays.toString(d.referenceExperts()), d.reason());
        }
        if (r.logits() != null) {
            out.printf("%nlogits: top-1 agreement %.1f%% of %d tokens, KL(baseline||B) mean %.3g, max %.3g nats%n",
                    100 * r.logits().top1Agreement(), r.logits().tokens(), r.logits().meanKl(), r.logits().maxKl());
        }
        if (!r.onlyInOne().isEmpty()) {
            out.println("not compared (in one trace only): " + String.join(", ", r.onlyInOne()));
        }
        if (!r.missing().isEmpty()) {
            out.println("MISSING (required): " + String.join(", ", r.missing()));
        }
        if (r.first() != null) {
            out.printf("%nfirst divergence: %s%s, token %d: %s%n",
                    r.first().layer() < 0 ? "" : "layer " + r.first().layer() + ", ", r.first().tensor(),
                    r.first().token(), r.first().what());
        }
        if (r.hint() != null) {
            out.println("hint: " + r.hint());
        }
        out.println(r.passed() ? "\nRESULT: within tolerance" : "\nRESULT: outside tolerance");
    }

    /** One word for a tensor's line; never "ok" for a tensor that failed or could not be measured. */
    static String status(TensorDiff d) {
        if (!d.within()) {
            return d.nonFiniteMismatches() > 0 ? "DIVERGES (non-finite: " + d.nonFiniteExpected() + " in A, "
                    + d.nonFiniteActual() + " in B)" : "DIVERGES";
        }
        String excused = d.excusedTokens() > 0 ? " (" + d.excusedTokens() + " tied tokens not compared)" : "";
        return (d.nonFiniteExpected() > 0 ? "ok, same non-finite values" : "ok") + excused;
    }

    private static String intervened(String intervention) {
        return intervention == null ? "" : "  [intervened: " + intervention + "]";
    }
}
