import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/signals/index.js';
import { changed, intrekking, melding, minimalPolitie, type Json } from './samples.js';

const decode = (signal: Json) => decodeJson(JSON.stringify(signal));

describe('decodeJson', () => {
  it('keeps every contract field of a full signal', () => {
    const { signal, warnings, droppedFields } = decode(melding());
    expect(signal).toStrictEqual(melding());
    expect(warnings).toEqual([]);
    expect(droppedFields).toBe(0);
  });

  it('decodes a decoded signal written out as JSON to itself, without warnings', () => {
    for (const sample of [melding(), minimalPolitie(), intrekking()]) {
      const decoded = decode(sample);
      expect(decodeJson(JSON.stringify(decoded.signal))).toStrictEqual(decoded);
    }
  });

  it('reads bytes like text', () => {
    const text = JSON.stringify(melding());
    expect(decodeJson(new TextEncoder().encode(text))).toStrictEqual(decodeJson(text));
  });

  it('skips a byte-order mark, in text and in bytes', () => {
    const text = JSON.stringify(melding());
    expect(decodeJson(`\ufeff${text}`)).toStrictEqual(decodeJson(text));
    expect(decodeJson(new TextEncoder().encode(`\ufeff${text}`))).toStrictEqual(decodeJson(text));
  });

  it('applies the contract defaults to absent fields', () => {
    const { signal } = decode(minimalPolitie());
    expect(signal).toStrictEqual({
      ...minimalPolitie(),
      violenceTypes: [],
      safety: 'ONBEKEND',
      childrenPresent: false,
      substantiated: true,
      persons: [{ ref: '1', role: 'ONBEKEND' }],
      relations: [],
      retracts: [],
    });
  });

  it('reads null and empty strings as absent, leaving no key behind', () => {
    const { signal } = decode(
      changed(minimalPolitie(), (s) => {
        s.category = null;
        s.safety = '';
        s.substantiated = null;
        s.violenceTypes = null;
        s.address = null;
        s.persons[0] = {
          ref: '1',
          bsn: '',
          familyName: null,
          initials: '',
          birthDate: '',
          role: null,
        };
      }),
    );
    expect(signal).toStrictEqual(decode(minimalPolitie()).signal);
    expect(Object.keys(signal.persons[0]!)).toEqual(['ref', 'role']);
  });

  it('keeps an explicit false for substantiated', () => {
    expect(
      decode(changed(minimalPolitie(), (s) => (s.substantiated = false))).signal.substantiated,
    ).toBe(false);
  });

  it('drops an address without any field', () => {
    const { signal } = decode(changed(minimalPolitie(), (s) => (s.address = { city: '' })));
    expect(signal).not.toHaveProperty('address');
  });

  it('gives an 8-digit BSN its leading zero', () => {
    const { signal, warnings } = decode(changed(melding(), (s) => (s.persons[0].bsn = '12345672')));
    expect(signal.persons[0]!.bsn).toBe('012345672');
    expect(warnings).toEqual([]);
  });

  it('keeps postcode, house letter and addition as written', () => {
    const address = { postcode: '3511ab', houseNumber: 7, houseLetter: 'a', addition: '- 2 /' };
    expect(decode(changed(melding(), (s) => (s.address = address))).signal.address).toStrictEqual(
      address,
    );
  });
});

describe('INVALID_BSN', () => {
  it('keeps the signal and its BSN, and names the person without the number', () => {
    const { signal, warnings } = decode(
      changed(melding(), (s) => (s.persons[1].bsn = '123456789')),
    );
    expect(signal.persons[1]!.bsn).toBe('123456789');
    expect(warnings.map((w) => w.code)).toEqual(['INVALID_BSN']);
    expect(warnings[0]!.message).toContain('persons[1]');
    expect(warnings[0]!.message).toContain('"k"');
    expect(warnings[0]!.message).not.toContain('123456789');
  });

  it.each(['1112223', '1112223334', '11122233X', '111-222-333'])(
    'keeps a signal whose BSN is not nine digits (%s), ignoring that BSN with a warning',
    (bsn) => {
      const { signal, warnings } = decode(changed(melding(), (s) => (s.persons[0].bsn = bsn)));
      expect(signal.persons[0]!.bsn).toBe(bsn);
      expect(warnings.map((w) => w.code)).toEqual(['INVALID_BSN']);
      expect(warnings[0]!.message).not.toContain(bsn);
    },
  );

  it('warns about the all-zero placeholder', () => {
    const { warnings } = decode(changed(melding(), (s) => (s.persons[0].bsn = '00000000')));
    expect(warnings.map((w) => w.code)).toEqual(['INVALID_BSN']);
  });

  it('warns once per failing person', () => {
    const { warnings } = decode(
      changed(melding(), (s) => {
        s.persons[0].bsn = '111222334';
        s.persons[1].bsn = '123456789';
      }),
    );
    expect(warnings.map((w) => w.code)).toEqual(['INVALID_BSN', 'INVALID_BSN']);
  });
});

