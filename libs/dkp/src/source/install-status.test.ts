import { describe, expect, it } from 'vitest';
import { installStatus } from './install-status.ts';

describe('installStatus: the guide’s rows (PHASE ENABLED READY)', () => {
  it.each([
    ['Downloading', undefined, 'False', 'False', { reason: 'Downloading', message: 'downloading' }],
    ['Installing', undefined, 'False', 'False', { reason: 'Installing', message: 'installing' }],
    ['Ready', undefined, 'True', 'True', {}],
    ['Error', 'helm: boom', 'True', 'Error', { reason: 'Error', message: 'helm: boom' }],
  ] as const)('%s → ENABLED %s… READY %s', (phase, message, enabled, ready, isReady) => {
    const status = installStatus(phase, message);
    expect(status.phase).toBe(phase);
    expect(status.ready).toBe(ready);
    expect(status.conditions.find((c) => c.type === 'EnabledByModuleManager')?.status).toBe(enabled);
    const condition = status.conditions.find((c) => c.type === 'IsReady')!;
    expect(condition.status).toBe(phase === 'Ready' ? 'True' : 'False');
    expect({ reason: condition.reason, message: condition.message }).toMatchObject(isReady);
  });
});
