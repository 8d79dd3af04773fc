package mixtral.engines.jlama;

import mixtral.testing.Prerequisites;

/** What every Jlama test needs of its JVM: JDK 20+ with the incubating Vector API (else Jlama runs naive loops). */
final class JlamaRuntime {
    private JlamaRuntime() {}

    static void require() {
        Prerequisites.require(Runtime.version().feature() >= 20, "Jlama needs JDK 20+; this JVM is "
                + Runtime.version() + " (run with -Djlama.jdk=/path/to/jdk21+)");
        Prerequisites.require(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "Jlama needs --add-modules jdk.incubator.vector (surefire's argLine in engines-jlama/pom.xml)");
    }
}
