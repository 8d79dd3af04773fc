package mixtral.inspector.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.Collection;
import java.util.Locale;
import mixtral.BadInputException;

/**
 * JSON in, strictly: a body is read only when sent as {@code application/json} (UTF-8), and a value of the wrong
 * type is an error naming the field, never coerced: {@code 1.5}, {@code "5"} or {@code true} is no token id, and
 * {@code 5} is no prompt. Duplicate keys and anything after the value are refused too.
 */
public final class StrictJson {
    private StrictJson() {}

    /** Sets the mapper's reading rules; how it writes the answers is unchanged. */
    public static void configure(ObjectMapper m) {
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean,
                LogicalType.Textual, LogicalType.Collection, LogicalType.Array, LogicalType.POJO}) {
            for (CoercionInputShape shape : CoercionInputShape.values()) {
                m.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
    }

    /**
     * The request body as {@code type}: 415 unless the Content-Type is {@code application/json} (a charset other
     * than UTF-8 included); 400 with one line for an empty body, {@code null}, malformed JSON or a wrong type.
     */
    public static <T> T body(Context ctx, ObjectMapper mapper, Class<T> type) {
        checkContentType(ctx.contentType());
        String body = ctx.body();
        if (body.isBlank()) {
            throw new BadInputException("the body is empty; send a JSON object");
        }
        try (JsonParser p = mapper.createParser(body)) {
            T value = read(mapper, p, type);
            if (value == null) {
                throw new BadInputException("the body is null; send a JSON object");
            }
            return value;
        } catch (IOException e) {
            throw new BadInputException("malformed JSON: " + Errors.oneLine(e.getMessage()));
        }
    }

    /** Reads while the parser is open, so that a refused value can still be shown. */
    private static <T> T read(ObjectMapper mapper, JsonParser p, Class<T> type) throws IOException {
        try {
            return mapper.readValue(p, type);
        } catch (UnrecognizedPropertyException e) {
            throw new BadInputException("unknown field \"" + e.getPropertyName() + "\"; expected "
                    + e.getKnownPropertyIds());
        } catch (MismatchedInputException e) {
            throw new BadInputException(describe(e));
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof InputCoercionException range) {     // wrapped with the field's path
                throw new BadInputException((e.getPath().isEmpty() ? "the body" : path(e)) + " is out of range: "
                        + Errors.oneLine(range.getOriginalMessage()));
            }
            throw new BadInputException("malformed JSON: " + Errors.oneLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new BadInputException("malformed JSON: " + Errors.oneLine(e.getOriginalMessage()));
        }
    }

    static void checkContentType(String contentType) {
        if (contentType == null) {
            throw unsupported("no Content-Type; send the body as application/json");
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            throw unsupported("Content-Type must be application/json, not '" + contentType.trim() + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset") && (param.length < 2
                    || !param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8"))) {
                throw unsupported("JSON is UTF-8; Content-Type says '" + contentType.trim() + "'");
            }
        }
    }

    private static HttpResponseException unsupported(String message) {
        return new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, message, java.util.Map.of());
    }

    /** One line naming the field by its path and the type it needs, e.g. {@code tokens[1] must be an integer, not 1.5}. */
    static String describe(MismatchedInputException e) {
        if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
            return "the body goes on after its JSON value; send one JSON object";
        }
        String where = e.getPath().isEmpty() ? "the body" : path(e);
        return where + " must be " + expected(e.getTargetType()) + ", not " + found(e);
    }

    private static String path(JsonMappingException e) {
        StringBuilder p = new StringBuilder();
        for (Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                p.append(p.isEmpty() ? "" : ".").append(r.getFieldName());
            } else {
                p.append('[').append(r.getIndex()).append(']');
            }
        }
        return p.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "a JSON object";
    }

    /** What the parser stood on when the value was refused. */
    private static String found(MismatchedInputException e) {
        if (!(e.getProcessor() instanceof JsonParser p) || p.currentToken() == null) {
            return "nothing";
        }
        JsonToken t = p.currentToken();
        try {
            return switch (t) {
                case VALUE_STRING -> "the string \"" + shorten(p.getText()) + "\"";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
                case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> t.asString();
                case START_ARRAY -> "a list";
                case START_OBJECT, FIELD_NAME -> "an object";
                default -> t.name().toLowerCase(Locale.ROOT);
            };
        } catch (IOException io) {
            return t.name().toLowerCase(Locale.ROOT);
        }
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 40 ? one : one.substring(0, 40) + "…";
    }
}
