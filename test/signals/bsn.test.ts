import { describe, expect, it } from 'vitest';
import { isValidBsn } from '../../src/signals/index.js';

describe('isValidBsn', () => {
  it.each(['111222333', '123456782', '012345672', '999999990'])('accepts %s', (bsn) => {
    expect(isValidBsn(bsn)).toBe(true);
  });

  it.each([
    ['a failing check digit', '123456789'],
    ['two swapped digits', '112122333'],
    ['all zeros', '000000000'],
    ['eight digits', '12345672'],
    ['ten digits', '1112223330'],
    ['a letter', '11122233A'],
    ['the empty string', ''],
  ])('rejects %s', (_, bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });
});
