/**
 * Errors raised while loading a ruleset. Every error that reaches a user carries the
 * source name, a 1-based line and column, and a stable code (NFR_ERR_*) that the README
 * lists, so scripts can tell a syntax error from a semantic one.
 */

export const ErrorCodes = {
  /** A token or option iptables' command-line parser rejects. */
  PARAM: 'NFR_ERR_PARAM',
  /** A value of the right shape but out of range or unknown (port, protocol, mask...). */
  VALUE: 'NFR_ERR_VALUE',
  /** A line that is not valid iptables-restore syntax (table header, chain line, COMMIT). */
  SYNTAX: 'NFR_ERR_SYNTAX',
  /** Chain-level errors: missing chain, duplicate chain, chain in use, loops. */
  CHAIN: 'NFR_ERR_CHAIN',
  /** Rejected by the kernel's table check (target or match not valid in that table/hook). */
  KERNEL: 'NFR_ERR_KERNEL',
  /** A hostname where an address is needed: nfreplay never resolves names. */
  HOSTNAME: 'NFR_ERR_HOSTNAME',
  /** Input could not be read at all (missing file, unreadable stdin). */
  IO: 'NFR_ERR_IO',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SourcePosition {
  source: string;
  line: number;
  column: number;
}

/**
 * Thrown by value parsers and extensions, without a position: the loader knows which
 * token was being parsed and turns it into a RulesetError located at that token.
 */
export class ParamError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCodes.PARAM,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

export class RulesetError extends Error {
  readonly code: ErrorCode;
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** The bare message without the position prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, pos: SourcePosition) {
    super(`${pos.source}:${pos.line}:${pos.column}: ${detail}`);
    this.name = 'RulesetError';
    this.code = code;
    this.detail = detail;
    this.source = pos.source;
    this.line = pos.line;
    this.column = pos.column;
  }
}
