import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec } from './change-cursor.ts';
import { Refusal } from './refusal.ts';

const hubKey = generateKeyPairSync('ed25519').privateKey;

function refusalOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return `${error.kind} ${error.reason}`;
    throw error;
  }
}

describe('the WatchChanges cursor', () => {
  it('R41: round-trips every partition position, and any hub instance with the same key reads it', () => {
    const positions = new Map([
      [2, '17'],
      [0, '5'],
      [1, '0'],
    ]);
    const cursor = CursorCodec.forHub(hubKey).encode('agr-1', positions);
    expect(CursorCodec.forHub(hubKey).decode(cursor, 'agr-1')).toEqual(positions);
    expect(CursorCodec.forHub(hubKey).decode('', 'agr-1')).toBeNull();
  });

  it('R22, R12: a hand-made, edited, unsigned or other agreement’s cursor is INVALID_ARGUMENT', () => {
    const codec = CursorCodec.forHub(hubKey);
    const genuine = codec.encode('agr-1', new Map([[0, '500']]));
    const [payload, signature] = genuine.split('.') as [string, string];
    const rewound = Buffer.from(JSON.stringify({ v: 2, a: 'agr-1', p: [[0, '0']] })).toString('base64url');
    const forged = [
      'not a cursor',
      Buffer.from('{"v":1,"p":[[0,"0"]]}').toString('base64url'),
      `${rewound}.${signature}`,
      `${payload}.${'A'.repeat(43)}`,
      CursorCodec.forHub(generateKeyPairSync('ed25519').privateKey).encode('agr-1', new Map([[0, '0']])),
    ];
    for (const text of forged) expect(refusalOf(() => codec.decode(text, 'agr-1'))).toBe('INVALID_ARGUMENT INVALID_REQUEST');
    expect(refusalOf(() => codec.decode(genuine, 'agr-2'))).toBe('INVALID_ARGUMENT INVALID_REQUEST');
    expect(refusalOf(() => codec.decode(genuine, 'agr-1'))).toBeUndefined();
  });
});
