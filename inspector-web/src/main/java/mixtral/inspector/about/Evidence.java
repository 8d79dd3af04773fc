package mixtral.inspector.about;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.evidence.EvidenceJson;
import mixtral.evidence.EvidenceReport;
import mixtral.evidence.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo model's routing learned, measured on held-out text by {@code ./mixtral evidence} and shipped as the
 * resource {@link EvidenceJson#DEMO}, read by the one reader ({@link EvidenceJson#read}: the records of
 * {@code mixtral.evidence} are its schema). It is shown only when it is about a model of this shape and was computed
 * on these very weights (its model's sha256): evidence about other weights is no evidence about this model.
 * Otherwise {@link #absence()} says why in one line, and {@code GET /api/evidence} answers 404 with it.
 */
public final class Evidence {
    private static final Logger LOG = LoggerFactory.getLogger(Evidence.class);

    private final EvidenceReport report;
    private final String absence;

    private Evidence(EvidenceReport report, String absence) {
        this.report = report;
        this.absence = absence;
    }

    public static Evidence none(String why) {
        return new Evidence(null, why);
    }

    /** The evidence, when there is usable evidence for this model. */
    public Optional<EvidenceReport> report() {
        return Optional.ofNullable(report);
    }

    /** Why there is none, in one line; null when there is. */
    public String absence() {
        return absence;
    }

    /** The demo model's evidence from the classpath, checked against its configuration and its weight file. */
    public static Evidence demo(MixtralConfig config, Path weights) {
        try {
            return EvidenceJson.demo().map(r -> check(r, config, Sha256.of(weights))).orElseGet(() ->
                    none("the demo model has no " + EvidenceJson.DEMO + " in this build; ./mixtral evidence makes it"));
        } catch (BadInputException e) {
            return logged(none(e.getMessage()));
        }
    }

    /** {@code report} if it is about a model of {@code config}'s shape and names these weights, else why not. */
    public static Evidence check(EvidenceReport report, MixtralConfig config, String weightsSha256) {
        EvidenceReport.Model m = report.model();
        if (m.layers() != config.numHiddenLayers() || m.experts() != config.numLocalExperts()
                || m.topK() != config.numExpertsPerTok()) {
            return logged(none(EvidenceJson.DEMO + " is about a model of " + shape(m.layers(), m.experts(), m.topK())
                    + ", this one has " + shape(config.numHiddenLayers(), config.numLocalExperts(),
                    config.numExpertsPerTok())));
        }
        String named = normalise(m.safetensorsSha256());
        if (!named.equals(normalise(weightsSha256))) {
            return logged(none(EvidenceJson.DEMO + " was computed on other weights (sha256 " + abbreviate(named)
                    + "), not these (" + abbreviate(normalise(weightsSha256)) + "); run ./mixtral evidence again"));
        }
        return new Evidence(report, null);
    }

    private static String shape(int layers, int experts, int topK) {
        return layers + " layers of " + experts + " experts, top-" + topK;
    }

    private static Evidence logged(Evidence e) {
        LOG.warn("no evidence shown: {}", e.absence);
        return e;
    }

    private static String normalise(String sha) {
        return sha.toLowerCase(Locale.ROOT).replaceFirst("^sha256:", "");
    }

    private static String abbreviate(String sha) {
        return sha.isEmpty() ? "not given" : sha.substring(0, Math.min(12, sha.length())) + "…";
    }
}
