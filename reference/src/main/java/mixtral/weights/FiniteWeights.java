package mixtral.weights;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.function.LongFunction;
import mixtral.BadInputException;

/**
 * Refuses a weight holding NaN or an infinity when it is read from its checkpoint: one such value makes every logit
 * NaN a layer or two later, far from the tensor at fault. The check itself happens while the values are converted
 * ({@code SafetensorsFile.readFloats} says whether all were finite); this finds the first bad one for the message.
 */
final class FiniteWeights {
    private FiniteWeights() {}

    /**
     * @param values   the weight as read, from its position to its limit; it holds a non-finite value
     * @param position describes element i of {@code values}, e.g. "row 3, column 7"
     */
    static BadInputException refuse(FloatBuffer values, Path file, String tensor, LongFunction<String> position) {
        for (int i = values.position(); i < values.limit(); i++) {
            if (!Float.isFinite(values.get(i))) {
                return new BadInputException(file + ": tensor '" + tensor + "' holds " + values.get(i) + " at "
                        + position.apply(i - values.position()) + ": weights must be finite numbers");
            }
        }
        throw new IllegalStateException(tensor + ": reported non-finite, but every value is finite");
    }

    /** "row r, column c" of a [rows, columns] matrix, "element i" of a vector. */
    static LongFunction<String> positionIn(long[] shape) {
        return shape.length == 2 ? i -> "row " + i / shape[1] + ", column " + i % shape[1] : i -> "element " + i;
    }
}
