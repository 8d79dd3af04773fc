package mixtral.engines;

/** Metadata keys every engine adapter writes into its trace, declared once for all of them. */
public final class EngineMetadata {
    /** What ran: the engine, its version and its precision, e.g. {@code llama.cpp v0.5.0 (...) Q8_0}. */
    public static final String ENGINE = "engine";
    /** The settings it ran with, and what of the trace format it could not expose. */
    public static final String SETTINGS = "engine_settings";

    private EngineMetadata() {}
}
