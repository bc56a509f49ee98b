package org.varsparse.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md "## Library": the ```java block compiles against the library (javax.tools, the test class path) and,
 * run, prints exactly the ```text block after it.
 */
class ReadmeExampleTest {

    @Test
    void theLibraryExampleCompilesRunsAndPrintsWhatTheReadmeSays(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int at = readme.indexOf("\n## Library\n");
        assertTrue(at >= 0, "README.md has no '## Library' section");
        String section = readme.substring(at);
        Matcher code = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertTrue(code.find(), "no ```java block in the Library section");
        Matcher out = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertTrue(out.find(code.end()), "no ```text block (the expected output) after the example");
        Matcher name = Pattern.compile("public class (\\w+)").matcher(code.group(1));
        assertTrue(name.find(), "the example declares no public class");

        Path src = tmp.resolve(name.group(1) + ".java");
        Files.writeString(src, code.group(1));
        Path classes = Files.createDirectory(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (a JRE instead of a JDK?)");
        StringWriter diagnostics = new StringWriter();
        String cp = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
                + System.getProperty("java.class.path");
        boolean ok = javac.getTask(diagnostics, null, null,
                List.of("-classpath", cp, "-d", classes.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src)).call();
        assertTrue(ok, "the README example does not compile:\n" + diagnostics);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass(name.group(1)).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        saved.print(printed);
        assertEquals(out.group(1), printed.replace("\r\n", "\n"));
    }

}
