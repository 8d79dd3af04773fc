package mixtral.inspector.about;

import java.util.List;

/**
 * The example prompts the page offers, one click each. The five languages say the same thing, in the style of the
 * Debian reference the demo model read, so that what differs between their routings is the language, not the topic;
 * the code is in the style of the JDK and the Python standard library, the demo model's code. The first example is
 * the one the server traces at start.
 */
public final class Examples {
    /**
     * One example prompt.
     *
     * @param language a group of the demo model's corpus ({@code en fr de es it}) or a programming language
     *                 ({@code java python}); {@code ids} for a model without a tokenizer
     * @param label    what its button says
     */
    public record Example(String language, String label, String text) {}

    /** For a model with a tokenizer: English first (the default), the other four languages, then Java and Python. */
    public static final List<Example> TEXT = List.of(
            new Example("en", "English", "Debian keeps the list of available packages in /var/lib/apt/lists. Run "
                    + "\"apt update\" as root to refresh it, then \"apt upgrade\" to install the newer versions of the "
                    + "packages on your system."),
            new Example("fr", "Français", "Debian garde la liste des paquets disponibles dans /var/lib/apt/lists. "
                    + "Exécutez « apt update » en tant que superutilisateur pour la mettre à jour, puis « apt upgrade » "
                    + "pour installer les nouvelles versions des paquets de votre système."),
            new Example("de", "Deutsch", "Debian speichert die Liste der verfügbaren Pakete in /var/lib/apt/lists. "
                    + "Führen Sie »apt update« als root aus, um sie zu aktualisieren, und dann »apt upgrade«, um die "
                    + "neueren Versionen der Pakete auf Ihrem System zu installieren."),
            new Example("es", "Español", "Debian guarda la lista de paquetes disponibles en /var/lib/apt/lists. "
                    + "Ejecute «apt update» como superusuario para actualizarla y después «apt upgrade» para instalar "
                    + "las versiones más recientes de los paquetes de su sistema."),
            new Example("it", "Italiano", "Debian conserva l'elenco dei pacchetti disponibili in /var/lib/apt/lists. "
                    + "Eseguire «apt update» come root per aggiornarlo, poi «apt upgrade» per installare le versioni più "
                    + "recenti dei pacchetti del sistema."),
            new Example("java", "Java", """
                        /**
                         * Returns the index of the first occurrence of the element,
                         * or -1 if this list does not contain it.
                         */
                        public int indexOf(Object o) {
                            for (int i = 0; i < size; i++) {
                                if (o.equals(elementData[i]))
                                    return i;
                            }
                            return -1;
                        }
                    """.stripTrailing()),
            new Example("python", "Python", """
                    def split_words(line, sep=None):
                        \"""Return the words of line, split at sep (any whitespace by default).\"""
                        words = []
                        for word in line.split(sep):
                            if word:
                                words.append(word)
                        return words"""));

    /** For a model without a tokenizer, whose prompts are token ids. */
    public static final List<Example> IDS = List.of(new Example("ids", "token ids", "1 17 42 9"));

    private Examples() {}
}
