package mixtral.tutorials;

import java.util.LinkedHashMap;
import java.util.Map;
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
}
