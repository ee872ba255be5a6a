/**
 * Output written as UTF-8 straight into buffers that are used again once
 * written, rather than made as strings that are then encoded. At the end of
 * a backtest the radar's heap is large, and every collection marks all of
 * it: each line's string and each encoded copy handed to a stream moved the
 * collector on (an encoded copy is memory outside the heap, which V8 counts
 * towards its next full collection), a mark-compact about every second
 * (docs/performance-history.md). Here a line costs no string and no buffer
 * of its own.
 *
 * The bytes are those `Buffer.from(text)` gives, and for JSON values those
 * of `JSON.stringify`; the tests hold them to it.
 */

/** Where a writer's buffers come from and go to. */
export interface ByteBuffers {
  /** An empty buffer to write into; at least `MAX_UNIT_BYTES` long. */
  take(): Uint8Array;
  /** `bytes[0, length)` are written, in order after every buffer before: to send on, and to give back to `take` once sent. */
  filled(bytes: Uint8Array, length: number): void;
}

/** The most bytes one UTF-16 code unit is written as: a JSON `\uXXXX` escape. */
const MAX_UNIT_BYTES = 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
/** The short escapes `JSON.stringify` writes, by code unit; 0 for none. */
const SHORT_ESCAPES = new Uint8Array(0x60);
SHORT_ESCAPES[0x08] = 0x62; // \b
SHORT_ESCAPES[0x09] = 0x74; // \t
SHORT_ESCAPES[0x0a] = 0x6e; // \n
SHORT_ESCAPES[0x0c] = 0x66; // \f
SHORT_ESCAPES[0x0d] = 0x72; // \r
SHORT_ESCAPES[QUOTE] = QUOTE;
SHORT_ESCAPES[BACKSLASH] = BACKSLASH;

/** Text this long or longer is written by `Buffer.write`, in one native call; shorter text costs less a unit at a time. */
const LONG_TEXT = 32;
/** Control characters and surrogates, which `JSON.stringify` may escape. */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SURROGATE = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * Whether `JSON.stringify` would escape some of `text`. Quotes and
 * backslashes are looked for apart: `includes` finds one character several
 * times faster than a regular expression finds a class of them (measured on
 * explanations: 265 ns a line against 480).
 */
function needsEscape(text: string): boolean {
  return text.includes('"') || text.includes('\\') || CONTROL_OR_SURROGATE.test(text);
}

const NONE = new Uint8Array(0);

/** `text` in UTF-8, for `Utf8Writer.raw`. */
export function encoded(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text));
}

export class Utf8Writer {
  private bytes: Uint8Array = NONE;
  /** `bytes` as a Buffer, for `Buffer.write`. */
  private view: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Past it, one more code unit might not fit; below 0 while no buffer is taken. */
  private limit = -1;

  constructor(private readonly buffers: ByteBuffers) {}

  /** One byte of ASCII. */
  byte(code: number): void {
    if (this.length > this.limit) this.room();
    this.bytes[this.length++] = code;
  }

  /** Bytes already encoded: text the writer writes again and again, encoded once (`encoded`). */
  raw(encoded: Uint8Array): void {
    const n = encoded.length;
    if (this.length + n > this.bytes.length) {
      this.room();
      if (n > this.bytes.length) {
        for (const code of encoded) this.byte(code);
        return;
      }
    }
    // A loop, not `set`: the text between fields is a few bytes, shorter than `set` takes to start.
    const { bytes } = this;
    let length = this.length;
    for (let k = 0; k < n; k++) bytes[length++] = encoded[k] ?? 0;
    this.length = length;
  }

  /** `text` in UTF-8 as `Buffer.from` writes it: a lone surrogate as U+FFFD. */
  text(text: string): void {
    if (text.length >= LONG_TEXT && this.whole(text)) return;
    const n = text.length;
    for (let i = this.plain(text, 0, false); i < n; i = this.plain(text, i + 1, false)) {
      if (this.length > this.limit) this.room();
      const c = text.charCodeAt(i);
      if (c < 0x80) this.bytes[this.length++] = c;
      else i = this.wide(text, i, c);
    }
  }

