/**
 * Every exit code the binary uses, in one place, so the README, systemd's unit and the tests agree.
 * They follow sysexits.h where one fits: systemd's RestartPreventExitStatus and operators read 78
 * as "fix the file", and a script calling the CLI can tell its own mistake (64, 65) from the
 * kiosk's. This module imports nothing: the entry point loads it before anything else.
 */

/** The command ran and everything is fine. */
export const EXIT_OK = 0;
/** Anything not named below: an unexpected failure, a ledger that cannot be read, a missing sale. */
export const EXIT_FAILURE = 1;
/** EX_USAGE: an unknown command or option, or a missing or malformed argument. */
export const EXIT_USAGE = 64;
/** EX_DATAERR: a bad line in a piped simulator script (the line number is named). */
export const EXIT_DATAERR = 65;
/** EX_TEMPFAIL: another agent holds the state directory; it ends when that one stops. */
export const EXIT_STATE_LOCKED = 75;
/** EX_CONFIG: the config file or the app secret is wrong; a technician fixes it. */
export const EXIT_CONFIG = 78;
