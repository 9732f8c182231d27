import { describe, expect, it } from 'vitest';
import { eventIdFor, uuidV5 } from './event-id.ts';

describe('event ids', () => {
  it('are RFC 4122 version-5 UUIDs (checked against the DNS-namespace example "www.example.com")', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('are the same for the same source record and differ between sources and records', () => {
    const id = eventIdFor('civil-status', 'KS-2024-000123');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('civil-status', 'KS-2024-000123')).toBe(id);
    expect(eventIdFor('residence', 'KS-2024-000123')).not.toBe(id);
    expect(eventIdFor('civil-status', 'KS-2024-000124')).not.toBe(id);
  });
});
