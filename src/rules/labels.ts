/** Dutch words for filter keys and values, so explanations read as text rather than code. */
import type { FieldValue } from './filter.js';
import type { CountedField, FilterKey } from './types.js';

const KEY_LABEL: Record<FilterKey, string> = {
  kind: 'soort',
  source: 'bron',
  region: 'regio',
  category: 'categorie',
  violenceTypes: 'vorm van geweld',
  safety: 'veiligheid',
  childrenPresent: 'kinderen aanwezig',
  substantiated: 'onderbouwd',
  minorInvolved: 'minderjarige betrokken',
  elderInvolved: '65-plusser betrokken',
};

const KIND_LABEL: Record<string, string> = {
  ADVIESVRAAG: 'adviesvraag',
  MELDING: 'melding',
  POLITIE: 'politiesignaal',
  INTREKKING: 'intrekking',
};

/** Where lower case with spaces would misspell the Dutch word. */
const VALUE_LABEL: Record<string, string> = {
  EX_PARTNERGEWELD: 'ex-partnergeweld',
  FINANCIELE_UITBUITING: 'financiële uitbuiting',
  VGV: 'vrouwelijke genitale verminking',
};

export function keyLabel(key: FilterKey): string {
  return KEY_LABEL[key];
}

/** A counted field: a filter key, or a field of indicators for a rule on indicators. */
export function fieldLabel(field: CountedField): string {
  if (field === 'rule') return 'regel';
  if (field === 'level') return 'niveau';
  return KEY_LABEL[field];
}

/** `ONVEILIG_ACUUT` → `onveilig acuut`, `true` → `ja`; regions stay `VT09`. */
export function valueLabel(key: FilterKey, value: FieldValue): string {
  if (typeof value === 'boolean') return value ? 'ja' : 'nee';
  if (key === 'region') return value;
  if (key === 'kind') return KIND_LABEL[value] ?? value;
  return VALUE_LABEL[value] ?? value.toLowerCase().replaceAll('_', ' ');
}
