/**
 * RESP2, the Redis wire protocol, as far as this client needs it: commands go out as arrays of bulk strings, and
 * replies come back as simple strings, errors, integers, bulk strings (nil included) and arrays of those.
 *
 * The decoder is incremental because TCP delivers a reply in arbitrary pieces: a 5 MB cached analysis body
 * arrives in dozens of chunks, and one chunk may hold the end of one reply and the start of the next. It never
 * re-reads bytes it has consumed (an array keeps the items it has so far on a stack), and while a bulk string is
 * incomplete it only collects chunks until enough bytes are there, so a large value costs one copy, not one per
 * chunk.
 */

/** An error reply (`-ERR …`, `-MOVED …`): a value inside arrays, thrown when it is a command's whole reply. */
export class RedisError extends Error {
  override name = 'RedisError';
}

export type Reply = string | number | null | RedisError | Reply[];

const CRLF = '\r\n';

/** One command as RESP: `*<n>` then each argument as `$<bytes>` + data. Lengths are in UTF-8 bytes. */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}${CRLF}`;
  for (const a of args) out += `$${Buffer.byteLength(a)}${CRLF}${a}${CRLF}`;
  return out;
}

interface Frame {
  items: Reply[];
  remaining: number;
}

export class RespDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks received while the buffered bytes cannot complete the next element yet. */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  /** Bytes (counted from `pos`) the next element needs before parsing is worth retrying. */
  private need = 0;
  /** Arrays being filled, innermost last. */
  private stack: Frame[] = [];

  /** Feeds one chunk; returns the replies it completed, in order. Throws on bytes that are not RESP2. */
  push(chunk: Buffer): Reply[] {
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.buf.length - this.pos + this.waitingBytes < this.need) return [];
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length === 0 && this.waiting.length === 1 ? chunk : Buffer.concat([rest, ...this.waiting]);
    this.pos = 0;
    this.waiting = [];
    this.waitingBytes = 0;
    this.need = 0;

    const done: Reply[] = [];
    for (;;) {
      const element = this.element();
      if (element === undefined) break;
      let value: Reply;
      if (element.array !== undefined) {
        if (element.array > 0) {
          this.stack.push({ items: [], remaining: element.array });
          continue;
        }
        value = element.array === 0 ? [] : null;
      } else {
        value = element.value;
      }
      // Hand the value to the innermost open array; a filled array is itself a value for the one around it.
      for (;;) {
        const top = this.stack.at(-1);
        if (!top) {
          done.push(value);
          break;
        }
        top.items.push(value);
        if (--top.remaining > 0) break;
        this.stack.pop();
        value = top.items;
      }
    }
    // Let go of a consumed (possibly multi-megabyte) buffer rather than holding it until the next reply.
    if (this.pos === this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
    return done;
  }

  /** Parses the element at `pos` (an array counts as its header only); undefined when its bytes are not all here. */
  private element(): { value: Reply; array?: undefined } | { array: number } | undefined {
    const { buf, pos } = this;
    const eol = buf.indexOf(CRLF, pos);
    if (eol < 0) {
      this.need = buf.length - pos + 1;
      return undefined;
    }
    const line = buf.toString('utf8', pos + 1, eol);
    const type = buf[pos];
    let end = eol + 2;
    let value: Reply;
    switch (type) {
      case 0x2b: // '+' simple string
        value = line;
        break;
      case 0x2d: // '-' error
        value = new RedisError(line);
        break;
      case 0x3a: // ':' integer
        value = this.integer(line);
        break;
      case 0x24: {
        // '$' bulk string: `$<n>\r\n<n bytes>\r\n`, or `$-1\r\n` for nil
        const n = this.integer(line);
        if (n < 0) {
          value = null;
          break;
        }
        if (buf.length < end + n + 2) {
          this.need = end + n + 2 - pos;
          return undefined;
        }
        value = buf.toString('utf8', end, end + n);
        end += n + 2;
        break;
      }
      case 0x2a: // '*' array header: `*-1` is a nil array
        this.pos = end;
        return { array: this.integer(line) };
      default:
        throw new Error(`redis protocol error: unexpected byte 0x${(type ?? 0).toString(16)}`);
    }
    this.pos = end;
    return { value };
  }

  private integer(line: string): number {
    const n = Number(line);
    if (!Number.isInteger(n)) throw new Error(`redis protocol error: bad integer ${JSON.stringify(line)}`);
    return n;
  }
}
