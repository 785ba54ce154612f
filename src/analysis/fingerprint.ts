/**
 * Compact storage for comparing two replays packet by packet: a 64-bit hash (two 32-bit
 * MurmurHash3 lanes with different constants, each finished with fmix32), a table of two
 * words per capture packet in chunks, and a growable list of words. A replay of millions
 * of packets then costs 8 bytes a packet, not an object.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
/** The second lane's constants (xxHash32's primes): its collisions do not follow the first's. */
const C3 = 0x85ebca77;
const C4 = 0xc2b2ae3d;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 64-bit hash of 32-bit words and strings, fed in order; reset() to start again. */
export class Hash64 {
  private h1 = 0;
  private h2 = 0;
  private n = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.h1 = 0x9747b28c;
    this.h2 = 0x3c6ef372;
    this.n = 0;
  }

  /** Whether nothing was fed since reset(). */
  get empty(): boolean {
    return this.n === 0;
  }

  word(w: number): void {
    let k = Math.imul(w | 0, C1);
    k = (k << 15) | (k >>> 17);
    let h = this.h1 ^ Math.imul(k, C2);
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let j = Math.imul(w | 0, C3);
    j = (j << 17) | (j >>> 15);
    let g = this.h2 ^ Math.imul(j, C4);
    g = (g << 11) | (g >>> 21);
    this.h2 = (Math.imul(g, 9) + 0x165667b1) | 0;
    this.n++;
  }

  /** Its length, then its UTF-16 code units two to a word. */
  string(s: string): void {
    this.word(s.length);
    let i = 0;
    for (; i + 1 < s.length; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < s.length) this.word(s.charCodeAt(i));
  }

  get hi(): number {
    return fmix32(this.h1 ^ this.n);
  }

  get lo(): number {
    return fmix32(this.h2 ^ Math.imul(this.n, C2));
  }
}

/** Packets per chunk of a PacketPairs table. */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** Two uint32 words for each packet number, in chunks allocated as the numbers grow. */
export class PacketPairs {
  private readonly chunks: Uint32Array[] = [];

  set(n: number, hi: number, lo: number): void {
    const c = n >>> CHUNK_BITS;
    while (this.chunks.length <= c) this.chunks.push(new Uint32Array(2 * CHUNK));
    const at = 2 * (n & (CHUNK - 1));
    const chunk = this.chunks[c]!;
    chunk[at] = hi;
    chunk[at + 1] = lo;
  }

  /** Whether packet `n` holds these words (an unset packet holds 0, 0). */
  equals(n: number, hi: number, lo: number): boolean {
    const chunk = this.chunks[n >>> CHUNK_BITS];
    const at = 2 * (n & (CHUNK - 1));
    return chunk === undefined ? hi === 0 && lo === 0 : chunk[at] === hi >>> 0 && chunk[at + 1] === lo >>> 0;
  }
}

/** A list of uint32 words that grows by doubling. */
export class WordList {
  private words = new Uint32Array(1024);
  length = 0;

  push(w: number): void {
    if (this.length === this.words.length) {
      const bigger = new Uint32Array(2 * this.words.length);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[this.length++] = w;
  }

  at(i: number): number {
    return this.words[i]!;
  }

  /** The words pushed so far (a view: valid until the next push). */
  view(): Uint32Array {
    return this.words.subarray(0, this.length);
  }
}
