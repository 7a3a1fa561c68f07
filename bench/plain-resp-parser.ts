/**
 * A small, straightforward pure-JS RESP2/RESP3 parser: the baseline a hand-written client
 * would start from. Concatenates pending bytes, parses recursively, and on an incomplete
 * reply starts that reply over when more bytes arrive. Benchmark peer only.
 */

const INCOMPLETE = Symbol('incomplete');
type Out = unknown;

export class PlainRespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(
    private readonly onReply: (v: unknown) => void,
    private readonly onError: (e: Error) => void,
  ) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let start = 0;
    for (;;) {
      this.pos = start;
      if (this.pos >= this.buf.length) break;
      const v = this.value();
      if (v === INCOMPLETE) break;
      start = this.pos;
      if (v instanceof Error) this.onError(v);
      else this.onReply(v);
    }
    this.buf = start >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(start);
  }

  private line(): string | typeof INCOMPLETE {
    const cr = this.buf.indexOf(13, this.pos);
    if (cr < 0 || cr + 1 >= this.buf.length) return INCOMPLETE;
    const s = this.buf.toString('utf8', this.pos, cr);
    this.pos = cr + 2;
    return s;
  }

  private value(): Out | typeof INCOMPLETE {
    const type = this.buf[this.pos++];
    const l = this.line();
    if (l === INCOMPLETE) return INCOMPLETE;
    switch (type) {
      case 43: // +
        return l;
      case 45: // -
        return new Error(l);
      case 58: // :
        return Number(l);
      case 44: // ,
        return l === 'inf' ? Infinity : l === '-inf' ? -Infinity : l === 'nan' ? NaN : Number(l);
      case 40: // (
        return BigInt(l);
      case 35: // #
        return l === 't';
      case 95: // _
        return null;
      case 36: // $
      case 33: // !
      case 61: {
        // =
        const n = Number(l);
        if (n < 0) return null;
        if (this.pos + n + 2 > this.buf.length) return INCOMPLETE;
        let s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n + 2;
        if (type === 61) s = s.slice(4);
        return type === 33 ? new Error(s) : s;
      }
      case 42: // *
      case 126: // ~
      case 62: {
        // >
        const n = Number(l);
        if (n < 0) return null;
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) {
          const v = this.value();
          if (v === INCOMPLETE) return INCOMPLETE;
          a.push(v);
        }
        return a;
      }
      case 37: {
        // %
        const n = Number(l);
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.value();
          if (k === INCOMPLETE) return INCOMPLETE;
          const v = this.value();
          if (v === INCOMPLETE) return INCOMPLETE;
          o[String(k)] = v;
        }
        return o;
      }
      case 124: {
        // | attribute: parse and drop, then the real value
        const n = Number(l);
        for (let i = 0; i < 2 * n; i++) if (this.value() === INCOMPLETE) return INCOMPLETE;
        return this.value();
      }
      default:
        throw new Error('protocol error');
    }
  }
}
