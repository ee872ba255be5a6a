/** Rule inputs packed for the workers must come back exactly as they went. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packHouseholds, unpackHouseholds } from '../../src/rules/packed-households.js';
import { toRuleInput, type RuleInput } from '../../src/rules/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';

const inputs: RuleInput[] = [
  ...generateSignalLines({ count: 400, seed: 9, malformed: 0, withdrawn: 0 }),
].map((line) => toRuleInput(decodeJson(line).signal));

describe('packed households', () => {
  it('property: unpack gives back every household and input, fields, order and lists as they were', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: 6 }), {
          maxLength: 30,
        }),
        (groups) => {
          const households = groups.map((members, h) => ({
            id: `H-${h}`,
            inputs: members.map((i) => inputs[i]!),
          }));
          expect(unpackHouseholds(packHouseholds(households))).toEqual(households);
        },
      ),
    );
  });

  it('keeps absent enums absent and flags apart', () => {
    const [sample] = inputs;
    const bare: RuleInput = {
      ...sample!,
      source: undefined,
      region: undefined,
      category: undefined,
      childrenPresent: true,
      substantiated: false,
      minorInvolved: false,
      elderInvolved: true,
      violenceTypes: ['VGV', 'LICHAMELIJK', 'VGV'],
    };
    const households = [{ id: 'H', inputs: [bare] }];
    expect(unpackHouseholds(packHouseholds(households))).toEqual(households);
  });

  it('refuses a value outside the contract instead of packing something else', () => {
    const odd = { ...inputs[0]!, region: 'VT27' };
    expect(() => packHouseholds([{ id: 'H', inputs: [odd] }])).toThrow(
      expect.objectContaining({
        code: 'VALUE_OUTSIDE_CONTRACT',
        message: expect.stringMatching(/region VT27/),
      }),
    );
  });
});
