import { describe, expect, it } from 'vitest';
import { hubAddresses } from './hub-client.ts';

describe('the hub addresses a consumer fails over between', () => {
  it('reads one address or several, comma-separated, and refuses none', () => {
    expect(hubAddresses('hub.example.vn:50051')).toEqual(['hub.example.vn:50051']);
    expect(hubAddresses('10.0.0.1:50051, 10.0.0.2:50051,')).toEqual(['10.0.0.1:50051', '10.0.0.2:50051']);
    expect(() => hubAddresses(' , ')).toThrow(/--hub needs at least one host:port/);
  });
});
