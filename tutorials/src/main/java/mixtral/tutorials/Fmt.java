package mixtral.tutorials;

import java.math.BigDecimal;
import java.util.Locale;

/** How the lessons write numbers, so that the text and the test format them the same way. */
final class Fmt {
    private Fmt() {}

    /**
     * Text as Markdown inline code: "ked" -> "`ked`". A mark must wrap the backticks, not sit inside them, where
     * Markdown would show its comment.
     */
    static String code(String text) {
        return "`" + text + "`";
    }

    /**
     * Text as a Markdown code block, opening and closing on lines of their own. Its mark opens at the end of the line
     * before and closes on the line after, outside the fences, where Markdown hides it.
     */
    static String codeBlock(String info, String text) {
        return "\n```" + info + "\n" + text + "\n```\n";
    }

    /** 46702792704 -> "46,702,792,704" */
    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 46702792704 -> "46.7B", 176160768 -> "176.2M" */
    static String abbreviated(double n) {
        if (Math.abs(n) >= 1e9) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (Math.abs(n) >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (Math.abs(n) >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }

    /** 0.4642857 -> "46.4%" */
    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** A fixed number of decimals: fixed(0.123456, 4) -> "0.1235" */
    static String fixed(double x, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    /** Scientific notation with two significant decimals: 1.2e-07 */
    static String sci(double x) {
        return String.format(Locale.ROOT, "%.1e", x);
    }

    /**
     * A setting as the command line takes it, with no digits it does not have: 0.2 -> "0.2", 0.02 -> "0.02",
     * 1e-2 -> "1e-2", 1e-4 -> "1e-4", 2.5e-5 -> "2.5e-5". Small powers of ten, the usual tolerances, read best as such.
     */
    static String shortest(double x) {
        BigDecimal d = BigDecimal.valueOf(x).stripTrailingZeros();
        boolean powerOfTen = d.unscaledValue().abs().equals(java.math.BigInteger.ONE);
        if (x == 0 || Math.abs(x) >= 1e-1 || Math.abs(x) >= 1e-2 && !powerOfTen) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = d.precision() - d.scale() - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (x < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /** The smallest power of ten at or above x, for bounds that hold on any CPU: 2.2e-7 -> "1e-6". */
    static String powerOfTenAbove(double x) {
        return "1e" + (int) Math.ceil(Math.log10(x));
    }

    /**
     * A value as French writes it: "46,702,792,704" -> "46 702 792 704", "46.7B" -> "46,7 Md", "27.6%" -> "27,6 %",
     * with no-break spaces so that a number never wraps.
     */
    static String french(String english) {
        return english.replaceAll("(?<=\\d),(?=\\d{3})", "\u00a0")
                .replaceAll("(?<=\\d)\\.(?=\\d)", ",")
                .replaceAll("(?<=\\d)B\\b", "\u00a0Md")
                .replaceAll("(?<=\\d)M\\b", "\u00a0M")
                .replaceAll("(?<=\\d)%", "\u00a0%");
    }
}
