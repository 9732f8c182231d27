// The published catalogue of exchange services (R16, Appendix I of the draft circular), which the
// population-DB agency updates once a year (R24): bump `version` and `publishedAt` when it changes.
// The field mode says how a service touches the granted fields: `disclose` returns their values,
// `match` only answers whether the caller's values match, and ReportDataError reads none (R37).

export type FieldMode = 'disclose' | 'match';
export const FIELD_MODES: readonly FieldMode[] = Object.freeze(['disclose', 'match']);

export const SERVICES = {
  Lookup: { mode: 'disclose', description: 'Read the granted fields of one citizen by personal id.' },
  BatchLookup: { mode: 'disclose', description: 'Read the granted fields of many citizens in one call.' },
  Verify: {
    mode: 'match',
    description: "Check the caller's values of the granted fields against the population DB: match or no match, no values.",
  },
  WatchChanges: {
    mode: 'disclose',
    description: 'Receive changes to the granted fields of the citizens the agreement covers, as they happen.',
  },
  ReportDataError: { mode: null, description: 'Report an error found in shared data to the population-DB agency (R37).' },
  SelfService: {
    mode: 'disclose',
    description: 'For citizen portals: a citizen reads their own record and who read it (R8, R39), for purpose CITIZEN_SELF_SERVICE.',
  },
} as const satisfies Record<string, { mode: FieldMode | null; description: string }>;

export type ServiceName = keyof typeof SERVICES;

export const SERVICE_NAMES = Object.freeze(Object.keys(SERVICES) as ServiceName[]);

export function isService(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}

/** The field mode a service needs a grant to carry, or null when it reads no citizen field. */
export function serviceMode(service: ServiceName): FieldMode | null {
  return SERVICES[service].mode;
}

export interface ServiceCatalogue {
  version: string;
  publishedAt: string;
  services: { name: ServiceName; mode: FieldMode | null; description: string }[];
}

export const SERVICE_CATALOGUE: ServiceCatalogue = Object.freeze({
  version: '2026.1',
  publishedAt: '2026-01-01',
  services: SERVICE_NAMES.map((name) => ({ name, ...SERVICES[name] })),
});
