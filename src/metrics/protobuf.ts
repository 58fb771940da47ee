// A minimal protobuf wire-format reader: just enough to decode TensorFlow's Event/Summary/TensorProto
// messages without a generated schema. Unknown fields are skipped, as protobuf requires.

/** Protobuf wire types. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Raised on malformed or truncated wire data. */
export class ProtoDecodeError extends Error {
  override name = 'ProtoDecodeError';
}

const utf8 = new TextDecoder();

/** Reads fields sequentially from `buf[start, end)`. Callers loop `while (!r.done()) { const t = r.tag(); ... }`. */
export class ProtoReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos: number;
  private readonly end: number;

  constructor(buf: Uint8Array, start = 0, end: number = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** True once every byte of the message was read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field key: `field << 3 | wireType`. Use {@link fieldOf} / {@link wireOf} to split it. */
  tag(): number {
    return this.varint();
  }

  /** An unsigned varint as a number (exact below 2^53; used for keys, lengths, enums and small ints). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  /** A varint as a signed 64-bit integer (int64 fields such as Event.step). */
  int64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  /** A little-endian IEEE double (wire type fixed64). */
  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A little-endian IEEE float (wire type fixed32). */
  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field's bytes (a view into the buffer, not a copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A length-delimited field as UTF-8 text. */
  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const len = this.varint();
    this.need(len);
    const sub = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /** Skips a field's value of the given wire type. */
  skip(wire: number): void {
    if (wire === WireType.varint) this.varint();
    else if (wire === WireType.fixed64) this.advance(8);
    else if (wire === WireType.bytes) this.advance(this.varint());
    else if (wire === WireType.fixed32) this.advance(4);
    else throw new ProtoDecodeError(`unsupported wire type ${wire}`);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new ProtoDecodeError('truncated message');
    return this.buf[this.pos++]!;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new ProtoDecodeError('truncated message');
  }
}

/** The field number of a key from {@link ProtoReader.tag}. */
export function fieldOf(key: number): number {
  return Math.floor(key / 8);
}

/** The wire type of a key from {@link ProtoReader.tag}. */
export function wireOf(key: number): number {
  return key % 8;
}
