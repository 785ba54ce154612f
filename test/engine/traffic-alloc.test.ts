/**
 * The traffic series allocates nothing per packet: half a million packets of times in and out of
 * order (every bin change, both ways) without the young generation growing and without a
 * scavenge. (Alone in its file: other tests' pending I/O would allocate during the measurement.)
 */
import { describe, expect, it } from 'vitest';
import { Traffic } from '../../src/engine/traffic.js';
import { measureAllocation } from '../support/alloc.js';

describe('allocation', () => {
  it('adds half a million packets without allocating', async () => {
    const t = new Traffic();
    // One packet object whose time changes, as the replay's PacketState does.
    const pkt = { nowNs: 0 };
    const result = await measureAllocation(
      (n) => {
        for (let i = 0; i < n; i++) {
          pkt.nowNs = (i * 1_000_003) % 5_000_000_000;
          t.add(pkt, 60 + (i & 1023), i >> 4);
        }
      },
      200_000,
      500_000,
    );
    expect(result.grown).toBeLessThan(256 * 1024);
    expect(result.scavenges).toBe(0);
  });
});
