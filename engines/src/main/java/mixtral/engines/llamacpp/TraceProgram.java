package mixtral.engines.llamacpp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mixtral.BadInputException;
import mixtral.evidence.Sha256;

/**
 * {@code llama_trace.c}, our small C program that drives llama.cpp's libraries, compiled with gcc on first use into
 * the libraries' folder (named by the source's sha256, so an edited source is compiled again).
 */
final class TraceProgram {
    static final String SOURCE = "llama_trace.c";

    private TraceProgram() {}

    /** The compiled program beside the libraries in {@code libDir}, compiling it if needed. */
    static synchronized Path compiled(Path libDir) {
        byte[] source = source();
        Path exe = libDir.resolve("mixtral-llama-trace-" + Sha256.of(source).substring(0, 12));
        if (Files.isExecutable(exe)) {
            return exe;
        }
        try {
            Path src = Files.createTempFile("llama_trace", ".c");
            Files.write(src, source);
            Path tmp = libDir.resolve(exe.getFileName() + ".partial");
            List<String> cmd = List.of("gcc", "-O2", "-o", tmp.toString(), src.toString(),
                    libDir.resolve(LlamaCppLibraries.LLAMA).toString(), libDir.resolve(LlamaCppLibraries.GGML).toString(),
                    libDir.resolve(LlamaCppLibraries.GGML_BASE).toString(), "-Wl,-rpath," + libDir.toAbsolutePath());
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new BadInputException("gcc is needed to build the llama.cpp adapter's C program and was not found"
                        + " (install gcc)");
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("gcc failed on " + SOURCE + ":\n" + out);
            }
            Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(src);
            return exe;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile " + SOURCE + " into " + libDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling " + SOURCE, e);
        }
    }

    static byte[] source() {
        try (InputStream in = TraceProgram.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
