package mixtral.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mixtral.BadInputException;
import mixtral.OutputFile;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.weights.CheckpointWriter;
import mixtral.weights.Layout;
import mixtral.weights.RandomWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint with deterministic random weights, for trying the tools and testing engines.",
            "Without --config it is tiny: D=64, F=128, 2 layers, 4 heads, 2 kv heads, 8 experts, top-2, V=256."})
final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create (must not exist or be empty).")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "A config.json or params.json to take the shape from.")
    Path config;

    @Option(names = "--layout", defaultValue = "hf", paramLabel = "hf|mistral",
            description = "hf: config.json + model.safetensors (default); mistral: params.json + consolidated.safetensors.")
    String layout;

    @Option(names = "--dtype", defaultValue = "F32", paramLabel = "F32|BF16|F16", description = "Stored element type (default F32).")
    DType dtype;

    @Option(names = "--shards", defaultValue = "1", paramLabel = "N", description = "Split an HF checkpoint into N files.")
    int shards;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Random seed (default 0).")
    long seed;

    @Option(names = "--router-scale", defaultValue = "4", paramLabel = "X",
            description = "Router weight scale; larger makes routing vary more between tokens (default 4).")
    double routerScale;

    static MixtralConfig tiny() {
        return MixtralConfig.builder()
                .hiddenSize(64).intermediateSize(128).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).headDim(16)
                .numLocalExperts(8).numExpertsPerTok(2).vocabSize(256)
                .ropeTheta(1e6).rmsNormEps(1e-5).maxPositionEmbeddings(4096)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        if (!dtype.isFloat()) {
            throw new BadInputException("--dtype must be F32, BF16 or F16, got " + dtype);
        }
        if (shards < 1) {
            throw new BadInputException("--shards must be at least 1, got " + shards);
        }
        if (!(routerScale >= 0) || Double.isInfinite(routerScale)) {
            throw new BadInputException("--router-scale must be a finite number, 0 or more, got " + routerScale);
        }
        OutputFile.checkNewFolder(out, "--out");
        Layout l = switch (layout.toLowerCase()) {
            case "hf" -> Layout.HUGGING_FACE;
            case "mistral" -> Layout.MISTRAL;
            default -> throw new BadInputException("--layout must be hf or mistral, got '" + layout + "'");
        };
        MixtralConfig c = config == null ? tiny() : ConfigReader.read(config);
        new CheckpointWriter(l).dtype(dtype).shards(shards).write(new RandomWeights(c, seed, routerScale), out);
        System.out.println("wrote " + out);
        return Main.OK;
    }
}
