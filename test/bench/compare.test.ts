/** npm run bench -- --compare OLD.json: each numeric cell against the same table and row of OLD. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module of the benchmarks, without types
import { compareResults } from '../../bench/compare.mjs';

const table = (rows: Array<Record<string, string>>, script = 'replay.mjs') => ({ script, title: 'end-to-end replay', columns: ['name', 'packets/s', 'ratio'], rows });

describe('bench --compare', () => {
  it('gives each numeric cell its change; rows and tables without a match unchanged', () => {
    const old = { tables: [table([{ name: 'seed', 'packets/s': '4,000,000', ratio: '0.50x' }, { name: 'gone', 'packets/s': '1', ratio: '1' }])] };
    const now = {
      tables: [
        table([{ name: 'seed', 'packets/s': '4,400,000', ratio: '0.40x' }, { name: 'new', 'packets/s': '7', ratio: 'n/a' }]),
        table([{ name: 'seed', 'packets/s': '1', ratio: '1' }], 'capture.mjs'),
      ],
    };
    const [replay, capture] = compareResults(old, now) as Array<{ title: string; rows: Array<Record<string, string>> }>;
    expect(replay!.title).toBe('end-to-end replay — against the old run');
    expect(replay!.rows).toEqual([
      { name: 'seed', 'packets/s': '4,400,000 (+10.0%)', ratio: '0.40x (-20.0%)' },
      { name: 'new', 'packets/s': '7', ratio: 'n/a' },
    ]);
    expect(capture!.title).toBe('end-to-end replay — against nothing (new table)');
    expect(capture!.rows[0]!['packets/s']).toBe('1');
  });
});
