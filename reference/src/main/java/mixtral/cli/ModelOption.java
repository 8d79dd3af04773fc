package mixtral.cli;

import java.nio.file.Path;
import mixtral.demo.DemoModel;
import picocli.CommandLine.Option;

/** {@code --model DIR}: the checkpoint folder a command runs, the embedded demo model when absent. */
final class ModelOption {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Checkpoint folder (HF or Mistral-native; text is read with the tokenizer in it); the embedded demo model "
                    + "if absent.")
    Path model;

    /** The folder given, or the demo model's. */
    Path folder() {
        return model != null ? model : DemoModel.folder();
    }
}
