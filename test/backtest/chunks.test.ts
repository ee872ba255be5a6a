/**
 * The backtest's input path: lines cut into chunks, decoded in workers or in
 * this thread, applied in line order. Whatever the path, the radar and the
 * rejected lines must be what decoding and ingesting line by line gives.
 */
import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeChunk, transferList, type DecodedChunk } from '../../src/backtest/decode-chunk.js';
import { radarOutputLines, runBacktest, snapshot } from '../../src/backtest/index.js';
import { indicatorLines } from '../../src/backtest/format.js';
import { lineChunks } from '../../src/backtest/lines.js';
import { EpisodeFinder, PartLines } from '../../src/backtest/rule-episodes.js';
import { BacktestWorkers } from '../../src/backtest/workers.js';
import { SHIPPED_RULES } from '../../src/config/config.js';
import { prepareSignal, Radar, WireReader } from '../../src/engine/index.js';
import { SignalRejectedError } from '../../src/errors.js';
import { evaluateAcross, loadRuleset } from '../../src/rules/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { memoryWriter } from '../helpers/written.js';
import { melding } from '../signals/samples.js';

const good = JSON.stringify(melding());

/** A chunk's signals read back from its wire, whole. */
function preparedIn(chunk: DecodedChunk) {
  const wire = new WireReader(chunk.signals);
  const prepared = chunk.signalLines.map(() => wire.read());
  expect(wire.done).toBe(true);
  return prepared;
}

describe('decodeChunk', () => {
  it('numbers lines as they are in the chunk: blank ones counted, CRLF and a last line without newline read', () => {
    const chunk = decodeChunk(
      Buffer.from(`\n${good}\r\nnot json\n  \n{"id":"x","kind":"MELDING"}\n${good}`),
    );
    expect(chunk.lines).toBe(6);
    expect(chunk.read).toBe(4);
    expect(chunk.signalLines).toEqual([2, 6]);
    expect(preparedIn(chunk).map((s) => s.id)).toEqual(['M-1', 'M-1']);
    expect(chunk.rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'MALFORMED'],
      [5, 'MISSING_FIELD'],
    ]);
  });

  it('rejects a line of ill-formed UTF-8 as the service rejects such a message, and reads diacritics', () => {
    const spelled = JSON.stringify({
      ...melding(),
      id: 'M-Ø',
      persons: [{ ref: 'm', familyName: 'Yılmaz' }],
      relations: [],
    });
    const bad = Buffer.from(spelled.replace('Yılmaz', 'Y_lmaz'));
    bad[bad.indexOf('Y_lmaz') + 1] = 0xff;
    const chunk = decodeChunk(Buffer.concat([Buffer.from(`${spelled}\n`), bad]));
    expect(preparedIn(chunk).map((s) => s.id)).toEqual(['M-Ø']);
    expect(chunk.rejected.map((r) => [r.line, r.code])).toEqual([[2, 'MALFORMED']]);
    expect(() => decodeJson(bad)).toThrow(SignalRejectedError);
  });

  it('counts a chunk that ends in a newline without an extra empty line', () => {
    expect(decodeChunk(Buffer.from(`${good}\n${good}\n`)).lines).toBe(2);
  });

  it('crosses a thread and reads back as the prepared signals of its lines', () => {
    const lines = [
      ...generateSignalLines({ count: 300, seed: 3, malformed: 0.05, withdrawn: 0.05 }),
    ];
    const chunk = decodeChunk(Buffer.from(lines.join('\n')));
    const expected = chunk.signalLines.map((line) =>
      prepareSignal(decodeJson(lines[line - 1]!).signal),
    );
    const crossed = structuredClone(chunk, { transfer: transferList(chunk) });
    expect(preparedIn(crossed)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(250);
    expect(chunk.rejected.length).toBeGreaterThan(0);
  });
});

describe('BacktestWorkers', () => {
  it('decodes here what the workers have no room for, and answers every chunk in order', async () => {
    const lines = [...generateSignalLines({ count: 400, seed: 5, malformed: 0.05 })];
    const chunks = Array.from({ length: 8 }, (_, i) =>
      Buffer.from(lines.slice(i * 50, i * 50 + 50).join('\n')),
    );
    const expected = chunks.map((c) => decodeChunk(c));
    const decoder = new BacktestWorkers(1);
    try {
      // Asked all at once: three go to the worker, the other five are decoded here at once.
      const results = chunks.map((c) => decoder.decode(new Uint8Array(c)));
      const done = results.map(() => false);
      results.forEach((r, i) => void r.then(() => (done[i] = true)));
      // A worker answers in a later turn of the event loop; what was decoded here is ready now.
      await Promise.resolve();
      expect(done).toEqual([false, false, false, true, true, true, true, true]);
      const settled = await Promise.all(results);
      expect(settled).toEqual(expected);
    } finally {
      await decoder.close();
    }
  });
});

describe('BacktestWorkers that stop', () => {
  it('fail what they were asked with WORKER_FAILED instead of leaving it awaited', async () => {
    const workers = new BacktestWorkers(1);
    const chunk = workers.decode(new Uint8Array(Buffer.from(good)));
    await workers.close();
    await expect(chunk).rejects.toMatchObject({ code: 'WORKER_FAILED' });
  });
});

