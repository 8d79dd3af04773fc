package mixtral.cli;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mixtral.BadInputException;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import mixtral.model.WeightMemory;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine.Option;

/** {@code --memory-budget}: how many bytes of float32 weights may stay converted; beyond it, weights are streamed. */
public final class MemoryOption {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)i?b?");

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "Float32 weights kept converted at once, e.g. 2g or 512m. A larger model is streamed: each "
                    + "weight is converted from the memory-mapped checkpoint when needed. Default: half the machine's "
                    + "memory, at most 3/4 of the off-heap limit (-Dorg.bytedeco.javacpp.maxbytes, by default -Xmx).")
    String budget;

    /** Checks the option's value up front, before anything slow starts. */
    public void validate() {
        if (budget != null) {
            parse(budget);
        }
    }

    /** Unbounded when the whole model fits the budget (faster: nothing is converted twice), else bounded by it. */
    public WeightMemory memoryFor(MixtralConfig config) {
        long limit = budget != null ? parse(budget) : defaultBudget();
        long modelBytes = 4 * ParameterCount.of(config).totalSum();
        return modelBytes <= limit ? WeightMemory.unbounded() : WeightMemory.bounded(limit);
    }

    static long defaultBudget() {
        long ram = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.min(ram / 2, Pointer.maxBytes() / 4 * 3);
    }

    static long parse(String s) {
        Matcher m = SIZE.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new BadInputException("--memory-budget: not a size: '" + s + "' (try 512m, 2g or 3.5GB)");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long bytes = (long) (Double.parseDouble(m.group(1)) * (1L << shift));
        if (bytes <= 0) {
            throw new BadInputException("--memory-budget must be more than 0, got '" + s + "'");
        }
        return bytes;
    }
}
