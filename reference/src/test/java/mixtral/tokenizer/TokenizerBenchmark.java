package mixtral.tokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * Encoding speed, run by hand (not a test: timings on a shared machine make flaky tests):
 * <pre>
 * mvn -q -B -pl reference test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp reference/target/classes:reference/target/test-classes:$(cat reference/target/cp.txt) \
 *     mixtral.tokenizer.TokenizerBenchmark [tokenizer.model]
 * </pre>
 * Reports characters per second over the golden corpus, and the time to encode a prompt of about 4,000 tokens.
 */
public final class TokenizerBenchmark {
    public static void main(String[] args) {
        Tokenizer t = args.length > 0 ? Tokenizer.load(Path.of(args[0])) : Tokenizer.load(TokenizerFiles.mixtralModel());
        List<String> corpus = TokenizerFiles.corpus();
        long chars = corpus.stream().mapToLong(String::length).sum();
        long tokens = 0;
        for (int round = 0; round < 20; round++) {    // warm-up, so the JIT has compiled the merge loop
            for (String line : corpus) {
                tokens += t.encode(line).length;
            }
        }
        int rounds = 50;
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (String line : corpus) {
                t.encode(line);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("corpus: %d lines, %,d chars, %,d tokens per pass%n", corpus.size(), chars, tokens / 20);
        System.out.printf("corpus encode: %,.0f chars/s (%,.0f tokens/s)%n",
                rounds * chars / seconds, rounds * (tokens / 20) / seconds);

        StringBuilder prompt = new StringBuilder();
        for (int i = 0; t.encode(prompt.toString()).length < 4000; i = (i + 1) % corpus.size()) {
            prompt.append(corpus.get(i)).append('\n');
        }
        String text = prompt.toString();
        int n = t.encode(text).length;
        for (int i = 0; i < 200; i++) {
            t.encode(text);
        }
        int reps = 200;
        long best = Long.MAX_VALUE;
        long total = 0;
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            t.encode(text);
            long d = System.nanoTime() - s;
            best = Math.min(best, d);
            total += d;
        }
        System.out.printf("prompt of %,d tokens (%,d chars): mean %.2f ms, best %.2f ms%n",
                n, text.length(), total / 1e6 / reps, best / 1e6);

        String mega = text.repeat(1_000_000 / text.length() + 1).substring(0, 1_000_000);
        long s = System.nanoTime();
        int megaTokens = t.encode(mega).length;
        System.out.printf("1,000,000 chars: %,d tokens in %.0f ms%n", megaTokens, (System.nanoTime() - s) / 1e6);
    }
}