describe('BacktestWorkers evaluating rules', () => {
  it('write for the parts they take what evaluating the rules here writes', async () => {
    const radar = new Radar({ ruleset: await loadRuleset(SHIPPED_RULES) });
    for (const line of generateSignalLines({ count: 3000, seed: 11, malformed: 0 })) {
      radar.ingest(decodeJson(line).signal);
    }
    radar.settle();
    const { rules, households } = radar.ruleWork();
    const { households: packed } = radar.packedRuleWork();
    const here = rules
      .map((rule) =>
        [...indicatorLines(evaluateAcross(rule, households))].map((l) => `${l}\n`).join(''),
      )
      .join('');
    const workers = new BacktestWorkers(2);
    try {
      const shared = workers.evaluate(
        rules.map(({ rule }) => rule),
        packed,
      );
      const { lists, parts } = await shared.episodes(new EpisodeFinder(rules, packed));
      expect(lists).toHaveLength(3);
      expect(parts.length).toBeGreaterThan(3);
      const text = async (i: number) => {
        const pieces: Buffer[] = [];
        const output = shared.output(i);
        while (!output.done) {
          const piece = output.next();
          if (piece === undefined) await output.arrival();
          else {
            pieces.push(Buffer.from(piece.bytes.subarray(0, piece.length)));
            piece.release();
          }
        }
        return Buffer.concat(pieces).toString('utf8');
      };
      // Nothing claimed here yet: the first part is a worker's.
      let written = await text(0);
      expect(written).not.toBe('');
      const made = new PartLines(rules, packed, lists);
      for (let i = 1; i < parts.length; i++) {
        if (shared.claimHere(i)) {
          const { writer, text: mine } = memoryWriter();
          made.write(parts[i]!, writer);
          written += mine();
        } else {
          written += await text(i);
        }
      }
      expect(written).toEqual(here);
    } finally {
      await workers.close();
    }
  });
});

describe('lineChunks', () => {
  it('property: chunks hold every byte in order and end on a line break', async () => {
    const line = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 60 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 100 }),
        async (lines, finalNewline, cuts, size) => {
          const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const bytes = Buffer.from(text);
          const pieces: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const next = Math.min(bytes.length, at + 1 + cuts[i % cuts.length]!);
            pieces.push(bytes.subarray(at, next));
            at = next;
          }
          const chunks: Uint8Array[] = [];
          for await (const chunk of lineChunks(Readable.from(pieces), { size })) chunks.push(chunk);
          expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
          for (const chunk of chunks.slice(0, -1)) expect(chunk.at(-1)).toBe(0x0a);
        },
      ),
    );
  });
});

describe('runBacktest', () => {
  /** Generated signals with redeliveries, conflicting versions and garbage mixed in: several chunks' worth. */
  function input(): string[] {
    const lines = [
      ...generateSignalLines({ count: 6000, seed: 7, malformed: 0.01, withdrawn: 0.02 }),
    ];
    for (let i = 0; i < lines.length; i += 97) lines.splice(i + 50, 0, lines[i]!);
    for (let i = 13; i < lines.length; i += 211) {
      if (!lines[i]!.endsWith('}')) continue;
      const other = JSON.parse(lines[i]!) as { safety?: string };
      other.safety = other.safety === 'VEILIG' ? 'ONBEKEND' : 'VEILIG';
      lines.splice(i + 20, 0, JSON.stringify(other));
    }
    lines.splice(100, 0, '', '  ', 'garbage');
    return lines;
  }

  async function lineByLine(lines: string[]) {
    const radar = new Radar({ ruleset: await loadRuleset(SHIPPED_RULES) });
    const rejected: [number, string][] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        radar.ingest(decodeJson(line).signal);
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        rejected.push([i + 1, error.code]);
      }
    });
    radar.flush();
    const { households, indicators } = snapshot(radar);
    return { rejected, output: [...radarOutputLines(households, indicators)] };
  }

  async function chunked(lines: string[], workerThreads: number, formOnce: boolean) {
    const radar = new Radar({
      ruleset: await loadRuleset(SHIPPED_RULES),
      keepIndicators: false,
      formOnce,
    });
    const rejected: [number, string][] = [];
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const counts = await runBacktest({
      input: Readable.from([lines.join('\n')]),
      radar,
      out,
      workerThreads,
      onRejected: (line, error) => rejected.push([line, error.code]),
    });
    return { counts, rejected, output: text.split('\n').slice(0, -1) };
  }

  it.each([
    [0, false],
    [1, false],
    [2, false],
    [0, true],
    [1, true],
  ])(
    'with %i worker threads (households formed once: %s) writes what decoding and ingesting line by line gives',
    async (threads, formOnce) => {
      const lines = input();
      const expected = await lineByLine(lines);
      const actual = await chunked(lines, threads, formOnce);
      expect(expected.rejected.some(([, code]) => code === 'DUPLICATE_ID_CONFLICT')).toBe(true);
      expect(expected.rejected.some(([, code]) => code === 'MALFORMED')).toBe(true);
      expect(actual.rejected).toEqual(expected.rejected);
      expect(actual.output).toEqual(expected.output);
      expect(actual.counts.read).toBe(lines.filter((l) => l.trim() !== '').length);
      expect(actual.counts.duplicates).toBeGreaterThan(0);
    },
  );
});