describe('UNKNOWN_FIELDS_DROPPED', () => {
  const secret = 'Turks';
  it.each<[string, Parameters<typeof changed>[1], string]>([
    ['the signal', (s) => (s.nationaliteit = secret), 'nationaliteit'],
    ['a person', (s) => (s.persons[1].nationaliteit = secret), 'persons[1].nationaliteit'],
    ['a relation', (s) => (s.relations[0].sinds = secret), 'relations[0].sinds'],
    ['the address', (s) => (s.address.gemeente = { naam: secret }), 'address.gemeente'],
  ])('drops a field of %s and names it without its value', (_, addField, name) => {
    const { signal, warnings, droppedFields } = decode(changed(melding(), addField));
    expect(signal).toStrictEqual(decode(melding()).signal);
    expect(droppedFields).toBe(1);
    expect(warnings.map((w) => w.code)).toEqual(['UNKNOWN_FIELDS_DROPPED']);
    expect(warnings[0]!.message).toContain(name);
    expect(warnings[0]!.message).not.toContain(secret);
  });

  it('counts every dropped field but lists only the first ten', () => {
    const { droppedFields, warnings } = decode(
      changed(melding(), (s) => {
        for (let i = 0; i < 12; i++) s[`extra${i}`] = i;
      }),
    );
    expect(droppedFields).toBe(12);
    expect(warnings[0]!.message).toContain('extra9');
    expect(warnings[0]!.message).not.toContain('extra10');
    expect(warnings[0]!.message).toContain('2 more');
  });

  it('does not let __proto__ reach the signal', () => {
    const { signal, droppedFields } = decodeJson(
      JSON.stringify(minimalPolitie()).replace('{', '{"__proto__":{"polluted":true},'),
    );
    expect(droppedFields).toBe(1);
    expect(Object.getPrototypeOf(signal)).toBe(Object.prototype);
    expect((signal as unknown as Json).polluted).toBeUndefined();
  });
});

describe('INTREKKING', () => {
  it('needs only id, kind, receivedAt and retracts, and gets the defaults', () => {
    expect(decode(intrekking())).toStrictEqual({
      signal: {
        ...intrekking(),
        violenceTypes: [],
        safety: 'ONBEKEND',
        childrenPresent: false,
        substantiated: true,
        persons: [],
        relations: [],
      },
      warnings: [],
      droppedFields: 0,
    });
  });

  it('drops, unvalidated, the fields a withdrawal does not use, and counts them', () => {
    const full = changed(melding(), (s) => {
      s.kind = 'INTREKKING';
      s.occurredAt = 'not a timestamp';
      s.persons[0].bsn = 'not a BSN';
      s.regio = 'VT09';
    });
    const { signal, warnings, droppedFields } = decode(full);
    expect(signal).toStrictEqual({
      ...decode(intrekking()).signal,
      id: 'M-1',
      receivedAt: '2023-03-02T09:00:00Z',
      retracts: ['M-0'],
    });
    // The eleven contract fields a withdrawal does not use, and one outside the contract.
    expect(droppedFields).toBe(12);
    expect(warnings.map((w) => w.code)).toEqual(['UNKNOWN_FIELDS_DROPPED']);
    expect(warnings[0]!.message).toContain('persons');
  });

  it('does not count contract fields left empty or at their default, but does count unknown ones', () => {
    const withEmpties = {
      ...intrekking(),
      occurredAt: '',
      persons: [],
      safety: 'ONBEKEND',
      childrenPresent: false,
      substantiated: true,
      address: null,
      nationaliteit: null,
    };
    const { droppedFields } = decode(withEmpties);
    expect(droppedFields).toBe(1);
  });
});
