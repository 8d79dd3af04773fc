package mixtral.tutorials;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and fills the marked numbers of a lesson's Markdown: {@code <!--n:name-->value<!--/n-->}. The comments do not
 * render, so a reader sees only the value; a value may span lines (a table, a block of program output).
 */
public final class Marks {
    private static final Pattern MARK = Pattern.compile("<!--n:([A-Za-z0-9_.-]+)-->(.*?)<!--/n-->", Pattern.DOTALL);

    private Marks() {}

    /** Every marked value by name; a name marked twice must carry the same value both times. */
    public static Map<String, String> read(String markdown) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = MARK.matcher(markdown);
        while (m.find()) {
            String previous = values.putIfAbsent(m.group(1), m.group(2));
            if (previous != null && !previous.equals(m.group(2))) {
                throw new IllegalStateException("'" + m.group(1) + "' is marked twice with different values: '"
                        + previous + "' and '" + m.group(2) + "'");
            }
        }
        return values;
    }

    /** The Markdown with every marked value replaced by the computed one; a mark with no value computed is an error. */
    public static String fill(String markdown, Map<String, String> numbers) {
        Matcher m = MARK.matcher(markdown);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = numbers.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("the text marks '" + m.group(1) + "', which the lesson does not compute");
            }
            m.appendReplacement(out, Matcher.quoteReplacement("<!--n:" + m.group(1) + "-->" + value + "<!--/n-->"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * What is wrong with a text's marks against the values it may quote, one sentence each: a mark that nothing
     * computes, or a marked value that no longer says what the computed one says ({@link #agree}).
     */
    public static List<String> problems(String markdown, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        read(markdown).forEach((name, marked) -> {
            String computed = values.get(name);
            if (computed == null) {
                out.add("marks '" + name + "', which nothing computes");
            } else if (!agree(computed, marked)) {
                out.add("the number '" + name + "' is stale: the text says '" + marked + "', the code computes '"
                        + computed + "'");
            }
        });
        return out;
    }

    private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.(\\d+)(e[-+]?\\d+)?");

    /**
     * Whether a marked value still says what the computed one says. Text and integers must be identical (an expert
     * index, a count); a decimal number may differ by one unit in its last printed digit, because another CPU's
     * BLAS kernels round float32 sums differently.
     */
    public static boolean agree(String computed, String marked) {
        if (computed.equals(marked)) {
            return true;
        }
        Matcher a = DECIMAL.matcher(computed);
        Matcher b = DECIMAL.matcher(marked);
        if (!a.replaceAll("#").equals(b.replaceAll("#"))) {
            return false;
        }
        a.reset();
        b.reset();
        while (a.find() && b.find()) {
            if (a.group(1).length() != b.group(1).length() || !Objects.equals(exponent(a), exponent(b))) {
                return false;
            }
            double unit = Math.pow(10, -a.group(1).length() + exponent(a));
            double x = Double.parseDouble(a.group().replaceAll("e.*", ""));
            double y = Double.parseDouble(b.group().replaceAll("e.*", ""));
            if (Math.abs(x - y) * Math.pow(10, exponent(a)) > 1.5 * unit) {
                return false;
            }
        }
        return true;
    }

    private static int exponent(Matcher m) {
        return m.group(2) == null ? 0 : Integer.parseInt(m.group(2).substring(1));
    }
}
