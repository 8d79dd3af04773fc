package mixtral.inspector.engine;

import mixtral.trace.TensorNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mixtral.inspector.Fixtures;
import mixtral.trace.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class TraceStoreTest {
    private static final String ID = "0123456789abcdef";

    @TempDir
    Path data;

    private static Trace tiny() {
        return Trace.of(Fixtures.demo().config(), Map.of(TensorNames.TOKENS, Nd4j.createFromArray(1L, 2L, 3L)));
    }

    @Test
    void aStoredTraceIsOnDiskUnderItsIdAndReadBackByANewStore() {
        new TraceStore(data, 2).put(ID, tiny());
        assertTrue(Files.isRegularFile(data.resolve(ID + ".safetensors")));
        Trace back = new TraceStore(data, 2).find(ID).orElseThrow();
        assertEquals(3, back.get(TensorNames.TOKENS).length());
    }

    @Test
    void writingLeavesNoTemporaryFilesBehind() throws Exception {
        new TraceStore(data, 2).put(ID, tiny());
        try (var files = Files.list(data)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void openingTheDataFolderRemovesWhatInterruptedWritesLeftAndNothingElse() throws Exception {
        new TraceStore(data, 2).put(ID, tiny());
        Path ours = Files.writeString(data.resolve("." + ID + ".123.partial"), "half a trace");
        Path writers = Files.writeString(data.resolve(".0000000000000001.safetensors.456.partial"), "half");
        Path notes = Files.writeString(data.resolve("notes.txt"), "kept");
        Path almost = Files.writeString(data.resolve("partial.safetensors"), "kept: not a .partial file");
        Path folder = Files.createDirectory(data.resolve("kept.partial"));
        new TraceStore(data, 2);
        assertFalse(Files.exists(ours));
        assertFalse(Files.exists(writers));
        assertTrue(Files.exists(notes) && Files.exists(almost) && Files.isDirectory(folder));
        assertTrue(new TraceStore(data, 2).find(ID).isPresent(), "finished traces stay");
    }

    @Test
    void aWriteThatCannotFinishLeavesNoPartialFileAndSaysWhy() throws Exception {
        Files.createDirectories(data.resolve(ID + ".safetensors").resolve("in-the-way"));   // the move cannot replace it
        TraceStore store = new TraceStore(data, 2);
        RuntimeException e = assertThrows(RuntimeException.class, () -> store.put(ID, tiny()));
        assertTrue(e.getMessage().contains(ID), e.getMessage());
        try (var files = Files.list(data)) {
            assertEquals(List.of(ID + ".safetensors"), files.map(f -> f.getFileName().toString()).toList());
        }
    }

    @Test
    void aCorruptFileIsIgnoredInsteadOfFailing() throws Exception {
        Files.writeString(data.resolve(ID + ".safetensors"), "not a safetensors file");
        TraceStore store = new TraceStore(data, 2);
        assertFalse(store.find(ID).isPresent());
        assertFalse(store.find(ID).isPresent(), "and again, from the remembered verdict");
    }

    @Test
    void theCacheIsBoundedButEvictedTracesComeBackFromDisk() {
        TraceStore store = new TraceStore(data, 1);
        store.put("000000000000000a", tiny());
        store.put("000000000000000b", tiny());
        assertEquals(1, store.cachedCount());
        assertTrue(store.find("000000000000000a").isPresent());
    }

    @Test
    void theCacheIsBoundedInBytesTooButKeepsTheNewestTrace() {
        TraceStore store = new TraceStore(data, 10, 3 * 4);    // one tiny trace: 3 longs, counted at 4 bytes each
        store.put("000000000000000a", tiny());
        store.put("000000000000000b", tiny());
        assertEquals(1, store.cachedCount());
        TraceStore none = new TraceStore(data, 10, 0);
        none.put("000000000000000c", tiny());
        assertEquals(1, none.cachedCount(), "the newest trace stays even over the budget");
        assertTrue(store.find("000000000000000a").isPresent(), "evicted traces come back from disk");
    }

    @Test
    void onlyHexDigestsAreIds() {
        assertTrue(TraceStore.isId(ID));
        assertFalse(TraceStore.isId("../" + ID));
        assertFalse(TraceStore.isId(ID.toUpperCase()));
        assertFalse(TraceStore.isId(null));
    }
}
