import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS } from '../../proto/reasons.ts';

/** The reason table atop exchange.proto: `//   REASON   STATUS   when`, after its header line. */
function protoReasons(): Record<string, string> {
  const proto = readFileSync(new URL('../../proto/dancu/exchange/v1/exchange.proto', import.meta.url), 'utf8');
  const lines = proto.split('\n');
  const header = lines.findIndex((line) => /^\/\/\s+reason\s+status\s+when$/.test(line));
  expect(header, 'the reason table header in exchange.proto').toBeGreaterThan(0);
  const table: Record<string, string> = {};
  for (const line of lines.slice(header + 1)) {
    const row = /^\/\/\s+([A-Z][A-Z_]+)\s+([A-Z][A-Z_]+)\s+\S/.exec(line);
    if (!row) break;
    table[row[1]!] = row[2]!;
  }
  return table;
}

describe('the refusal reasons', () => {
  it('the Exchange proto documents exactly the reasons the Exchange sends, with their statuses', () => {
    const code = Object.fromEntries(
      Object.entries(REFUSAL_REASONS)
        .filter(([, reason]) => reason.exchange)
        .map(([name, reason]) => [name, reason.kind]),
    );
    expect(protoReasons()).toEqual(code);
  });

  it('every reason the proto’s comments name after a status ("NOT_FOUND CITIZEN_NOT_FOUND") is one the Exchange sends, with that status', () => {
    const proto = readFileSync(new URL('../../proto/dancu/exchange/v1/exchange.proto', import.meta.url), 'utf8');
    const comments = proto
      .split('\n')
      .filter((line) => line.trim().startsWith('//'))
      .map((line) => line.replace(/^\s*\/\/\s?/, ''))
      .join(' ');
    const statuses = [...new Set(Object.values(REFUSAL_REASONS).map((reason) => reason.kind))].join('|');
    const named = [...comments.matchAll(new RegExp(`\\b(${statuses})\\s+([A-Z][A-Z_]+[A-Z])\\b`, 'g'))].map(
      ([, kind, reason]) => `${kind} ${reason}`,
    );
    expect(named.length).toBeGreaterThan(3);
    const known = new Set(
      Object.entries(REFUSAL_REASONS)
        .filter(([, reason]) => reason.exchange)
        .map(([name, reason]) => `${reason.kind} ${name}`),
    );
    expect(named.filter((pair) => !known.has(pair))).toEqual([]);
  });
});
