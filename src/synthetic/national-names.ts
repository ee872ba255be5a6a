import { at } from '../at.js';
/**
 * Family names as Veilig Thuis and the police really write them: Dutch
 * surname particles in every order, Turkish, Polish, Scandinavian and
 * Vietnamese letters with and without their diacritics, typographic and
 * straight apostrophes. Every spelling of one name normalises to the same
 * key under CONTRACT §2, so a radar that follows the contract links them.
 */

/** One name and the ways it gets written; `spellings[0]` is how the municipality registers it. */
export interface NameSpellings {
  spellings: readonly string[];
}

/** Names whose letters carry the mess: each line is one name, every entry a spelling of it. */
const WRITTEN_VARIOUSLY: readonly (readonly string[])[] = [
  ['Yılmaz', 'Yilmaz', 'YILMAZ'],
  ['Şahin', 'Sahin', 'ŞAHIN'],
  ['Çelik', 'Celik', 'ÇELİK'],
  ['Öztürk', 'Ozturk', 'ÖZTÜRK', 'Özturk'],
  ['Doğan', 'Dogan', 'DOĞAN'],
  ['Kılıç', 'Kilic', 'KILIÇ'],
  ['Aydın', 'Aydin', 'AYDIN'],
  ['Wiśniewski', 'Wisniewski', 'WIŚNIEWSKI'],
  ['Łukasz', 'Lukasz', 'ŁUKASZ'],
  ['Łukaszewicz', 'Lukaszewicz'],
  ['Wójcik', 'Wojcik'],
  ['Kowalczyk', 'KOWALCZYK'],
  ['Øster', 'Oster', 'ØSTER'],
  ['Sørensen', 'Sorensen'],
  ['Ærtsen', 'Aertsen'],
  ['Groß', 'Gross'],
  ['Müller', 'Muller'],
  ['Nguyễn', 'Nguyen', 'NGUYỄN'],
  ['Trần', 'Tran'],
  ['Đặng', 'Dang'],
  ['Phạm', 'Pham'],
  ['van ’t Hek', "van 't Hek", "Van 't Hek", 'Hek, van ’t', 'van ‘t Hek', 'van ʼt Hek'],
  ['van ’t Hof', "van 't Hof", "Van 't Hof", "Hof, van 't"],
  ['in ’t Veld', "in 't Veld", "In 't Veld", "Veld, in 't"],
  ["op 't Land", 'op ’t Land', "Land, op 't"],
  ['El Amrani', 'El-Amrani', 'el Amrani', 'EL AMRANI'],
  ['Aït Taleb', 'Ait Taleb', 'Ait-Taleb'],
  ['Jansen-de Vries', 'Jansen - de Vries', 'Jansen de Vries', 'JANSEN-DE VRIES'],
  ['de la Cruz', 'De la Cruz', 'Cruz, de la'],
  ['Le Clercq', 'le Clercq', 'Clercq, le'],
  ['du Pré', 'Du Pré', 'du Pre', 'Pré, du'],
  ['von Bülow', 'Von Bülow', 'von Bulow', 'Bülow, von'],
  ['Doelwijt', 'DOELWIJT'],
  ['Martina', 'MARTINA'],
];

const PARTICLES = ['van', 'de', 'van der', 'van den', 'van de', 'ter', 'ten', 'den', 'in de'];
const ROOTS = [
  'Vries',
  'Jans',
  'Berg',
  'Bakk',
  'Viss',
  'Smit',
  'Meij',
  'Boer',
  'Muld',
  'Bos',
  'Dijk',
  'Hoek',
  'Brink',
  'Kok',
  'Wit',
  'Pieter',
  'Dekk',
  'Leeuw',
  'Hend',
  'Koster',
  'Prins',
  'Huis',
  'Peet',
  'Kuip',
  'Veen',
  'Graaf',
  'Vos',
  'Sant',
  'Mol',
  'Wouter',
  'Haan',
  'Groot',
  'Klein',
  'Lange',
  'Brouw',
  'Kramer',
  'Schou',
  'Hout',
  'Akker',
  'Steen',
];
const ENDINGS = [
  '',
  'en',
  'er',
  'ink',
  'ema',
  'stra',
  'man',
  'sen',
  'ers',
  'hof',
  'kamp',
  'ouw',
  'huis',
  'veld',
  'ing',
  'dam',
];

/** `van der Berg` as it is registered, and as forms and police officers also write it. */
function particleSpellings(particle: string, root: string): string[] {
  const upperFirst = at(particle, 0).toUpperCase() + particle.slice(1);
  return [
    `${particle} ${root}`,
    `${upperFirst} ${root}`,
    `${root}, ${particle}`,
    `${root} ${particle}`,
    `${particle} ${root}`.toUpperCase(),
  ];
}

function buildNames(): NameSpellings[] {
  const names: NameSpellings[] = [];
  for (const root of ROOTS) {
    for (const ending of ENDINGS) {
      const plain = `${root}${ending}`;
      names.push({ spellings: [plain, plain.toUpperCase()] });
      for (const particle of PARTICLES) {
        names.push({ spellings: particleSpellings(particle, plain) });
      }
    }
  }
  return names;
}

/** About 6,400 Dutch names with and without particles. */
export const DUTCH_NAMES: readonly NameSpellings[] = buildNames();
/** The names whose letters or apostrophes are written in more than one way. */
export const VARIOUS_NAMES: readonly NameSpellings[] = WRITTEN_VARIOUSLY.map((spellings) => ({
  spellings,
}));
