package mixtral.compare;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import mixtral.OutputFile;
import mixtral.compare.Report.Decision;
import mixtral.compare.Report.Flip;
import mixtral.compare.Report.NotComparable;
import mixtral.compare.Report.TensorDiff;

/**
 * A comparison as JUnit XML, the report format CI systems read: one test case per tensor, per routing decision that
 * failed (flip or wrong decision) and per missing tensor; a tensor not comparable because K differs is a skipped one
 * (the flips K causes fail the suite). Written with the JDK's StAX writer, atomically ({@link OutputFile}).
 */
public final class JunitReport {
    private JunitReport() {}

    public static void write(Report r, String suiteName, Path file) {
        OutputFile.write(file, out -> {
            try {
                xml(r, suiteName, out);
            } catch (XMLStreamException e) {
                throw new IOException(e.getMessage(), e);
            }
        });
    }

    private static void xml(Report r, String suiteName, OutputStream out) throws XMLStreamException {
        XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out, "UTF-8");
        boolean replayed = TraceComparison.REPLAY_BASELINE.equals(r.baseline());   // flips judged as decisions
        long flips = replayed ? 0 : r.flips().stream().filter(f -> !f.tie()).count();
        long failures = r.tensors().stream().filter(d -> !d.within()).count()
                + flips + r.wrongDecisions().size() + r.missing().size();
        long cases = r.tensors().size() + r.notComparable().size() + flips + r.wrongDecisions().size()
                + r.missing().size();
        x.writeStartDocument("UTF-8", "1.0");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", suiteName);
        x.writeAttribute("tests", String.valueOf(cases));
        x.writeAttribute("failures", String.valueOf(failures));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", String.valueOf(r.notComparable().size()));
        for (TensorDiff d : r.tensors()) {
            testCase(x, "tensors", d.name(), d.within() ? null : ReportPrinter.status(d) + ": max abs "
                    + d.maxAbsError() + ", first bad token " + d.firstBadToken());
        }
        for (NotComparable n : r.notComparable()) {
            x.writeStartElement("testcase");
            x.writeAttribute("classname", "mixtral.compare.tensors");
            x.writeAttribute("name", n.name());
            x.writeStartElement("skipped");
            x.writeAttribute("message", "not comparable: " + n.reason());
            x.writeEndElement();
            x.writeEndElement();
        }
        for (Flip f : r.flips()) {
            if (!f.tie() && !replayed) {
                testCase(x, "routing", "layers." + f.layer() + ".token." + f.token(), "routed to "
                        + Arrays.toString(f.actualExperts()) + " instead of " + Arrays.toString(f.expectedExperts())
                        + ", router margin " + f.margin());
            }
        }
        for (Decision d : r.wrongDecisions()) {
            testCase(x, "routing", "layers." + d.layer() + ".token." + d.token(), "routed to "
                    + Arrays.toString(d.actualExperts()) + "; the reference chooses "
                    + Arrays.toString(d.referenceExperts()) + ": " + d.reason());
        }
        for (String m : r.missing()) {
            testCase(x, "required", m, "missing: " + m);
        }
        x.writeEndElement();
        x.writeEndDocument();
        x.close();
    }

    private static void testCase(XMLStreamWriter x, String className, String name, String failure)
            throws XMLStreamException {
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "mixtral.compare." + className);
        x.writeAttribute("name", name);
        if (failure != null) {
            x.writeStartElement("failure");
            x.writeAttribute("message", failure);
            x.writeCharacters(failure);
            x.writeEndElement();
        }
        x.writeEndElement();
    }
}
