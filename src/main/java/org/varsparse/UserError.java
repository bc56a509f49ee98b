package org.varsparse;

/**
 * A problem the user can fix: bad input, a missing or corrupt file, a missing tool, a full disk.
 *
 * <p>The message is one line that names the thing at fault, the problem and the fix, e.g.
 * {@code t10k-images-idx3-ubyte: truncated: ... Fix: ...}. A command-line entry point prints
 * {@link #getMessage()} alone (no stack trace) and exits with {@link #EXIT_CODE}. Programming errors
 * stay {@link IllegalArgumentException} / {@link IllegalStateException} and keep their stack traces.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit status of a command that stops on a user error. */
    public static final int EXIT_CODE = 2;

    /** {@code message} must be a single line; line breaks are replaced by spaces. */
    public UserError(String message) {
        super(oneLine(message));
    }

    /** Keeps {@code cause} for logs and debuggers; the message alone is what the user sees. */
    public UserError(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code "<where>: <problem>. Fix: <fix>"}, the house format. */
    public static UserError of(Object where, String problem, String fix) {
        return new UserError(where + ": " + problem + ". Fix: " + fix);
    }

    /** Same, keeping the cause. */
    public static UserError of(Object where, String problem, String fix, Throwable cause) {
        return new UserError(where + ": " + problem + ". Fix: " + fix, cause);
    }

    private static String oneLine(String s) {
        return s == null ? "unknown error" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
