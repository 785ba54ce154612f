/**
 * captures/: every capture file is described in captures/README.md with the packet count
 * capinfos reads from it, and every row of the README names a file that exists.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(__dirname, '..', '..', 'captures');
const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
const files = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();
/** README table rows: | `file` | packets | ... */
const rows = new Map([...readme.matchAll(/^\| `([^`]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
const capinfos = spawnSync('sh', ['-c', 'command -v capinfos']).status === 0;

describe('captures/README.md', () => {
  it('has a row for every capture and a capture for every row', () => {
    expect(files.length).toBeGreaterThan(0);
    expect([...rows.keys()].sort()).toEqual(files);
  });

  it.skipIf(!capinfos).each(files.map((f) => [f]))('%s: packet count as in README', (file) => {
    const r = spawnSync('capinfos', ['-T', '-r', '-c', join(DIR, file)], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim().split('\t').pop())).toBe(rows.get(file));
  });
});
