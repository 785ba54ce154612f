/**
 * Errors of the capture stage. A capture that cannot be read at all (missing file, not a
 * pcap/pcapng file, damaged file header) throws a CaptureError from openCapture; damage
 * after the file header never throws: the reader stops at the last whole packet and reports
 * the damage in its summary, as tcpdump does.
 */

export const CaptureErrorCodes = {
  /** The capture cannot be opened or read at all (missing file, permission, empty stdin). */
  IO: 'NFR_ERR_IO',
  /** Not a capture nfreplay can read: unknown magic, unsupported version, damaged file header. */
  FORMAT: 'NFR_ERR_CAPTURE_FORMAT',
  /** The capture ends in a damaged or truncated record; the packets before it were read. */
  DAMAGED: 'NFR_ERR_CAPTURE_DAMAGED',
  /** A capture writer was misused (write after close, caplen larger than the bytes given). */
  WRITE: 'NFR_ERR_CAPTURE_WRITE',
} as const;

export type CaptureErrorCode = (typeof CaptureErrorCodes)[keyof typeof CaptureErrorCodes];

export class CaptureError extends Error {
  readonly code: CaptureErrorCode;
  /** Byte offset in the (decompressed) capture the error is about, when there is one. */
  readonly offset: number | undefined;

  constructor(code: CaptureErrorCode, message: string, offset?: number) {
    super(message);
    this.name = 'CaptureError';
    this.code = code;
    this.offset = offset;
  }
}
