// Usage reports per agreement, day and service (R23: non-state requesters pay; quotas bound
// everyone), read from the quota leases (quota-lease.ts). Metering follows the work: a unit is
// one citizen answered or checked (a BatchLookup of 100 citizens is 100 units) or one change a
// WatchChanges stream delivered. Allowed units are what each lease's holder wrote as used — up to
// FLUSH_MS old for a lease still held — and the whole block for a lease whose holder stopped
// writing without releasing it (a crashed instance: those units may have been answered).
import type { Collection } from 'mongodb';
import { type QuotaDocument, type ServiceCounts, STALE_MS } from './quota-lease.ts';
import type { ServiceName } from './service-catalogue.ts';

export interface UsageDay {
  day: string;
  allowed: number;
  refused: number;
  /** Allowed and refused units per service. */
  services: Partial<Record<ServiceName, { allowed: number; refused: number }>>;
  /** Of `allowed`: units of leases a crashed instance held, counted as used without a service. */
  unaccounted: number;
}

export interface UsageReport {
  agreementId: string;
  from: string;
  to: string;
  days: UsageDay[];
  total: { allowed: number; refused: number };
}

/** The longest span one report reads. */
export const MAX_REPORT_DAYS = 400;

/** Every day from `from` to `to` inclusive (`YYYY-MM-DD`), or null when the span is not one. */
export function daysBetween(from: string, to: string): string[] | null {
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || Number.isNaN(start) || Number.isNaN(end) || end < start)
    return null;
  const days: string[] = [];
  for (let t = start; t <= end && days.length <= MAX_REPORT_DAYS; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days.length > MAX_REPORT_DAYS ? null : days;
}

/** Units per day with any, from the first to the last of `days`. One range read by `_id`. */
export async function reportUsage(
  leases: Collection<QuotaDocument>,
  agreementId: string,
  days: readonly string[],
  now: Date,
): Promise<UsageDay[]> {
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return [];
  const byDay = new Map<string, UsageDay>();
  const documents = leases.find({ _id: { $gte: `${agreementId}/${first}/`, $lt: `${agreementId}/${last}/\uffff` } });
  for await (const document of documents) {
    if (document.agreementId !== agreementId) continue;
    let day = byDay.get(document.day);
    if (!day) {
      day = { day: document.day, allowed: 0, refused: 0, services: {}, unaccounted: 0 };
      byDay.set(document.day, day);
    }
    if (document.kind === 'refused') {
      day.refused += document.refused;
      add(day, document.services, 'refused');
      continue;
    }
    const crashed = !document.released && now.getTime() - new Date(document.writtenAt).getTime() > STALE_MS;
    day.allowed += crashed ? document.units : document.used;
    if (crashed) day.unaccounted += document.units - document.used;
    add(day, document.services, 'allowed');
  }
  return days.flatMap((day) => {
    const counted = byDay.get(day);
    return counted && counted.allowed + counted.refused > 0 ? [counted] : [];
  });
}

function add(day: UsageDay, counts: ServiceCounts, decision: 'allowed' | 'refused'): void {
  for (const [service, units] of Object.entries(counts) as [ServiceName, number][]) {
    day.services[service] ??= { allowed: 0, refused: 0 };
    const line = day.services[service];
    line[decision] += units;
  }
}
