import { describe, expect, it } from 'vitest';
import { DEFAULT_JAEGER_URL, jaegerUrl } from './settings.ts';

describe('DANCU_JAEGER_URL, where the dashboard reads traces', () => {
  it('defaults to the local Jaeger, turns off with off, and refuses what is not an http URL with a sentence', () => {
    expect(jaegerUrl({})).toBe(DEFAULT_JAEGER_URL);
    expect(jaegerUrl({ DANCU_JAEGER_URL: 'https://jaeger.example:16686/' })).toBe('https://jaeger.example:16686');
    expect(jaegerUrl({ DANCU_JAEGER_URL: 'off' })).toBeUndefined();
    expect(() => jaegerUrl({ DANCU_JAEGER_URL: 'ftp://jaeger.example' })).toThrow('must be an http or https URL');
    expect(() => jaegerUrl({ DANCU_JAEGER_URL: '127.0.0.1:16686' })).toThrow('is not a URL');
    expect(() => jaegerUrl({ DANCU_JAEGER_UI: 'http://127.0.0.1:16686' })).toThrow('DANCU_JAEGER_UI is no longer read');
  });
});
