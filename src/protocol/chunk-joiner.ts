/**
 * The unparsed input of a streaming RESP parser: the buffer being read, the read position, and
 * the chunks held back while the parser waits. A parser that cannot finish an element says
 * what it needs (`waitFor`); chunks that cannot provide it are only queued, so input arriving
 * in many small pieces is joined once, instead of being copied and parsed again at each chunk.
 * Shared by RequestParser (the server side) and ReplyParser (the links side).
 */
const EMPTY = Buffer.alloc(0);

export class ChunkJoiner {
  buf: Buffer = EMPTY;
  pos = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** While waiting: join once this many unparsed bytes are in, or a chunk holding `retryOn` arrives (-1: none). */
  private retryAt = 0;
  private retryOn = -1;
  /** `buf` is a borrowed chunk (see feed). */
  private borrowed = false;

  /** Bytes received and not parsed yet. */
  get unparsed(): number {
    return this.buf.length - this.pos + this.heldBytes;
  }

  /** True while chunks are held back: the parser has nothing new to look at. */
  get waiting(): boolean {
    return this.held.length > 0;
  }

  /**
   * `borrowed`: the chunk's memory is reused once the caller returns (a socket's shared read
   * buffer): whatever of it is kept is copied, at once when held back, else by ownRest().
   */
  feed(chunk: Buffer, borrowed = false): void {
    if (chunk.length === 0) return;
    const unparsed = this.unparsed + chunk.length;
    if (unparsed < this.retryAt && (this.retryOn < 0 || chunk.indexOf(this.retryOn) < 0)) {
      this.held.push(borrowed ? Buffer.from(chunk) : chunk);
      this.heldBytes += chunk.length;
      return;
    }
    this.borrowed = false;
    if (this.pos >= this.buf.length && this.held.length === 0) {
      this.buf = chunk;
      this.borrowed = borrowed;
    } else {
      const rest = this.pos < this.buf.length ? this.buf.subarray(this.pos) : EMPTY;
      this.buf = Buffer.concat([rest, ...this.held, chunk], unparsed);
    }
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.retryAt = 0;
    this.retryOn = -1;
  }

  /** The parser needs `bytes` unparsed bytes in all, or (byte >= 0) a chunk holding `byte`. */
  waitFor(bytes: number, byte = -1): void {
    this.retryAt = bytes;
    this.retryOn = byte;
  }

  /** After parsing a borrowed chunk: the unparsed rest of it is copied (it is the only part kept). */
  ownRest(): void {
    if (!this.borrowed) return;
    this.borrowed = false;
    this.buf = this.pos < this.buf.length ? Buffer.from(this.buf.subarray(this.pos)) : EMPTY;
    this.pos = 0;
  }

  /** Drops a fully read buffer rather than keep a socket chunk alive for nothing. */
  releaseIfConsumed(): void {
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  /** Forgets all input (after a protocol error). */
  clear(): void {
    this.borrowed = false;
    this.buf = EMPTY;
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.retryAt = 0;
    this.retryOn = -1;
  }
}
