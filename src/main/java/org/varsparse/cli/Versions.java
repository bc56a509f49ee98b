package org.varsparse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The versions a run records: varsparse's (from the Maven build) and the JDK's. */
final class Versions {
    private Versions() {
    }

    /** The project version Maven filtered into version.properties, or "unknown". */
    static String varsparse() {
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String jdk() {
        return Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    }

    static Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("varsparse", varsparse());
        m.put("jdk", jdk());
        return m;
    }

    /** For {@code varsparse --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"varsparse " + varsparse(), "JDK " + jdk()};
        }
    }
}
