package mixtral.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the numbers were measured on: CPU model, cores, the thread count both implementations used, and the load
 * average (1-minute) at the start and end of the run, since other work on the machine slows both.
 */
public record Machine(String cpu, int cores, int threads, String blas, String jvm, double loadBefore, double loadAfter) {

    static Machine now(int threads) {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), threads,
                Nd4j.factory().blas().getBlasVendor() + ", OMP_WAIT_POLICY="
                        + Optional.ofNullable(System.getenv("OMP_WAIT_POLICY")).orElse("unset"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), load, load);
    }

    Machine until(Machine later) {
        return new Machine(cpu, cores, threads, blas, jvm, loadBefore, later.loadBefore);
    }

    /** The CPU's model name from /proc/cpuinfo, else the architecture. */
    public static String cpuModel() {
        try {
            Optional<String> line = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst();
            return line.map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** Sets ND4J's OpenMP and BLAS thread counts (the environment's OMP_NUM_THREADS only counts at startup). */
    public static void useThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }
}
