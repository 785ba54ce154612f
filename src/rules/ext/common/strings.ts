/**
 * String option arguments (XTTYPE_STRING, xtopt_parse_string) as the kernel structs
 * store them, fixed-size char arrays measured in bytes; and the strncasecmp() prefix
 * lookup of names in extension tables.
 */
import { ParamError } from '../../errors.js';

/**
 * XTTYPE_STRING stored with XTOPT_PUT into a char[size] field (or any strncpy into a
 * fixed buffer): at most size-1 bytes are kept, longer text is cut, not refused. Text is
 * cut on UTF-8 byte boundaries as the C copy does.
 */
export function truncateBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? text : bytes.subarray(0, maxBytes).toString('utf8');
}

/** xtopt_parse_string's check of the option's .min, a length in bytes (strlen). */
export function checkMinLength(text: string, min: number): void {
  if (Buffer.byteLength(text, 'utf8') < min) {
    throw new ParamError(`Argument must have a minimum length of ${min} characters\n`);
  }
}

/**
 * strncasecmp(token, name, strlen(token)) == 0, the lookup many extensions make in their
 * name tables: the token is a case-blind prefix of the name (so any abbreviation, and the
 * empty token, match).
 */
export function isCasePrefix(token: string, name: string): boolean {
  return token.length <= name.length && name.slice(0, token.length).toLowerCase() === token.toLowerCase();
}
