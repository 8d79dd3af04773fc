package mixtral.tutorials;

import java.util.Locale;

/** How the lessons write numbers, so that the text and the test format them the same way. */
final class Fmt {
    private Fmt() {}

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
