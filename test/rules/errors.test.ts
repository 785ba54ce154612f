/** Every error code a user can see is documented in the README's table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/rules/index.js';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('error codes', () => {
  it.each(Object.values(ErrorCodes).map((c) => [c]))('%s is documented in README.md', (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });
});
