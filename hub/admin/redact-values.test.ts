import { describe, expect, it } from 'vitest';
import { redactValues } from './redact-values.ts';

describe('text on the dashboard', () => {
  it('R2: keeps the shape of a reject detail but not the personal ids, card numbers or payload it quotes', () => {
    expect(
      redactValues("card number 001099012345 differs from personal id 001099012346; a căn cước card number is the holder's personal id"),
    ).toBe("card number ••• differs from personal id •••; a căn cước card number is the holder's personal id");
    expect(redactValues('Unexpected token \'x\', "{"name":"Nguyễn"x"... is not valid JSON')).toBe(
      'Unexpected token \'…\', "…"... is not valid JSON',
    );
    expect(redactValues('a quote "Nguyễn Văn A that never ends')).toBe('a quote "…"');
    expect(redactValues(`Unexpected token 'b', "{"broken" is not valid JSON`)).not.toContain('broken');
    expect(redactValues("a name 'Nguyễn Văn A' quoted")).toBe("a name '…' quoted");
    const keyDetail =
      'the record key "001099012345" is not the event\'s personal id; the key must be the personal id so one citizen\'s events stay in order';
    expect(redactValues(keyDetail)).toBe(
      'the record key "…" is not the event\'s personal id; the key must be the personal id so one citizen\'s events stay in order',
    );
    expect(redactValues('dancu.source.health.v1[2]@1041..1050: received 10, applied 9')).toBe(
      'dancu.source.health.v1[2]@1041..1050: received 10, applied 9',
    );
  });
});
