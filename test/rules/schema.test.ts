/** The shipped JSON Schema must say what the code and the signal contract say, or editors mislead analysts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import schema from '../../rules/schema/rule.schema.json' with { type: 'json' };
import {
  CONDITION_OPERATORS,
  CORRELATION_TYPES,
  FILTER_KEYS,
  INDICATOR_FIELDS,
  LEVELS,
} from '../../src/rules/index.js';
import {
  CATEGORIES,
  REGIONS,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
} from '../../src/signals/types.js';

const defs = schema.definitions;

describe('rules/schema/rule.schema.json', () => {
  it('lists the contract’s enum values', () => {
    expect(defs.kind.enum).toEqual([...SIGNAL_KINDS]);
    expect(defs.source.enum).toEqual([...SOURCES]);
    expect(defs.region.enum).toEqual([...REGIONS]);
    expect(defs.category.enum).toEqual([...CATEGORIES]);
    expect(defs.violenceType.enum).toEqual([...VIOLENCE_TYPES]);
    expect(defs.safety.enum).toEqual([...SAFETY_LEVELS]);
  });

  it('lists the rule model’s keys and values', () => {
    expect(schema.properties.level.enum).toEqual([...LEVELS]);
    expect(Object.keys(defs.filter.properties)).toEqual([...FILTER_KEYS]);
    expect(Object.keys(defs.condition.properties)).toEqual([...CONDITION_OPERATORS]);
    expect(defs.correlation.oneOf.map((branch) => branch.properties.type.const)).toEqual([
      ...CORRELATION_TYPES,
    ]);
    expect(defs.field.enum).toEqual([...FILTER_KEYS, ...INDICATOR_FIELDS]);
    expect(defs.level.enum).toEqual([...LEVELS]);
    expect(Object.keys(defs.indicatorFilter.properties.indicator.properties)).toEqual([
      'rule',
      'level',
    ]);
  });

  it('is what the shipped rules point their editors at', () => {
    const hint = readFileSync(new URL('../../rules/hermelding.yaml', import.meta.url), 'utf8');
    expect(hint.split('\n')[0]).toBe('# yaml-language-server: $schema=schema/rule.schema.json');
  });
});
