package org.dnispark.cli;

/** Lets tests in other packages call the CLI without a System.exit. */
public final class MainAccess {
    private MainAccess() {
    }

    public static int run(String... args) {
        return Main.run(args);
    }
}
