// Sweden's 21 counties (län) with SCB county code and NUTS 2021 level-3 code. Feeds name a county in any of these
// ways: SR VMA geocode "Län" 14, SMHI affectedAreas id 14, CAP geocode NUTS3 SE232, Krisinformation
// Area Description "Västra Götalands län", SMHI English "Västra Götaland County".

export interface SwedishCounty {
  code: string;
  nuts3: string;
  name: string;
  shortName: string;
}

export const SWEDISH_COUNTIES: readonly SwedishCounty[] = [
  { code: '01', nuts3: 'SE110', name: 'Stockholms län', shortName: 'Stockholm' },
  { code: '03', nuts3: 'SE121', name: 'Uppsala län', shortName: 'Uppsala' },
  { code: '04', nuts3: 'SE122', name: 'Södermanlands län', shortName: 'Södermanland' },
  { code: '05', nuts3: 'SE123', name: 'Östergötlands län', shortName: 'Östergötland' },
  { code: '06', nuts3: 'SE211', name: 'Jönköpings län', shortName: 'Jönköping' },
  { code: '07', nuts3: 'SE212', name: 'Kronobergs län', shortName: 'Kronoberg' },
  { code: '08', nuts3: 'SE213', name: 'Kalmar län', shortName: 'Kalmar' },
  { code: '09', nuts3: 'SE214', name: 'Gotlands län', shortName: 'Gotland' },
  { code: '10', nuts3: 'SE221', name: 'Blekinge län', shortName: 'Blekinge' },
  { code: '12', nuts3: 'SE224', name: 'Skåne län', shortName: 'Skåne' },
  { code: '13', nuts3: 'SE231', name: 'Hallands län', shortName: 'Halland' },
  { code: '14', nuts3: 'SE232', name: 'Västra Götalands län', shortName: 'Västra Götaland' },
  { code: '17', nuts3: 'SE311', name: 'Värmlands län', shortName: 'Värmland' },
  { code: '18', nuts3: 'SE124', name: 'Örebro län', shortName: 'Örebro' },
  { code: '19', nuts3: 'SE125', name: 'Västmanlands län', shortName: 'Västmanland' },
  { code: '20', nuts3: 'SE312', name: 'Dalarnas län', shortName: 'Dalarna' },
  { code: '21', nuts3: 'SE313', name: 'Gävleborgs län', shortName: 'Gävleborg' },
  { code: '22', nuts3: 'SE321', name: 'Västernorrlands län', shortName: 'Västernorrland' },
  { code: '23', nuts3: 'SE322', name: 'Jämtlands län', shortName: 'Jämtland' },
  { code: '24', nuts3: 'SE331', name: 'Västerbottens län', shortName: 'Västerbotten' },
  { code: '25', nuts3: 'SE332', name: 'Norrbottens län', shortName: 'Norrbotten' },
];

/** "14", 14, "4" and 4 all become "14"/"04": SCB codes are two digits with a leading zero. */
export function normaliseCountyCode(code: string | number): string | null {
  const text = String(code).trim();
  if (!/^\d{1,2}$/.test(text)) return null;
  return text.padStart(2, '0');
}

/** "1470" and 1470 become "1470"; Stockholm's municipalities start with 01 and lose it as numbers. */
export function normaliseMunicipalityCode(code: string | number): string | null {
  const text = String(code).trim();
  if (!/^\d{3,4}$/.test(text)) return null;
  return text.padStart(4, '0');
}

function nameKey(name: string): string {
  return name
    .normalize('NFC')
    .toLocaleLowerCase('sv-SE')
    .replace(/\s+(län|lan|county)$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const BY_NAME: ReadonlyMap<string, SwedishCounty> = (() => {
  const map = new Map<string, SwedishCounty>();
  for (const county of SWEDISH_COUNTIES) {
    map.set(nameKey(county.name), county);
    map.set(nameKey(county.shortName), county);
  }
  return map;
})();

/** The county a feed names, or null: accepts "Västra Götalands län", "Västra Götaland", "Västra Götaland County". */
export function countyByName(name: string): SwedishCounty | null {
  return BY_NAME.get(nameKey(name)) ?? null;
}

export function countyByNuts3(nuts3: string): SwedishCounty | null {
  const key = nuts3.trim().toUpperCase();
  return SWEDISH_COUNTIES.find((c) => c.nuts3 === key) ?? null;
}

export function countyByCode(code: string | number): SwedishCounty | null {
  const key = normaliseCountyCode(code);
  return key === null ? null : (SWEDISH_COUNTIES.find((c) => c.code === key) ?? null);
}
