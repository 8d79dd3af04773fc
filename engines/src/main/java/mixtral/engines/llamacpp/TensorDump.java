package mixtral.engines.llamacpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code llama_trace.c} wrote: named tensors, each with its ggml dimensions (fastest first) and its values
 * contiguous in that order, as float (f32) or int (i32). See the C source's header comment for the layout.
 */
record TensorDump(Map<String, Entry> tensors) {
    static final String MAGIC = "MXTD";
    static final int VERSION = 1;

    /** @param ne ggml dimensions, fastest first; {@code floats} or {@code ints} holds the values */
    record Entry(String name, long[] ne, float[] floats, int[] ints) {
        long count() {
            return ne[0] * ne[1] * ne[2] * ne[3];
        }
    }

    static TensorDump read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        b.get(magic);
        if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII)) || b.getInt() != VERSION) {
            throw new IllegalStateException(file + ": not a version " + VERSION + " dump of llama_trace");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            byte[] name = new byte[b.getInt()];
            b.get(name);
            int kind = b.getInt();
            long[] ne = {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
            int n = Math.toIntExact(ne[0] * ne[1] * ne[2] * ne[3]);
            float[] f = null;
            int[] i = null;
            if (kind == 0) {
                f = new float[n];
                b.asFloatBuffer().get(f);
            } else {
                i = new int[n];
                b.asIntBuffer().get(i);
            }
            b.position(b.position() + n * 4);
            String s = new String(name, StandardCharsets.UTF_8);
            out.put(s, new Entry(s, ne, f, i));
        }
        return new TensorDump(out);
    }
}
