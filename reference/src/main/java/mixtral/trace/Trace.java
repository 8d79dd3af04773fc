package mixtral.trace;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import mixtral.BadInputException;
import mixtral.config.ConfigJson;
import mixtral.config.ConfigReader;
import mixtral.config.MixtralConfig;
import mixtral.safetensors.DType;
import mixtral.safetensors.SafetensorsFile;
import mixtral.safetensors.SafetensorsWriter;
import mixtral.safetensors.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A recorded forward pass: named tensors (see {@link TensorNames}) plus metadata. On disk it is a safetensors file
 * whose {@code __metadata__} holds {@code format} = {@value #FORMAT}, {@code format_version} and the model's
 * {@code config} as Hugging Face JSON. Floats are F32, token ids and expert indices I64. See docs/trace-format.md.
 */
public record Trace(Map<String, INDArray> tensors, Map<String, String> metadata) {
    public static final String FORMAT = "mixtral-trace";
    public static final String FORMAT_VERSION = "1";
    /** Metadata key of the routing intervention a trace was made under (a JSON object); absent for a plain run. */
    public static final String INTERVENTION = "intervention";

    public static Trace of(MixtralConfig config, Map<String, INDArray> tensors) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        meta.put("config", ConfigJson.toHuggingFace(config).toString());
        return new Trace(Collections.unmodifiableMap(new LinkedHashMap<>(tensors)), Collections.unmodifiableMap(meta));
    }

    /** The same trace with one more metadata entry. */
    public Trace withMetadata(String key, String value) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(key, value);
        return new Trace(tensors, Collections.unmodifiableMap(meta));
    }

    /** The intervention this trace was made under, as JSON, or null for a plain forward pass. */
    public String intervention() {
        return metadata.get(INTERVENTION);
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public INDArray get(String name) {
        INDArray a = tensors.get(name);
        if (a == null) {
            throw new BadInputException("trace has no tensor '" + name + "'");
        }
        return a;
    }

    /** The model configuration stored with the trace, or null if the file carries none. */
    public MixtralConfig config() {
        String json = metadata.get("config");
        return json == null ? null : ConfigReader.parseHuggingFace(json, "trace metadata");
    }

    public void write(Path file) {
        SafetensorsWriter w = new SafetensorsWriter();
        metadata.forEach(w::metadata);
        tensors.forEach((name, a) -> {
            if (a.dataType().isIntType()) {
                w.addLongs(name, a.castTo(DataType.LONG).dup('c').data().asLong(), a.shape());
            } else {
                w.add(name, a, DType.F32);
            }
        });
        w.write(file);
    }

    /** Reads any safetensors file as a trace (golden files of the published implementation included). */
    public static Trace read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (TensorInfo info : f.tensors().values()) {
                INDArray a = info.dtype().isFloat()
                        ? Nd4j.create(f.readFloats(info), info.shape(), 'c')
                        : Nd4j.createFromArray(f.readLongs(info.name())).reshape(info.shape());
                tensors.put(info.name(), a);
            }
            return new Trace(Collections.unmodifiableMap(tensors), f.metadata());
        }
    }
}
