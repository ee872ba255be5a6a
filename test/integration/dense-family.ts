/**
 * One household that every rule of the shipped ruleset fires on, signalled
 * over and over within a few months: each batch of its signals updates the
 * same indicators, whose signal ids and explanations grow with every signal,
 * so the indicator events of a batch grow with the backlog. Synthetic
 * persons: the BSNs are made-up numbers that pass the elfproef.
 */
const KINDS = ['MELDING', 'POLITIE', 'ADVIESVRAAG'] as const;
const SOURCES = ['POLITIE', 'HUISARTS', 'ONDERWIJS', 'WIJKTEAM', 'JGZ', 'BURGER'];
const START = Date.parse('2023-01-01T00:00:00Z');
const HOUR = 3_600_000;

export function denseFamilyLines(count: number, idPrefix = 'D'): string[] {
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    const kind = KINDS[n % KINDS.length]!;
    // Within 60 days, so every signal is in every rule's window.
    const occurred = new Date(START + ((n * HOUR) % (60 * 24 * HOUR)));
    const received = new Date(occurred.getTime() + HOUR);
    lines.push(
      JSON.stringify({
        id: `${idPrefix}-${String(n).padStart(6, '0')}`,
        kind,
        occurredAt: occurred.toISOString(),
        receivedAt: received.toISOString(),
        region: 'VT09',
        source: kind === 'POLITIE' ? 'POLITIE' : SOURCES[n % SOURCES.length],
        category: n % 2 === 0 ? 'PARTNERGEWELD' : 'KINDERMISHANDELING',
        violenceTypes: ['KIND_GETUIGE', 'FINANCIELE_UITBUITING'],
        safety: n % 2 === 0 ? 'ONVEILIG_ACUUT' : 'ONVEILIG_STRUCTUREEL',
        childrenPresent: true,
        substantiated: n % 3 !== 0,
        persons: [
          { ref: '1', bsn: '744125108', birthDate: '1990-04-02', role: 'SLACHTOFFER' },
          { ref: '2', bsn: '478362651', birthDate: '1988-07-19', role: 'PLEGER' },
          { ref: '3', bsn: '397471373', birthDate: '2016-01-06', role: 'BETROKKENE' },
          { ref: '4', bsn: '048667559', birthDate: '1948-11-30', role: 'BETROKKENE' },
        ],
        relations: [{ from: '1', to: '2', type: 'PARTNER' }],
        address: { postcode: '3511AB', houseNumber: 12 },
      }),
    );
  }
  return lines;
}
