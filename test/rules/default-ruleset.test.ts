/**
 * The shipped ruleset in `rules/`: it loads cleanly, every rule has a
 * regression fixture (Sigma-style), and a backtest of each fixture (where
 * its signals form one household, `H1`) raises exactly its expected
 * indicators: the code `radar rules test` runs. The fixtures are built
 * so that a near miss sits next to each hit; the expected files were worked
 * out by hand:
 *
 * - hermelding: HM-1 → HM-3 is 1096 days, one too many; HM-5 fires over HM-3.
 * - herhaald-partnergeweld: PG-3 (police, no category) and PG-4 (advice) do
 *   not count; at PG-5 PG-1 is 366 days back, so only PG-6 reaches three.
 * - meerdere-bronnen: at MB-4 the GGZ signal MB-1 is a day too old and
 *   ONDERWIJS twice counts once; HUISARTS at MB-5 makes three.
 * - acuut-onveilig-minderjarige: AO-1's child turns 18 that very day, AO-2 is
 *   structurally unsafe; AO-3 fires and AO-4 (75 days later) extends it.
 * - advies-dan-politie-met-kinderen: AP-2 comes 91 days after AP-1; AP-3 has no
 *   children present; AP-4 then AP-5 fires, and AP-2, a matching police
 *   signal inside the window, is in signalIds too.
 * - financiele-uitbuiting-oudere: on FU-1's date the person is 64; FU-2 (her
 *   65th birthday) and FU-4 make two.
 * - kind-herhaald-getuige: KG-1 → KG-2 is 181 days; KG-3 has no witness; KG-4
 *   fires over KG-2.
 * - gewogen-zorgscore: at ZS-4 the weight-3 ZS-1 is one day too old (2+0+4=6);
 *   ZS-5 makes 2+0+4+2=8; ZS-3 weighs 0 and is left out of signalIds.
 * - ongefundeerde-politiemutaties: OP-4 is exactly 365 days after OP-1, still
 *   inside; OP-2 is substantiated; at OP-5 OP-3 is too old.
 * - partner-en-kindermishandeling: PK-1 → PK-2 is 366 days; PK-3 matches no
 *   step; PK-4 fires and PK-5 extends the episode.
 * - politie-kinderen-zonder-opvolging: PZ-2 comes exactly 30 days after PZ-1
 *   and still fills the gap; PZ-3 has no children; PZ-6 comes 31 days after
 *   PZ-4 (fires on day 30, 31 August) but 17 after PZ-5; PZ-7 and PZ-8 have no
 *   follow-up at all and form one episode, PZ-8's absence ending after the
 *   last signal of the fixture.
 * - nieuwe-medische-melder: NM-1 is new; NM-2 repeats HUISARTS; NM-3 and NM-8
 *   fail the filter; NM-4 (ZIEKENHUIS) is new; NM-5 repeats NM-2's HUISARTS;
 *   NM-6 comes exactly 730 days after NM-5, still inside; NM-7's ZIEKENHUIS
 *   is 732 days after NM-4: new again.
 * - escalatie-meerdere-hoog: kind-herhaald-getuige/ES-2 and
 *   partner-en-kindermishandeling/ES-4 are 188 days apart; meerdere-bronnen/ES-4
 *   is raised the same day but is midden; kind-herhaald-getuige/ES-6 with
 *   partner-en-kindermishandeling/ES-4, 149 days before it, fires.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRuleFixture } from '../../src/analysis/rule-fixtures.js';
import { loadRuleset } from '../../src/rules/index.js';
import { readExpected, readSignals } from './fixtures.js';

const rulesDir = fileURLToPath(new URL('../../rules/', import.meta.url));
const fixturesDir = `${rulesDir}fixtures/`;
const ruleset = await loadRuleset(rulesDir);

describe('the default ruleset', () => {
  it('holds at least eight rules, one per file named after its id, each saying why it exists', () => {
    expect(ruleset.rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of ruleset.rules) {
      expect(basename(ruleset.sources.get(rule.id)!.file)).toBe(`${rule.id}.yaml`);
      expect(rule.description?.length).toBeGreaterThan(40);
    }
  });

  it('has a fixture and an expected file for every rule, and none for rules that do not exist', () => {
    const fixtures = readdirSync(fixturesDir);
    const ids = ruleset.rules.map((r) => r.id).sort();
    expect(
      fixtures
        .filter((f) => f.endsWith('.expected.ndjson'))
        .map((f) => f.replace('.expected.ndjson', ''))
        .sort(),
    ).toEqual(ids);
    expect(
      fixtures
        .filter((f) => !f.endsWith('.expected.ndjson'))
        .map((f) => f.replace('.ndjson', ''))
        .sort(),
    ).toEqual(ids);
  });

  it.each(ruleset.rules.map((r) => r.id))(
    '%s: a backtest of its fixture raises exactly the expected indicators (as `radar rules test`)',
    async (id) => {
      // Every line a contract-valid signal without warnings (an invalid BSN would link nothing).
      expect(readSignals(`${fixturesDir}${id}.ndjson`).length).toBeGreaterThan(0);
      const result = await runRuleFixture(ruleset, id, fixturesDir);
      expect(result.problems).toEqual([]);
      expect(result.actual).toEqual(readExpected(`${fixturesDir}${id}.expected.ndjson`));
      expect(result.pass).toBe(true);
    },
  );
});
