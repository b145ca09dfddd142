package io.flotilla.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/** {@code flotilla version}: which build and which Java runtime. */
final class VersionCommand implements Command {
  /** Written into every jar by Maven; absent when running from target/classes. */
  private static final String POM_PROPERTIES = "/META-INF/maven/io.flotilla/server/pom.properties";

  private final PrintStream out;
  private final PrintStream err;

  VersionCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "version";
  }

  @Override
  public String summary() {
    return "Print the version of flotilla and of the Java runtime";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla version

        options:
          -h, --help   show this help
        """;
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    if (!args.isEmpty()) {
      return new UsageException("unexpected argument '" + args.get(0) + "'").report(this, err);
    }
    out.println("flotilla " + version() + " (Java " + Runtime.version() + ", "
        + System.getProperty("java.home") + ")");
    return OK;
  }

  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      // An unreadable resource inside our own jar is not worth failing over; say unknown.
    }
    return "(development build)";
  }
}
