import { describe, expect, it } from 'vitest';
import { RegistryInvalidOptionError } from './errors.ts';
import { DEFAULT_REGISTRY_CLIENT_OPTIONS, resolveRegistryClientOptions } from './options.ts';

describe('resolveRegistryClientOptions', () => {
  it('resolves defaults and freezes', () => {
    const o = resolveRegistryClientOptions();
    expect(o).toEqual(DEFAULT_REGISTRY_CLIENT_OPTIONS);
    expect(Object.isFrozen(o)).toBe(true);
    expect(o.operationTimeoutMs).toBe(120_000);
  });

  it('merges given values and ignores undefined ones', () => {
    const o = resolveRegistryClientOptions({
      maxRetries: 0,
      requestTimeoutMs: undefined,
      requestsPerSecondPerHost: Infinity,
    });
    expect(o.maxRetries).toBe(0);
    expect(o.requestTimeoutMs).toBe(30_000);
    expect(o.requestsPerSecondPerHost).toBe(Infinity);
  });

  it.each([
    { options: { maxRetries: -1 }, option: 'maxRetries', message: 'must be >= 0' },
    { options: { maxRetries: 1.5 }, option: 'maxRetries', message: 'must be an integer' },
    { options: { requestTimeoutMs: 0 }, option: 'requestTimeoutMs', message: 'must be >= 1' },
    { options: { requestTimeoutMs: Number.NaN }, option: 'requestTimeoutMs', message: 'must be a number' },
    { options: { connectTimeoutMs: '10' }, option: 'connectTimeoutMs', message: 'must be a number' },
    { options: { maxConcurrentPerHost: Infinity }, option: 'maxConcurrentPerHost', message: 'must be finite' },
    { options: { requestsPerSecondPerHost: 0 }, option: 'requestsPerSecondPerHost', message: 'must be > 0' },
    {
      options: { retryBaseDelayMs: 500, retryMaxDelayMs: 100 },
      option: 'retryMaxDelayMs',
      message: 'must be >= retryBaseDelayMs',
    },
    {
      options: { operationTimeoutMs: 1000, requestTimeoutMs: 2000 },
      option: 'operationTimeoutMs',
      message: 'must be >= requestTimeoutMs',
    },
    { options: { platform: { os: 'linux' } }, option: 'platform', message: 'must be' },
    { options: { userAgent: '' }, option: 'userAgent', message: 'non-empty' },
    { options: { timeout: 5 }, option: 'timeout', message: 'use "requestTimeoutMs"' },
    { options: { retries: 5 }, option: 'retries', message: 'use "maxRetries"' },
    { options: { keepAliveTimeout: 5 }, option: 'keepAliveTimeout', message: 'use "keepAliveTimeoutMs"' },
    { options: { banana: 1 }, option: 'banana', message: 'unknown option' },
  ])('rejects $options naming "$option"', ({ options, option, message }) => {
    let caught: unknown;
    try {
      resolveRegistryClientOptions(options as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryInvalidOptionError);
    expect((caught as RegistryInvalidOptionError).option).toBe(option);
    expect((caught as Error).message).toContain(`"${option}"`);
    expect((caught as Error).message).toContain(message);
  });
});
