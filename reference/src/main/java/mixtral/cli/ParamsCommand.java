package mixtral.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.config.ParameterCount;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "params", mixinStandardHelpOptions = true,
        description = "Count total parameters and the parameters active per token, by component.")
final class ParamsCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "Model folder (config.json or params.json).")
        Path model;

        @Option(names = "--config", paramLabel = "FILE", description = "A config.json or params.json file.")
        Path config;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Override
    public Integer call() {
        MixtralConfig config = source.model != null
                ? ConfigReader.readFolder(source.model)
                : ConfigReader.read(requireFile(source.config));
        ParameterCount count = ParameterCount.of(config);
        System.out.printf("%-12s %20s %20s%n", "component", "total", "active per token");
        for (Map.Entry<String, Long> e : count.total().entrySet()) {
            System.out.printf("%-12s %,20d %,20d%n", e.getKey(), e.getValue(), count.active().get(e.getKey()));
        }
        System.out.printf("%-12s %,20d %,20d%n", "all", count.totalSum(), count.activeSum());
        return Main.OK;
    }

    private static Path requireFile(Path p) {
        if (Files.isDirectory(p)) {
            throw new BadInputException("--config " + p + ": is a folder (give its config.json, or --model "
                    + "for a model folder)");
        }
        if (!Files.isRegularFile(p)) {
            throw new BadInputException("--config " + p + ": no such file");
        }
        return p;
    }
}
