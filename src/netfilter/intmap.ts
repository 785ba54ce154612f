/**
 * A map from int32 keys to values, open addressing with linear probing. The host model's
 * address tables are looked up for every packet whose path is not cached (one new
 * conversation in five in bench/replay.mjs's capture, several lookups each); V8's Map
 * hashes and boxes more than an int key needs. Nothing is ever deleted.
 */
export class IntMap<T> {
  private keys = new Int32Array(16);
  private used = new Uint8Array(16);
  private vals: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private index(key: number): number {
    const mask = this.keys.length - 1;
    let i = (Math.imul(key, 0x9e3779b1) >>> 7) & mask;
    while (this.used[i] === 1 && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  get(key: number): T | undefined {
    const i = this.index(key | 0);
    return this.used[i] === 1 ? this.vals[i] : undefined;
  }

  has(key: number): boolean {
    return this.used[this.index(key | 0)] === 1;
  }

  set(key: number, value: T): void {
    key |= 0;
    let i = this.index(key);
    if (this.used[i] !== 1) {
      if ((this.count + 1) * 2 > this.keys.length) {
        this.grow();
        i = this.index(key);
      }
      this.used[i] = 1;
      this.keys[i] = key;
      this.count++;
    }
    this.vals[i] = value;
  }

  private grow(): void {
    const { keys, used, vals } = this;
    const size = keys.length * 2;
    this.keys = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.vals = new Array<T | undefined>(size).fill(undefined);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (used[i] === 1) this.set(keys[i]!, vals[i]!);
  }
}
