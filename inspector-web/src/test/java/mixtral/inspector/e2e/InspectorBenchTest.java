package mixtral.inspector.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import mixtral.cli.Main;
import mixtral.inspector.bench.Chromium;
import mixtral.inspector.bench.InspectorBench;
import mixtral.inspector.bench.InspectorBenchCommand;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code ./mixtral inspector-bench} from rotting without timing anything: one run on short prompts must give a
 * table with a row per length and a time for every figure. The speed itself is reported in FRONTEND.md, not tested.
 */
class InspectorBenchTest {
    private static final Pattern CELL = Pattern.compile("\\d+ \\(\\d+\\)");

    @Test
    void oneRunOnShortPromptsGivesARowPerLengthAndATimeForEveryFigure() throws IOException {
        String table;
        try (Chromium.Session chromium = Browsers.launch()) {
            table = InspectorBenchCommand.markdown(chromium, List.of(12, 24), 1);
        }
        System.out.print(table);
        assertComplete(table, List.of(12, 24));
        assertTrue(table.contains("Chromium ") && table.contains("cores") && table.contains("of 1 runs"), table);
    }

    @Test
    void theCheckRejectsATableMissingARowOrATime() {
        String header = "| tokens | " + String.join(" | ", InspectorBench.FIGURES) + " |\n|---:|"
                + "---:|".repeat(InspectorBench.FIGURES.size()) + "\n";
        String row = "| 12 |" + " 3 (2) |".repeat(InspectorBench.FIGURES.size()) + "\n";
        assertComplete(header + row, List.of(12));
        assertThrows(AssertionError.class, () -> assertComplete(header + row, List.of(12, 24)), "a length missing");
        assertThrows(AssertionError.class, () -> assertComplete(header + row.replaceFirst("3 \\(2\\)", "NaN (NaN)"),
                List.of(12)), "a time missing");
        assertThrows(AssertionError.class, () -> assertComplete(header.replace(InspectorBench.FIGURES.get(2), "x")
                + row, List.of(12)), "a figure missing from the header");
    }

    @Test
    void badRunsOrLengthsAreRefusedBeforeTheBrowserStarts() {
        assertEquals(Main.BAD_INPUT, Main.run("inspector-bench", "--runs", "0"));
        assertEquals(Main.BAD_INPUT, Main.run("inspector-bench", "--tokens", "128,513"));
        assertEquals(Main.BAD_INPUT, Main.run("inspector-bench", "--tokens", "1"));
    }

    /** The header names every figure, and each length has a row with a "median (minimum)" time per figure. */
    static void assertComplete(String table, List<Integer> tokens) {
        List<String> lines = table.lines().filter(l -> l.startsWith("|")).toList();
        assertEquals("| tokens | " + String.join(" | ", InspectorBench.FIGURES) + " |", lines.get(0), "the header");
        assertEquals(2 + tokens.size(), lines.size(), "a row per length: " + table);
        for (int i = 0; i < tokens.size(); i++) {
            String[] cells = lines.get(2 + i).split("\\|");
            assertEquals(tokens.get(i).toString(), cells[1].trim(), "row " + i);
            assertEquals(1 + 1 + InspectorBench.FIGURES.size(), cells.length, "cells of " + lines.get(2 + i));
            for (int f = 0; f < InspectorBench.FIGURES.size(); f++) {
                assertTrue(CELL.matcher(cells[2 + f].trim()).matches(),
                        InspectorBench.FIGURES.get(f) + " at " + tokens.get(i) + " tokens: '" + cells[2 + f] + "'");
            }
        }
    }
}
