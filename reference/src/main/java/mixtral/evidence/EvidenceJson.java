package mixtral.evidence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an {@link EvidenceReport} as {@code evidence.json}: snake_case keys, numbers rounded to 4 significant
 * digits, and each innermost array of numbers on one line, so that the file stays small and a diff reads by layer.
 */
public final class EvidenceJson {
    private static final MathContext DIGITS = new MathContext(4);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new SimpleModule().addSerializer(double[].class, new OneLine()));

    private EvidenceJson() {}

    /** x to 4 significant digits (0 stays 0). */
    public static double round(double x) {
        return x == 0 || !Double.isFinite(x) ? x : new BigDecimal(x).round(DIGITS).doubleValue();
    }

    public static String toJson(EvidenceReport r) {
        EvidenceReport rounded = new EvidenceReport(r.what(), r.command(), r.model(), r.heldout(), r.groups(),
                r.trained().map(EvidenceJson::round), r.random().map(EvidenceJson::round),
                new EvidenceReport.Chance(round(r.chance().mutualInformationBits()),
                        round(r.chance().classifierAccuracy()), round(r.chance().repeatFirst()),
                        round(r.chance().repeatEither())));
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
        try {
            return JSON.writer(pretty).writeValueAsString(rounded) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(EvidenceReport r, Path file) throws IOException {
        Files.writeString(file, toJson(r), StandardCharsets.UTF_8);
    }

    /** A double[] as one line, [0.1,0.2], inside the pretty-printed rest. */
    private static final class OneLine extends StdSerializer<double[]> {
        OneLine() {
            super(double[].class);
        }

        @Override
        public void serialize(double[] value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeRawValue(COMPACT.writeValueAsString(value));
        }
    }
}
