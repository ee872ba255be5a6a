/**
 * Decodes a run of whole NDJSON lines into prepared signals: the part of a
 * backtest that needs no state, so decode workers can do it side by side
 * while the main thread runs the engine. Lines split as `eachLine` splits
 * them; blank lines are counted but skipped.
 */
import { prepareSignal, writeWire, type WireValue } from '../engine/index.js';
import { SignalRejectedError, type RejectionCode } from '../errors.js';
import { decodeJson } from '../signals/index.js';
import { eachLine } from './lines.js';

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
  /** The accepted signals' wire forms (`writeWire`) as one JSON array: one parse for the lot. */
  signals: string;
  /** Line number within the chunk of each signal in `signals`. */
  signalLines: number[];
  rejected: ChunkRejection[];
}

export function decodeChunk(text: string): DecodedChunk {
  const wire: WireValue[] = [];
  const signalLines: number[] = [];
  const rejected: ChunkRejection[] = [];
  let read = 0;
  const lines = eachLine(text, (line, number) => {
    if (line.trim() === '') return;
    read++;
    try {
      writeWire(prepareSignal(decodeJson(line).signal), wire);
      signalLines.push(number);
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      rejected.push({ line: number, code: error.code, field: error.field, message: error.message });
    }
  });
  return { lines, read, signals: JSON.stringify(wire), signalLines, rejected };
}
