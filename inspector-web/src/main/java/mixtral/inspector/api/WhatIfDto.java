package mixtral.inspector.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import mixtral.inspector.analysis.CompareView;

/** The bodies of {@code POST /api/traces/import} and {@code POST /api/traces/{id}/whatif}. */
public final class WhatIfDto {
    private WhatIfDto() {}

    /**
     * {@code POST /api/traces/{id}/whatif}: at least one of the four. {@code drop[].layer} is a layer or {@code "*"}
     * (every layer); {@code force[].experts} are as many distinct experts as each token uses (topK, if given, else K).
     */
    public record WhatIfRequest(Integer topK, List<Drop> drop, List<Force> force, String routerPrecision) {}

    public record Drop(JsonNode layer, Integer expert) {}

    public record Force(Integer layer, Integer token, List<Integer> experts) {}

    /**
     * The new trace, the intervention as its metadata stores it, and the diff against the trace asked about (another
     * {@code topK} included: its expert sets are all changed); when the comparison refuses the two, {@code diff} is
     * null and {@code noDiff} says why.
     */
    public record WhatIfCreated(String id, String url, JsonNode intervention, boolean reused, CompareView diff,
                                String noDiff) {}

    /** {@code POST /api/traces/import}. */
    public record Imported(String id, String url) {}
}
