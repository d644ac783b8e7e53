/*
 * Entry point of bin/camel. camel-jbang-core (the Camel CLI) has no main(): jbang or the
 * camel-launcher jar normally provides it, and neither is available here at Camel 4.17.
 * Run in Java's single-file source mode, so there is nothing to compile or commit.
 */
public class CamelCli {

    public static void main(String... args) {
        // Parses the command line, runs the command and ends the JVM with its exit code (System.exit)
        org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
    }
}
