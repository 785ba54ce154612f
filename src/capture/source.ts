/**
 * Where capture bytes come from: a file read through its descriptor, standard input, bytes
 * already in memory, or a gunzip stream over any of them. The reader pulls large blocks
 * into its own buffer; a source only copies bytes, it never holds more than one chunk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface ByteSource {
  /** Copies up to `length` bytes into buf at `offset`; resolves to the count, 0 only at the end. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
  /** Bytes taken from the file or stream so far (compressed bytes when gunzipping). */
  readonly rawBytes: number;
  /** Size of the file when it is a regular file. */
  readonly totalBytes: number | undefined;
}

/** A file read through its descriptor: no stream machinery between the page cache and the buffer. */
export class FileSource implements ByteSource {
  rawBytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly totalBytes: number | undefined,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw Object.assign(new Error(`${path}: is a directory`), { code: 'EISDIR' });
      return new FileSource(handle, st.isFile() ? st.size : undefined);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buf, offset, length, null);
    this.rawBytes += bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Bytes already in memory (a capture embedded in a test or received whole). */
export class BytesSource implements ByteSource {
  rawBytes = 0;
  readonly totalBytes: number;

  /** `inPlace`: the reader may walk (and its caller rewrite) `bytes` where they are (takeAll). */
  constructor(
    private readonly bytes: Uint8Array,
    readonly inPlace = false,
  ) {
    this.totalBytes = bytes.length;
  }

  /** Every byte not read yet, in place (no copy): the reader then walks them where they are. */
  takeAll(): Uint8Array {
    const rest = this.bytes.subarray(this.rawBytes);
    this.rawBytes = this.bytes.length;
    return rest;
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.bytes.length - this.rawBytes);
    buf.set(this.bytes.subarray(this.rawBytes, this.rawBytes + n), offset);
    this.rawBytes += n;
    return n;
  }

  async close(): Promise<void> {}
}

/**
 * A readable stream (standard input, gunzip output). Chunks arrive in the stream's own sizes;
 * read() fills as much of the request as the stream delivers before it ends.
 */
export class StreamSource implements ByteSource {
  rawBytes = 0;
  readonly totalBytes = undefined;
  private readonly chunks: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | undefined;
  private pendingPos = 0;
  private done = false;
  private failure: unknown;

  constructor(private readonly stream: Readable) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.failure !== undefined) throw this.failure;
    let n = 0;
    while (n < length) {
      if (this.pending === undefined) {
        if (this.done) break;
        let next: IteratorResult<Uint8Array>;
        try {
          next = await this.chunks.next();
        } catch (e) {
          // Hand out what arrived before the error; the error comes with the next read.
          if (n === 0) throw e;
          this.failure = e;
          break;
        }
        if (next.done) {
          this.done = true;
          break;
        }
        this.pending = next.value;
        this.pendingPos = 0;
      }
      const take = Math.min(length - n, this.pending.length - this.pendingPos);
      buf.set(this.pending.subarray(this.pendingPos, this.pendingPos + take), offset + n);
      n += take;
      this.pendingPos += take;
      if (this.pendingPos === this.pending.length) this.pending = undefined;
    }
    this.rawBytes += n;
    return n;
  }

  async close(): Promise<void> {
    this.done = true;
    this.pending = undefined;
    this.stream.destroy();
  }
}

/** Gzip member header: ID1 ID2 (RFC 1952 section 2.3.1). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

const GUNZIP_CHUNK = 1 << 20;

/**
 * Decompresses a source whose first bytes (already read to sniff the magic) are `head`.
 * Concatenated gzip members are read as one stream, as gzip -d does.
 */
export class GunzipSource implements ByteSource {
  private readonly input: Readable;
  private readonly output: StreamSource;

  constructor(
    private readonly raw: ByteSource,
    head: Uint8Array,
  ) {
    async function* compressed(): AsyncGenerator<Uint8Array> {
      yield head;
      for (;;) {
        const block = new Uint8Array(GUNZIP_CHUNK);
        const n = await raw.read(block, 0, block.length);
        if (n === 0) return;
        yield block.subarray(0, n);
      }
    }
    this.input = Readable.from(compressed(), { objectMode: false });
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    this.input.on('error', (e) => gunzip.destroy(e));
    this.input.pipe(gunzip);
    this.output = new StreamSource(gunzip);
  }

  get rawBytes(): number {
    return this.raw.rawBytes;
  }

  get totalBytes(): number | undefined {
    return this.raw.totalBytes;
  }

  read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    return this.output.read(buf, offset, length);
  }

  async close(): Promise<void> {
    this.input.destroy();
    await this.output.close();
    await this.raw.close();
  }
}
