import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { JournalWriter } from './journal-entry.ts';
import { JournalUnavailable } from './journal-error.ts';
import { JournalMetrics } from './journal-metrics.ts';

describe("the journal's metrics", () => {
  it('R35: count every failed append by writer, and time the ones that succeed, on one set of metrics per registry', async () => {
    const registry = new Registry();
    let up = false;
    const journal: JournalWriter = {
      append: async () =>
        up ? { chain: 'hub', sequence: 1, hash: 'h' } : Promise.reject(new JournalUnavailable('the store does not answer')),
    };
    const exchange = JournalMetrics.on(registry).timed(journal, 'exchange');
    const ingest = JournalMetrics.on(registry).timed(journal, 'ingest');
    const entry = { act: 'exchange' as const, action: 'Lookup', actor: {}, citizens: [], fields: [], decision: 'allowed' as const };
    await expect(exchange.append(entry)).rejects.toBeInstanceOf(JournalUnavailable);
    await expect(exchange.append(entry)).rejects.toBeInstanceOf(JournalUnavailable);
    up = true;
    await expect(ingest.append(entry)).resolves.toEqual({ chain: 'hub', sequence: 1, hash: 'h' });
    const text = await registry.metrics();
    expect(text).toContain('dancu_journal_append_failures_total{writer="exchange"} 2');
    expect(text).toContain('dancu_journal_append_failures_total{writer="ingest"} 0');
    expect(text).toContain('dancu_journal_append_duration_seconds_count 3');
  });
});
