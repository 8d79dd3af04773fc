package mixtral.evidence;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import mixtral.BadInputException;

/**
 * {@code evidence.json} both ways. The records ({@link EvidenceReport} and those it holds) are its schema:
 * {@link #toJson} writes them with snake_case keys, numbers rounded to 4 significant digits and each innermost array
 * of numbers on one line (the file stays small and a diff reads by layer); {@link #read} is the one reader, which
 * gives the record back or refuses the file in one line naming the key that is missing, unknown or of the wrong
 * shape ({@link EvidenceCheck}). {@link #keys} lists a record's keys as this mapping spells them.
 */
public final class EvidenceJson {
    /** The demo model's evidence on the classpath: what {@code ./mixtral evidence} writes by default. */
    public static final String DEMO = "/demo-model/evidence.json";
    private static final MathContext DIGITS = new MathContext(4);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final Pattern MISSING = Pattern.compile("Missing (?:required )?creator property '([^']+)'");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .addModule(new SimpleModule().addSerializer(double[].class, new OneLine()))
            .build();

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

    /** Reads and checks an evidence file; anything wrong with it is one line naming the file and the key. */
    public static EvidenceReport read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Reads and checks evidence from a stream; {@code source} names it in the error (a file, a resource). */
    public static EvidenceReport read(InputStream in, String source) {
        EvidenceReport r;
        try {
            r = JSON.readValue(in, EvidenceReport.class);
        } catch (JacksonException e) {
            throw new BadInputException(source + ": not evidence.json: " + why(e));
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot read: " + e.getMessage());
        }
        if (r == null) {
            throw new BadInputException(source + ": not evidence.json: null");
        }
        String wrong = EvidenceCheck.problem(r);
        if (wrong != null) {
            throw new BadInputException(source + ": not evidence.json: " + wrong);
        }
        return r;
    }

    /** The demo model's evidence ({@link #DEMO}), read and checked; empty when this build has none. */
    public static Optional<EvidenceReport> demo() {
        try (InputStream in = EvidenceJson.class.getResourceAsStream(DEMO)) {
            return in == null ? Optional.empty() : Optional.of(read(in, DEMO));
        } catch (IOException e) {
            throw new BadInputException(DEMO + ": cannot read: " + e.getMessage());
        }
    }

    /** The keys of one record of the schema, in the order they are written, with their Java types. */
    public static List<BeanPropertyDefinition> keys(Class<?> record) {
        return JSON.getSerializationConfig().introspect(JSON.constructType(record)).findProperties();
    }

    /** What is wrong, led by the path of keys to it: "trained.first_choice is missing". */
    private static String why(JacksonException e) {
        String message = e.getOriginalMessage().lines().findFirst().orElse("");
        if (!(e instanceof JsonMappingException m)) {
            return "not JSON: " + message + at(e);
        }
        String where = path(m.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            return where + " is not a key of the schema; expected one of "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
        }
        Matcher missing = MISSING.matcher(message);
        if (missing.find()) {
            String key = missing.group(1);
            return (where.equals(key) || where.endsWith("." + key) ? where : join(where, key)) + " is missing";
        }
        return (where.isEmpty() ? "" : where + ": ") + message;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String at(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    /** Jackson's path as keys and indices: trained.first_choice[2]. */
    private static String path(List<JsonMappingException.Reference> refs) {
        String path = "";
        for (JsonMappingException.Reference r : refs) {
            path = r.getFieldName() != null ? join(path, r.getFieldName())
                    : r.getIndex() >= 0 ? path + "[" + r.getIndex() + "]" : path;
        }
        return path;
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
