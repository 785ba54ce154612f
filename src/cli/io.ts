/** Process I/O behind an interface so the CLI can be driven in tests without spawning. */

export const ExitCode = {
  Ok: 0,
  /** The input (ruleset, capture) is invalid; the error names the position. */
  Invalid: 1,
  /** The command line itself is wrong. */
  Usage: 2,
  /** A check of nfreplay's own results failed (sysexits' EX_SOFTWARE): a fault to report, not the input's. */
  Internal: 70,
  /** Stopped by SIGINT (Ctrl-C) after printing what was done, as shells report 128 + 2. */
  Interrupted: 130,
} as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  /** Whether stderr is a terminal (progress lines go there only then). */
  readonly errIsTty?: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  errIsTty: process.stderr.isTTY === true,
  exit: (code) => {
    process.exitCode = code;
  },
};
