import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, parseEvent, prepareEvent } from './codec.ts';
import { EVENTS_ERROR_CODES, EventInvalidError, EventVersionUnsupportedError } from './errors.ts';
import type { DiscoveryEventInput } from './schema.ts';
import { sampleEvent } from './test-support/samples.ts';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('decodeEvent / parseEvent', () => {
  it('round-trips every sample through its JSON', () => {
    const event = sampleEvent('channel.version');
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it.each([
    ['v: 2', { v: 2 }, 2],
    ['v: 99 with a body this build cannot read', { v: 99, whatever: { nested: true } }, 99],
  ])('rejects a future version (%s) with a typed error', (_title, value, version) => {
    let caught: unknown;
    try {
      parseEvent(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EventVersionUnsupportedError);
    expect(caught).toMatchObject({
      code: EVENTS_ERROR_CODES.unsupportedVersion,
      name: 'EventVersionUnsupportedError',
      version,
      supported: [1],
    });
  });

  it.each([
    ['not JSON', () => decodeEvent('{not json')],
    ['JSON but not an object', () => decodeEvent('[1,2]')],
    ['null', () => decodeEvent('null')],
    ['no v', () => parseEvent({ type: 'module.gone' })],
    ['v a string', () => parseEvent({ v: '1' })],
    ['v zero', () => parseEvent({ v: 0 })],
    ['v a fraction', () => parseEvent({ v: 1.5 })],
    ['v1 breaking the schema', () => parseEvent({ ...sampleEvent('module.gone'), module: '' })],
  ])('rejects %s as MODSYNC_EVENTS_INVALID_EVENT', (_title, action) => {
    expect(codeOf(action)).toBe(EVENTS_ERROR_CODES.invalidEvent);
  });

  it('names each problem with its path', () => {
    let caught: unknown;
    try {
      parseEvent({ ...sampleEvent('channel.version'), version: 'unknown' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EventInvalidError);
    expect((caught as EventInvalidError).issues.some((issue) => issue.startsWith('version: '))).toBe(true);
  });
});

describe('prepareEvent', () => {
  const input: DiscoveryEventInput = {
    type: 'module.gone',
    source: 'example',
    module: 'module-one',
    state: { present: false },
  };

  it('fills in v, id and at, and renders the body the publish script completes', () => {
    const prepared = prepareEvent(input, 'generated-id', new Date('2026-05-06T07:08:09.010Z'));
    expect(prepared.event).toMatchObject({
      v: 1,
      id: 'generated-id',
      at: '2026-05-06T07:08:09.010Z',
      type: 'module.gone',
    });
    expect(prepared.body.startsWith('"id":"generated-id",')).toBe(true);
    expect(prepared.body).not.toContain('"seq"');
    // What the script stores: `{"v":1,"seq":<seq>,` + body.
    expect(decodeEvent(`{"v":1,"seq":1234567,${prepared.body}`)).toEqual({ ...prepared.event, seq: 1234567 });
  });

  it('keeps the producer’s id and at, and accepts a Date', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(prepareEvent({ ...input, id: 'mine', at }, 'ignored', new Date()).event).toMatchObject({
      id: 'mine',
      at: '2026-01-01T00:00:00.000Z',
    });
  });

  it('rejects an invalid event before anything is written', () => {
    expect(codeOf(() => prepareEvent({ ...input, module: 'Not_A_Name' }, 'x', new Date()))).toBe(
      EVENTS_ERROR_CODES.invalidEvent,
    );
    expect(codeOf(() => prepareEvent({ ...input, at: new Date(Number.NaN) }, 'x', new Date()))).toBe(
      EVENTS_ERROR_CODES.invalidEvent,
    );
  });
});