  /** `JSON.stringify(text)`. */
  jsonString(text: string): void {
    this.byte(QUOTE);
    if (text.length >= LONG_TEXT && !needsEscape(text) && this.whole(text)) {
      this.byte(QUOTE);
      return;
    }
    const n = text.length;
    for (let i = this.plain(text, 0, true); i < n; i = this.plain(text, i + 1, true)) {
      if (this.length > this.limit) this.room();
      const c = text.charCodeAt(i);
      if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH && c < 0x80) {
        this.bytes[this.length++] = c;
      } else if (c < 0x60) this.escape(c);
      else if (c >= 0xd800 && c <= 0xdfff && !pairedAt(text, i, c)) this.unicodeEscape(c);
      else i = this.wide(text, i, c);
    }
    this.byte(QUOTE);
  }

  /**
   * Writes `text` from `i` on for as long as it is ASCII (that `JSON.stringify`
   * leaves as it is, for `json`) and surely fits, in one tight loop; returns
   * where it stopped, for the caller to go on unit by unit.
   */
  private plain(text: string, i: number, json: boolean): number {
    const { bytes } = this;
    let length = this.length;
    const end = Math.min(text.length, i + this.limit - length);
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || (json && (c < 0x20 || c === QUOTE || c === BACKSLASH))) break;
      bytes[length++] = c;
    }
    this.length = length;
    return i;
  }

  /** As `JSON.stringify(value)`: `null` for NaN and the infinities. */
  jsonNumber(value: number): void {
    if ((value | 0) !== value) {
      this.text(Number.isFinite(value) ? String(value) : 'null');
      return;
    }
    if (value < 0) {
      this.byte(0x2d);
      // -2^31 has no positive int32: its digits are written from the negative.
      if (value === -2147483648) {
        this.text('2147483648');
        return;
      }
      value = -value;
    }
    let place = 1;
    while (place * 10 <= value) place *= 10;
    for (; place >= 1; place /= 10) this.byte(0x30 + (Math.floor(value / place) % 10));
  }

  /** Sends what is written so far on; the next write takes a fresh buffer. */
  flush(): void {
    if (this.length > 0) this.buffers.filled(this.bytes, this.length);
    this.bytes = NONE;
    this.limit = -1;
    this.length = 0;
  }

  /** Room for one more code unit. */
  private room(): void {
    this.flush();
    this.bytes = this.buffers.take();
    this.view = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.limit = this.bytes.length - MAX_UNIT_BYTES;
  }

  /** Writes `text` whole with `Buffer.write` if it fits a buffer; false, and nothing written, if not. */
  private whole(text: string): boolean {
    const size = Buffer.byteLength(text);
    if (this.length + size > this.bytes.length) {
      this.room();
      if (size > this.bytes.length) return false;
    }
    this.length += this.view.write(text, this.length);
    return true;
  }

  /** A code unit of 0x80 or above at `i`, as UTF-8; returns the index of the last unit read. */
  private wide(text: string, i: number, c: number): number {
    const { bytes } = this;
    if (c < 0x800) {
      bytes[this.length++] = 0xc0 | (c >> 6);
      bytes[this.length++] = 0x80 | (c & 0x3f);
      return i;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (!pairedAt(text, i, c)) {
        bytes[this.length++] = 0xef;
        bytes[this.length++] = 0xbf;
        bytes[this.length++] = 0xbd;
        return i;
      }
      const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      bytes[this.length++] = 0xf0 | (point >> 18);
      bytes[this.length++] = 0x80 | ((point >> 12) & 0x3f);
      bytes[this.length++] = 0x80 | ((point >> 6) & 0x3f);
      bytes[this.length++] = 0x80 | (point & 0x3f);
      return i + 1;
    }
    bytes[this.length++] = 0xe0 | (c >> 12);
    bytes[this.length++] = 0x80 | ((c >> 6) & 0x3f);
    bytes[this.length++] = 0x80 | (c & 0x3f);
    return i;
  }

  /** A control character, `"` or `\`, as `JSON.stringify` escapes it. */
  private escape(c: number): void {
    const short = SHORT_ESCAPES[c] ?? 0;
    if (short === 0) {
      this.unicodeEscape(c);
      return;
    }
    this.bytes[this.length++] = BACKSLASH;
    this.bytes[this.length++] = short;
  }

  private unicodeEscape(c: number): void {
    const { bytes } = this;
    bytes[this.length++] = BACKSLASH;
    bytes[this.length++] = 0x75; // u
    bytes[this.length++] = HEX.charCodeAt(c >> 12);
    bytes[this.length++] = HEX.charCodeAt((c >> 8) & 0xf);
    bytes[this.length++] = HEX.charCodeAt((c >> 4) & 0xf);
    bytes[this.length++] = HEX.charCodeAt(c & 0xf);
  }
}

/** Whether the surrogate `c` at `i` is a high one followed by a low one: half of a pair. */
function pairedAt(text: string, i: number, c: number): boolean {
  if (c > 0xdbff) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
