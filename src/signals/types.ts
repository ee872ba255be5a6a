/**
 * The signal as the radar core sees it: the contract's `Signal` after decoding,
 * validation and normalisation of defaults. Both the JSON and the protobuf
 * decoder produce exactly this shape, so the rest of the radar never knows
 * which wire format a signal came in.
 */

export const SIGNAL_KINDS = ['ADVIESVRAAG', 'MELDING', 'POLITIE', 'INTREKKING'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const REGIONS = Array.from(
  { length: 26 },
  (_, i) => `VT${String(i + 1).padStart(2, '0')}`,
) as readonly string[];

export const SOURCES = [
  'POLITIE',
  'JUSTITIE',
  'HUISARTS',
  'ZIEKENHUIS',
  'GGZ',
  'JGZ',
  'KINDEROPVANG',
  'ONDERWIJS',
  'JEUGDZORG',
  'MAATSCHAPPELIJK_WERK',
  'WIJKTEAM',
  'BURGER',
  'ANONIEM',
  'OVERIG',
] as const;
export type Source = (typeof SOURCES)[number];

export const CATEGORIES = [
  'KINDERMISHANDELING',
  'PARTNERGEWELD',
  'EX_PARTNERGEWELD',
  'OUDERENMISHANDELING',
  'OUDERMISHANDELING',
  'OVERIG_HUISELIJK_GEWELD',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const VIOLENCE_TYPES = [
  'LICHAMELIJK',
  'PSYCHISCH',
  'SEKSUEEL',
  'VERWAARLOZING',
  'FINANCIELE_UITBUITING',
  'STALKING',
  'EERGERELATEERD',
  'HUWELIJKSDWANG',
  'VGV',
  'KIND_GETUIGE',
  'MENSENHANDEL',
] as const;
export type ViolenceType = (typeof VIOLENCE_TYPES)[number];

export const SAFETY_LEVELS = [
  'ONBEKEND',
  'VEILIG',
  'ONVEILIG_STRUCTUREEL',
  'ONVEILIG_ACUUT',
] as const;
export type Safety = (typeof SAFETY_LEVELS)[number];

export const ROLES = ['SLACHTOFFER', 'PLEGER', 'BETROKKENE', 'ONBEKEND'] as const;
export type Role = (typeof ROLES)[number];

export const RELATION_TYPES = [
  'PARTNER',
  'EX_PARTNER',
  'OUDER_VAN',
  'BROER_ZUS',
  'VERZORGER_VAN',
  'FAMILIE',
] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

export interface Person {
  ref: string;
  /** Nine digits (an 8-digit BSN got its leading zero); present even when it fails the elfproef. */
  bsn?: string;
  familyName?: string;
  initials?: string;
  /** `YYYY-MM-DD` */
  birthDate?: string;
  role: Role;
}

export interface Relation {
  from: string;
  to: string;
  type: RelationType;
}

export interface Address {
  postcode?: string;
  houseNumber?: number;
  houseLetter?: string;
  addition?: string;
  city?: string;
}

/** Optional fields are absent, never `undefined`-valued keys, so canonical forms compare equal. */
export interface Signal {
  id: string;
  kind: SignalKind;
  /** RFC 3339 as received; absent only for INTREKKING. */
  occurredAt?: string;
  receivedAt: string;
  region?: string;
  source?: Source;
  category?: Category;
  violenceTypes: ViolenceType[];
  safety: Safety;
  childrenPresent: boolean;
  substantiated: boolean;
  persons: Person[];
  relations: Relation[];
  address?: Address;
  retracts: string[];
}

/** Something about an accepted signal a professional should know; never a rejection. */
export interface SignalWarning {
  code: 'INVALID_BSN' | 'UNKNOWN_FIELDS_DROPPED';
  message: string;
}

/** A signal that passed validation, with what decoding noticed on the way. */
export interface AcceptedSignal {
  signal: Signal;
  warnings: SignalWarning[];
  /** How many fields outside the contract were dropped at the door. */
  droppedFields: number;
}
