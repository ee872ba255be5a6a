/**
 * Contract-shaped signals for the signal tests, and a way to catch a
 * rejection so tests can assert on its `code` and `field`, never its message.
 */
import { SignalRejectedError } from '../../src/errors.js';

export type Json = Record<string, unknown>;

/** A signal as a test pokes at it: tests reach into any path to break one field, and typing each path would only add casts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** A MELDING that uses every field of the contract (the first line of scenario 01). */
export function melding(): Json {
  return {
    id: 'M-1',
    kind: 'MELDING',
    occurredAt: '2023-03-01T09:00:00Z',
    receivedAt: '2023-03-02T09:00:00Z',
    region: 'VT09',
    source: 'ONDERWIJS',
    category: 'KINDERMISHANDELING',
    violenceTypes: ['KIND_GETUIGE', 'PSYCHISCH'],
    safety: 'ONVEILIG_STRUCTUREEL',
    childrenPresent: true,
    substantiated: false,
    persons: [
      {
        ref: 'm',
        bsn: '111222333',
        familyName: 'van der Berg',
        initials: 'A.',
        birthDate: '1988-04-12',
        role: 'BETROKKENE',
      },
      {
        ref: 'k',
        bsn: '123456782',
        familyName: 'van der Berg',
        birthDate: '2015-06-01',
        role: 'SLACHTOFFER',
      },
    ],
    relations: [{ from: 'm', to: 'k', type: 'OUDER_VAN' }],
    address: {
      postcode: '3511 AB',
      houseNumber: 12,
      houseLetter: 'b',
      addition: 'II-1',
      city: 'Utrecht',
    },
    retracts: ['M-0'],
  };
}

/** A police signal with only the required fields. */
export function minimalPolitie(): Json {
  return {
    id: 'P-1',
    kind: 'POLITIE',
    occurredAt: '2023-05-20T22:10:00Z',
    receivedAt: '2023-06-02T08:00:00Z',
    region: 'VT09',
    source: 'POLITIE',
    persons: [{ ref: '1' }],
  };
}

export function intrekking(): Json {
  return { id: 'W-1', kind: 'INTREKKING', receivedAt: '2024-02-01T00:00:00Z', retracts: ['V-2'] };
}

/** A deep copy of `signal` with `change` applied to it. */
export function changed(signal: Json, change: (s: Loose) => void): Json {
  const copy = structuredClone(signal);
  change(copy);
  return copy;
}

/** The rejection `decode` throws; fails the test when it throws something else or nothing. */
export function rejectionOf(decode: () => unknown): SignalRejectedError {
  try {
    decode();
  } catch (error) {
    if (error instanceof SignalRejectedError) return error;
    throw error;
  }
  throw new Error('expected the signal to be rejected');
}
