/** Every capture error code a user can see is documented in the README's table, and so is exit code 3. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureErrorCodes } from '../../src/capture/index.js';
import { EXIT_TRUNCATED } from '../../src/cli/capture.js';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('capture error codes', () => {
  it.each(Object.values(CaptureErrorCodes).map((c) => [c]))('%s is documented in README.md', (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });

  it('exit code 3 is documented in README.md', () => {
    expect(readme).toContain(`| ${EXIT_TRUNCATED} | the capture is damaged or truncated`);
  });
});
