import type { BacklogPlan } from '../../src/engine/backlog-plan.js';
import { prepareSignal } from '../../src/engine/prepare.js';
import { WireReader, WireWriter } from '../../src/engine/prepared-wire.js';
import type { IngestOutcome } from '../../src/engine/radar.js';
import type { Signal } from '../../src/signals/types.js';

/** A signal added to a plan as a decode worker hands it over: prepared and packed on a wire. */
export function addSignal(plan: BacklogPlan, signal: Signal): IngestOutcome {
  const writer = new WireWriter();
  writer.write(prepareSignal(signal));
  return plan.addWire(new WireReader(writer.finish()));
}

/** A signal as the store and the spool hold it. */
export function signalText(signal: Signal): Uint8Array {
  return Buffer.from(JSON.stringify(signal));
}
