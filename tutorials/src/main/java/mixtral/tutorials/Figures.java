package mixtral.tutorials;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Regenerates the tutorials: draws every lesson's figures into {@code tutorials/figures/} and rewrites the marked
 * numbers in each lesson's Markdown (and the {@link Facts} the tutorials' README quotes) with freshly computed ones,
 * printing them as it goes. Run it with
 * {@code tutorials/make-figures} (see tutorials/README.md).
 */
public final class Figures {
    private Figures() {}

    /** args[0]: the tutorials folder. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: Figures TUTORIALS_DIR (the folder holding the lessons' Markdown)");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        Path figures = Files.createDirectories(root.resolve("figures"));
        boolean skipped = false;
        for (Lesson lesson : Lessons.all()) {
            System.out.println("== " + lesson.markdown());
            if (lesson.unavailable().isPresent()) {
                System.err.println("  NOT regenerated: " + lesson.unavailable().get());
                skipped = true;
                continue;
            }
            Map<String, String> numbers = lesson.numbers();
            numbers.forEach((k, v) -> System.out.println("  " + k + " = " + (v.contains("\n") ? "\n" + v : v)));
            lesson.drawFigures(figures);
            Path md = root.resolve(lesson.markdown());
            if (Files.exists(md)) {
                String text = Files.readString(md, StandardCharsets.UTF_8);
                String filled = Marks.fill(text, Lessons.quotable(numbers));
                if (!filled.equals(text)) {
                    Files.writeString(md, filled, StandardCharsets.UTF_8);
                    System.out.println("  updated the numbers in " + md);
                }
            }
        }
        Path readme = root.resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String filled = Marks.fill(text, Facts.all());
        if (!filled.equals(text)) {
            Files.writeString(readme, filled, StandardCharsets.UTF_8);
            System.out.println("updated the facts in " + readme);
        }
        System.exit(skipped ? 1 : 0);
    }
}
