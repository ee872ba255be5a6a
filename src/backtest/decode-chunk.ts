/**
 * Decodes a run of whole NDJSON lines into prepared signals: the part of a
 * backtest that needs no state, so decode workers can do it side by side
 * with the main thread. Lines split as `eachLine` splits them; blank lines
 * are counted but skipped.
 */
import {
  WireReader,
  WireWriter,
  prepareSignal,
  type PreparedSignal,
  type WireSignals,
} from '../engine/index.js';
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

export interface DecodedChunk<Signals = readonly PreparedSignal[]> {
  /** Lines in the chunk, blank ones included: where the next chunk's numbering starts. */
  lines: number;
  /** Non-blank lines. */
  read: number;
  /** The accepted signals, prepared. */
  signals: Signals;
  /** Line number within the chunk of each signal in `signals`. */
  signalLines: number[];
  rejected: ChunkRejection[];
}

/** A chunk as it crosses threads: its signals packed by `WireWriter`. */
export type WireChunk = DecodedChunk<WireSignals>;

export function decodeChunk(text: string): DecodedChunk {
  const signals: PreparedSignal[] = [];
  const signalLines: number[] = [];
  const rejected: ChunkRejection[] = [];
  let read = 0;
  const lines = eachLine(text, (line, number) => {
    if (line.trim() === '') return;
    read++;
    try {
      signals.push(prepareSignal(decodeJson(line).signal));
      signalLines.push(number);
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      rejected.push({ line: number, code: error.code, field: error.field, message: error.message });
    }
  });
  return { lines, read, signals, signalLines, rejected };
}

export function toWireChunk(chunk: DecodedChunk): WireChunk {
  const writer = new WireWriter();
  for (const signal of chunk.signals) writer.write(signal);
  return { ...chunk, signals: writer.finish() };
}

export function fromWireChunk(chunk: WireChunk): DecodedChunk {
  const reader = new WireReader(chunk.signals);
  const signals = new Array<PreparedSignal>(chunk.signalLines.length);
  for (let i = 0; i < signals.length; i++) signals[i] = reader.read();
  return { ...chunk, signals };
}
