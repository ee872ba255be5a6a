/**
 * Indicator latency: signals that each raise an indicator on their own
 * (an acutely unsafe child, the shipped rule `acuut-onveilig-minderjarige`)
 * produced at a steady rate while a case system watches; the time from
 * handing a signal to the producer to receiving the event that names it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';
import type { RadarServiceClient } from '../../src/gen/radar/v1/radar.js';
import { watchIndicators } from './api.js';
import { quantile, round } from './children.js';

/** A valid BSN made from a counter, so every latency signal is a household of its own. */
export function counterBsn(n: number): string {
  for (let k = n * 11; ; k++) {
    const digits = String(10_000_000 + (k % 89_999_999)).padStart(8, '0');
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
    if (sum % 11 < 10) return digits + (sum % 11);
  }
}

export function acuteSignal(id: string, n: number, nowMs: number): Message {
  const at = new Date(nowMs).toISOString().slice(0, 19) + 'Z';
  const signal = {
    id,
    kind: 'MELDING',
    occurredAt: at,
    receivedAt: at,
    region: `VT${String(1 + (n % 26)).padStart(2, '0')}`,
    source: 'HUISARTS',
    category: 'KINDERMISHANDELING',
    violenceTypes: ['LICHAMELIJK'],
    safety: 'ONVEILIG_ACUUT',
    persons: [
      {
        ref: '1',
        bsn: counterBsn(n),
        familyName: 'Benchmark',
        initials: 'K.',
        birthDate: new Date(nowMs - 8 * 365.25 * 86_400_000).toISOString().slice(0, 10),
        role: 'SLACHTOFFER',
      },
    ],
  };
  return { key: id, value: JSON.stringify(signal) };
}

export interface LatencyResult {
  rate: number;
  produced: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Produces `rate` signals a second for `seconds` in ticks of 10 ms, then
 * waits up to `drainSeconds` for the last events.
 */
export async function measureLatency(options: {
  producer: Producer;
  client: RadarServiceClient;
  topic: string;
  afterSequence: number;
  rate: number;
  seconds: number;
  drainSeconds: number;
  prefix: string;
  abort: AbortSignal;
}): Promise<LatencyResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const watch = watchIndicators(options.client, options.afterSequence);
  let allSeen: () => void = () => {};
  const seen = new Promise<void>((resolve) => (allSeen = resolve));
  let producing = true;
  watch.on('data', (event: { indicator?: { signalIds: string[] } }) => {
    const now = performance.now();
    for (const id of event.indicator?.signalIds ?? []) {
      const at = sentAt.get(id);
      if (at === undefined) continue;
      latencies.push(now - at);
      sentAt.delete(id);
    }
    if (!producing && sentAt.size === 0) allSeen();
  });
  watch.on('error', () => {});
  // The watch has no acknowledgement of its own; give the subscription a moment to be in place.
  await sleep(500);

  const perTick = options.rate / 100;
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  let produced = 0;
  for (let tick = 0; tick < options.seconds * 100; tick++) {
    if (options.abort.aborted) break;
    const due = started + tick * 10;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const target = Math.round((tick + 1) * perTick);
    const messages: Message[] = [];
    const now = performance.now();
    for (; produced < target; produced++) {
      const id = `${options.prefix}-${produced}`;
      sentAt.set(id, now);
      messages.push(acuteSignal(id, produced, Date.now()));
    }
    sends.push(options.producer.send({ topic: options.topic, messages }));
  }
  producing = false;
  await Promise.all(sends);
  if (sentAt.size > 0) {
    await Promise.race([seen, sleep(options.drainSeconds * 1000, undefined, { ref: false })]);
  }
  watch.cancel();
  latencies.sort((a, b) => a - b);
  return {
    rate: options.rate,
    produced,
    received: latencies.length,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? NaN),
  };
}
