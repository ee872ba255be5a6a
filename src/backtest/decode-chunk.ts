/**
 * Decodes a run of whole NDJSON lines into prepared signals: the part of a
 * backtest that needs no state, so decode workers can do it side by side
 * with the main thread. Lines split as `eachLine` splits them; blank lines
 * are counted but skipped.
 */
import { WireWriter, prepareSignal, type WireSignals } from '../engine/index.js';
import { SignalRejectedError, type RejectionCode } from '../errors.js';
import { decodeJson, readPlainSignal } from '../signals/index.js';
import { chunkText } from './lines.js';

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
 * Decodes a chunk of whole lines from `lineChunks`. A line of ASCII is
 * first offered to the JSON fast path, which reads it from the bytes; any
 * line it steps aside from takes the full path from its text. Each signal
 * is packed as soon as it is prepared, so its objects die before the next
 * collection instead of being copied by it with the rest of the chunk.
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
  const text = chunkText(bytes);
  const signalLines: number[] = [];
  const rejected: ChunkRejection[] = [];
  let read = 0;
  let lines = 0;
  // Lines are found in the bytes and in the text side by side: the same line, counted alike.
  for (let byteStart = 0, textStart = 0; byteStart < bytes.length;) {
    let byteEnd = bytes.indexOf(NEWLINE, byteStart);
    let textEnd = text.indexOf('\n', textStart);
    if (byteEnd === -1) byteEnd = bytes.length;
    if (textEnd === -1) textEnd = text.length;
    const number = ++lines;
    const byteLineEnd = bytes[byteEnd - 1] === RETURN ? byteEnd - 1 : byteEnd;
    const textLineEnd = text.charCodeAt(textEnd - 1) === RETURN ? textEnd - 1 : textEnd;
    const plain =
      byteLineEnd - byteStart === textLineEnd - textStart
        ? readPlainSignal(bytes, byteStart, byteLineEnd, text, textStart)
        : undefined;
    if (plain !== undefined) {
      read++;
      writer.write(prepareSignal(plain));
      signalLines.push(number);
    } else {
      const line = text.slice(textStart, textLineEnd);
      if (line.trim() !== '') {
        read++;
        try {
          writer.write(prepareSignal(decodeJson(line).signal));
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
    byteStart = byteEnd + 1;
    textStart = textEnd + 1;
  }
  return { lines, read, signalLines, rejected };
}
