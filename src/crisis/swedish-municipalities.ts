// Municipality (kommun) names by SCB code, so that feeds which name a place in words (Krisinformation Area
// {Type: "Municipality", Description: "Vara kommun"}) can be matched against a sign configured by code (1470).
// Västra Götalands län (county 14) is listed, where Skylt's signs stand; a sign elsewhere can carry its
// municipality name in its SignLocation instead.

const MUNICIPALITY_NAMES: Readonly<Record<string, string>> = {
  '1401': 'Härryda',
  '1402': 'Partille',
  '1407': 'Öckerö',
  '1415': 'Stenungsund',
  '1419': 'Tjörn',
  '1421': 'Orust',
  '1427': 'Sotenäs',
  '1430': 'Munkedal',
  '1435': 'Tanum',
  '1438': 'Dals-Ed',
  '1439': 'Färgelanda',
  '1440': 'Ale',
  '1441': 'Lerum',
  '1442': 'Vårgårda',
  '1443': 'Bollebygd',
  '1444': 'Grästorp',
  '1445': 'Essunga',
  '1446': 'Karlsborg',
  '1447': 'Gullspång',
  '1452': 'Tranemo',
  '1460': 'Bengtsfors',
  '1461': 'Mellerud',
  '1462': 'Lilla Edet',
  '1463': 'Mark',
  '1465': 'Svenljunga',
  '1466': 'Herrljunga',
  '1470': 'Vara',
  '1471': 'Götene',
  '1472': 'Tibro',
  '1473': 'Töreboda',
  '1480': 'Göteborg',
  '1481': 'Mölndal',
  '1482': 'Kungälv',
  '1484': 'Lysekil',
  '1485': 'Uddevalla',
  '1486': 'Strömstad',
  '1487': 'Vänersborg',
  '1488': 'Trollhättan',
  '1489': 'Alingsås',
  '1490': 'Borås',
  '1491': 'Ulricehamn',
  '1492': 'Åmål',
  '1493': 'Mariestad',
  '1494': 'Lidköping',
  '1495': 'Skara',
  '1496': 'Skövde',
  '1497': 'Hjo',
  '1498': 'Tidaholm',
  '1499': 'Falköping',
};

/** The municipality's name without "kommun" ("Vara" for 1470), or null when the code is not listed. */
export function municipalityNameByCode(code: string): string | null {
  return MUNICIPALITY_NAMES[code] ?? null;
}

function bareName(name: string): string {
  return name
    .normalize('NFC')
    .toLocaleLowerCase('sv-SE')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/ (kommun|stad|municipality)$/u, '')
    .trim();
}

/**
 * Whether two ways of writing a municipality name mean the same one: "Vara kommun", "Vara", "VARA KOMMUN";
 * "Lidköpings kommun" and "Lidköping" (the genitive -s of the official name). "Borås" keeps its own s.
 */
export function sameMunicipalityName(a: string, b: string): boolean {
  const x = bareName(a);
  const y = bareName(b);
  return x !== '' && (x === y || x === `${y}s` || `${x}s` === y);
}
