import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './change-cursor.ts';
import { Refusal } from './refusal.ts';

describe('the WatchChanges cursor', () => {
  it('R41: round-trips every partition position', () => {
    const positions = new Map([
      [2, '17'],
      [0, '5'],
      [1, '0'],
    ]);
    expect(decodeCursor(encodeCursor(positions))).toEqual(positions);
    expect(decodeCursor('')).toBeNull();
  });

  it('R22: a forged or garbled cursor is INVALID_ARGUMENT', () => {
    for (const text of ['not a cursor', Buffer.from('{"v":1,"p":[[0,"$gt"]]}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      expect(() => decodeCursor(text)).toThrow(Refusal);
    }
  });
});
