/**
 * Decodes a run of whole NDJSON lines into prepared signals: the part of a
 * backtest that needs no state, so decode workers can do it side by side
 * with the main thread. Lines split as `eachLine` splits them; blank lines
 * are counted but skipped.
 */
// Modules, not their folders' index: a decode worker loads only what it runs, and starts sooner.
import { prepareSignal } from '../engine/prepare.js';
import { WireWriter, type WireSignals } from '../engine/prepared-wire.js';
import { SignalRejectedError, type RejectionCode } from '../errors.js';
import { readPlainLine, type PlainLine } from '../signals/json-fast-path.js';
import { decodeJson } from '../signals/json.js';

const NEWLINE = 0x0a;
const RETURN = 0x0d;

export interface ChunkRejection {
  /** Line number within the chunk, from 1. */
  line: number;
  code: RejectionCode;
  field: string | undefined;
  message: string;
}

export interface DecodedChunk {
  /** Lines in the chunk, blank ones included: where the next chunk's numbering starts. */
  lines: number;
  /** Non-blank lines. */
  read: number;
  /**
   * The accepted signals, prepared and packed by `WireWriter`: as they cross
   * threads, and as the radar reads them, straight into its columns.
   */
  signals: WireSignals;
  /** Line number within the chunk of each signal in `signals`. */
  signalLines: number[];
  rejected: ChunkRejection[];
}

/**
 * Decodes a chunk of whole lines from `lineChunks`. Every line is first
 * offered to the JSON fast path, which reads it from the bytes and packs it
 * without making its signal; any line it steps aside from takes the full
 * path from its text. Each of those signals is packed as soon as it is
 * prepared, so its objects die before the next collection instead of being
 * copied by it with the rest of the chunk.
 */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  const writer = new WireWriter();
  return { ...decodeLines(bytes, writer), signals: writer.finish() };
}

/** What a chunk's signals travel in, to transfer rather than copy. */
export function transferList({ signals }: DecodedChunk): ArrayBuffer[] {
  return [signals.numbers.buffer, signals.units.buffer];
}

function decodeLines(bytes: Uint8Array, writer: WireWriter): Omit<DecodedChunk, 'signals'> {
  // Latin-1, not UTF-8: a byte a character, so a line starts at the same offset in both, and
  // copying bytes is cheaper than decoding them. The fast path slices its strings of ASCII from
  // this text and decodes the others from the bytes; a line it steps aside from is decoded as
  // UTF-8 on its own.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('latin1');
  const write = (line: PlainLine): void => writer.writePlain(line);
  const signalLines: number[] = [];
  const rejected: ChunkRejection[] = [];
  let read = 0;
  let lines = 0;
  for (let start = 0; start < bytes.length;) {
    // Buffer's indexOf, a memchr: a Uint8Array's compared byte by byte and took a tenth of decoding.
    let end = buffer.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    const number = ++lines;
    const lineEnd = bytes[end - 1] === RETURN ? end - 1 : end;
    if (readPlainLine(buffer, start, lineEnd, text, start, write)) {
      read++;
      signalLines.push(number);
    } else {
      if (buffer.toString('utf8', start, lineEnd).trim() !== '') {
        read++;
        try {
          // From the bytes, as the service decodes a message: ill-formed UTF-8 is rejected, not
          // read with replacement characters.
          writer.write(prepareSignal(decodeJson(bytes.subarray(start, lineEnd)).signal));
          signalLines.push(number);
        } catch (error) {
          if (!(error instanceof SignalRejectedError)) throw error;
          rejected.push({
            line: number,
            code: error.code,
            field: error.field,
            message: error.message,
          });
        }
      }
    }
    start = end + 1;
  }
  return { lines, read, signalLines, rejected };
}
