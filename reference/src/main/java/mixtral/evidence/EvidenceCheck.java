package mixtral.evidence;

import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.reflect.Array;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * What {@link EvidenceJson#read} checks after Jackson has checked the keys and their types: that the parts of a
 * report fit each other. Walking the records key by key, as {@link EvidenceJson#keys} spells them: nothing is null,
 * the list (the groups) holds distinct names, the map (the held-out tokens) counts exactly those groups, and every
 * array of numbers (the statistics of {@link RoutingEvidence}) has the shape its rank says: [L], [L][G] or [L][G][E],
 * with L layers and E experts from the report's model and G its groups.
 */
final class EvidenceCheck {
    private EvidenceCheck() {}

    /** What is wrong with the report, in one line led by the keys that lead to it; null if nothing. */
    static String problem(EvidenceReport r) {
        EvidenceReport.Model m = r.model();
        if (m.layers() < 1 || m.experts() < 1 || m.topK() < 1 || m.topK() > m.experts()) {
            return "a model of " + m.layers() + " layers and " + m.experts() + " experts, top-" + m.topK()
                    + ", is not a model";
        }
        try {
            walk(r, "", r.groups(), new int[] {m.layers(), r.groups().size(), m.experts()});
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static void walk(Object value, String where, List<String> groups, int[] lge) {
        if (value == null) {
            throw new IllegalArgumentException(where + " is missing");
        }
        if (value instanceof Record) {
            for (BeanPropertyDefinition key : EvidenceJson.keys(value.getClass())) {
                walk(key.getAccessor().getValue(value), (where.isEmpty() ? "" : where + ".") + key.getName(), groups,
                        lge);
            }
        } else if (value instanceof List<?> names) {
            if (names.isEmpty() || names.stream().anyMatch(n -> !(n instanceof String s) || s.isBlank())
                    || new HashSet<>(names).size() != names.size()) {
                throw new IllegalArgumentException(where + " is not a list of distinct names: " + names);
            }
        } else if (value instanceof Map<?, ?> perGroup) {
            if (!perGroup.keySet().equals(new HashSet<>(groups)) || perGroup.containsValue(null)) {
                throw new IllegalArgumentException(where + " should count the groups " + groups + ", has " + perGroup);
            }
        } else if (value.getClass().isArray()) {
            shape(value, where, lge, 0, rank(value.getClass()));
        }
    }

    private static int rank(Class<?> array) {
        return array.isArray() ? 1 + rank(array.getComponentType()) : 0;
    }

    /** Checks that {@code node} is nested arrays of exactly lge[depth..rank) elements. */
    private static void shape(Object node, String where, int[] lge, int depth, int rank) {
        if (depth == rank) {
            return;
        }
        if (node == null) {
            throw new IllegalArgumentException(where + " is missing");
        }
        int n = Array.getLength(node);
        if (n != lge[depth]) {
            throw new IllegalArgumentException(where + " should be a list of " + lge[depth] + ", is a list of " + n);
        }
        if (depth + 1 < rank) {
            for (int i = 0; i < n; i++) {
                shape(Array.get(node, i), where + "[" + i + "]", lge, depth + 1, rank);
            }
        }
    }
}
