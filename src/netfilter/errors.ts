/**
 * Errors of the host model. A host file that is not valid JSON names the line and column
 * of the first bad character; a valid JSON document that is not a valid host names the
 * JSON path of the offending value (`interfaces[1].addrs[0]`) and where that value starts,
 * so the message can be acted on without counting brackets.
 */

export const HostErrorCodes = {
  /** The host file (or --local-ip/--iface) is not a valid host description. */
  HOST: 'NFR_ERR_HOST',
  /** The host file cannot be read. */
  IO: 'NFR_ERR_IO',
} as const;

export type HostErrorCode = (typeof HostErrorCodes)[keyof typeof HostErrorCodes];

export class HostError extends Error {
  readonly code: HostErrorCode;
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** JSON path of the offending value ('' for a syntax error or the whole document). */
  readonly path: string;
  /** The message without source, position and path. */
  readonly detail: string;

  constructor(detail: string, source: string, line: number, column: number, path = '', code: HostErrorCode = HostErrorCodes.HOST) {
    const where = line > 0 ? `${source}:${line}:${column}: ` : `${source}: `;
    super(`${where}${path ? `${path}: ` : ''}${detail}`);
    this.name = 'HostError';
    this.code = code;
    this.detail = detail;
    this.source = source;
    this.line = line;
    this.column = column;
    this.path = path;
  }
}
