import { describe, expect, it } from 'vitest';
import { parseEvent } from '@modsync/events';
import type { ModuleSource } from '@modsync/k8s';
import {
  age,
  eventDetails,
  formatEventLine,
  formatPlan,
  formatStatus,
  matches,
  oneLine,
  parseQueueJobs,
  parseXRead,
  sourceRow,
  table,
} from './format.ts';

const NOW = new Date('2026-01-02T03:00:00Z');
const CHECKSUM_A = `sha256:${'a'.repeat(64)}`;
const CHECKSUM_B = `sha256:${'b'.repeat(64)}`;

const source: ModuleSource = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name: 'example' },
  spec: { registry: { repo: 'registry.example.com/modules' } },
  status: {
    phase: 'Active',
    modulesCount: 2,
    message: 'Some errors occurred. Inspect status for details',
    syncTime: '2026-01-02T02:57:00Z',
    modules: [
      { name: 'console', version: 'v1.2.4', policy: 'main', checksum: CHECKSUM_A },
      {
        name: 'parca',
        pullError: 'GET https://registry.example.com/v2/modules/parca/manifests/stable:\n  MANIFEST_UNKNOWN',
      },
    ],
  },
};

describe('table', () => {
  it('aligns columns, fills empty cells with -, leaves no trailing spaces', () => {
    expect(
      table(
        ['NAME', 'VERSION', 'ERROR'],
        [
          ['console', 'v1.2.4', undefined],
          ['a', '', 'boom'],
        ],
      ),
    ).toBe('NAME     VERSION  ERROR\nconsole  v1.2.4   -\na        -        boom\n');
  });
});

describe('age', () => {
  it.each([
    ['2026-01-02T02:59:15Z', '45s'],
    ['2026-01-02T02:57:00Z', '3m'],
    ['2026-01-02T00:00:00Z', '3h'],
    ['2025-12-28T03:00:00Z', '5d'],
    ['2026-01-02T03:00:30Z', '0s'],
    [undefined, '-'],
    ['not a time', '-'],
  ])('%s is %s', (time, expected) => {
    expect(age(time, NOW)).toBe(expected);
  });
});

describe('oneLine', () => {
  it('flattens whitespace and cuts long text', () => {
    expect(oneLine('a\n  b')).toBe('a b');
    expect(oneLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(oneLine('')).toBeUndefined();
  });
});

describe('modsync status', () => {
  it('prints sources, each source’s modules and the queues', () => {
    const text = formatStatus(
      {
        sources: [sourceRow(source)],
        queue: {
          reachable: true,
          url: 'http://syncer:8080',
          jobs: { sync: { waiting: 0, active: 1, delayed: 3, failed: 0, prioritized: 0 }, resync: { waiting: 2 } },
        },
      },
      NOW,
    );
    expect(text).toBe(
      [
        'SOURCE   MODULES  MESSAGE                                           LAST SYNC',
        'example  2        Some errors occurred. Inspect status for details  3m',
        '',
        'Modules of example:',
        '  MODULE   VERSION  POLICY  PULL ERROR',
        '  console  v1.2.4   main    -',
        '  parca    -        -       GET https://registry.example.com/v2/modules/parca/manifests/stable: MANIFEST_UNKNOWN',
        '',
        'QUEUE   WAITING  PRIORITIZED  ACTIVE  DELAYED  FAILED',
        'sync    0        0            1       3        0',
        'resync  2        0            0       0        0',
        '',
      ].join('\n'),
    );
  });

  it('says the queue is unknown when the syncer is not reachable, and when there are no sources', () => {
    const text = formatStatus(
      { sources: [], queue: { reachable: false, url: 'http://127.0.0.1:8080', error: 'connect ECONNREFUSED' } },
      NOW,
    );
    expect(text).toBe(
      'No ModuleSources found.\n\nqueue: unknown (syncer not reachable at http://127.0.0.1:8080: connect ECONNREFUSED)\n',
    );
  });

  it('shows a source that was never synced', () => {
    const row = sourceRow({ ...source, status: undefined });
    expect(row).toEqual({
      name: 'example',
      modulesCount: 0,
      message: undefined,
      syncTime: undefined,
      phase: undefined,
      modules: [],
    });
    expect(formatStatus({ sources: [row], queue: { reachable: true, url: 'u', jobs: {} } }, NOW)).toContain(
      'example  0        -        -\n\nModules of example:\n  (none listed yet)\n',
    );
  });

  it('reads modsync_queue_jobs from the metrics text (labels in any order, escapes, other metrics ignored)', () => {
    const metrics = [
      '# HELP modsync_queue_jobs Jobs in the sync queues by state.',
      '# TYPE modsync_queue_jobs gauge',
      'modsync_queue_jobs{queue="sync",state="waiting",service="syncer"} 4',
      'modsync_queue_jobs{service="syncer",state="delayed",queue="sync"} 50',
      'modsync_queue_jobs{queue="re\\"sync",state="active",service="syncer"} 1',
      'modsync_queue_jobs_other{queue="sync",state="waiting"} 9',
      'modsync_syncs_total{outcome="Synced",service="syncer"} 12',
    ].join('\n');
    expect(parseQueueJobs(metrics)).toEqual({ sync: { waiting: 4, delayed: 50 }, 're"sync': { active: 1 } });
    expect(parseQueueJobs('modsync_syncs_total 1\n')).toBeUndefined();
  });
});

describe('modsync events tail', () => {
  const base = { v: 1, seq: 7, id: 'e-1', source: 'example', module: 'console', at: '2026-01-02T03:00:00.000Z' };
  const state = { present: true, channels: { Stable: { version: 'v1.2.4', checksum: CHECKSUM_B } }, pullError: null };

  it.each([
    [{ ...base, type: 'module.appeared', state }, 'channels Stable=v1.2.4'],
    [{ ...base, type: 'module.gone', state: { present: false } }, 'no longer listed by the source'],
    [
      {
        ...base,
        type: 'channel.version',
        channel: 'Stable',
        version: 'v1.2.4',
        checksum: CHECKSUM_B,
        previousVersion: 'v1.2.3',
        state,
      },
      'Stable v1.2.3 -> v1.2.4',
    ],
    [
      {
        ...base,
        type: 'channel.version',
        channel: 'Stable',
        version: 'v1.2.4',
        checksum: CHECKSUM_B,
        previousVersion: null,
        state,
      },
      'Stable (none) -> v1.2.4',
    ],
    [
      {
        ...base,
        type: 'module.checksum',
        channel: 'Stable',
        version: 'v1.2.4',
        checksum: CHECKSUM_B,
        previousChecksum: CHECKSUM_A,
        state,
      },
      'Stable v1.2.4 re-pushed sha256:aaaaaaaaaaaa -> sha256:bbbbbbbbbbbb',
    ],
    [
      {
        ...base,
        type: 'pull-error.set',
        error: 'unauthorized\nretry',
        state: { ...state, pullError: 'unauthorized\nretry' },
      },
      'error: unauthorized retry',
    ],
    [{ ...base, type: 'pull-error.cleared', state }, 'pull error cleared'],
  ])('%# %s', (raw, details) => {
    const event = parseEvent(raw);
    expect(eventDetails(event)).toBe(details);
    expect(formatEventLine(event)).toBe(`2026-01-02T03:00:00.000Z ${event.type} example/console ${details}\n`);
  });

  it('filters by source and module', () => {
    const event = parseEvent({ ...base, type: 'pull-error.cleared', state });
    expect(matches(event, {})).toBe(true);
    expect(matches(event, { source: 'example', module: 'console' })).toBe(true);
    expect(matches(event, { source: 'other' })).toBe(false);
    expect(matches(event, { module: 'parca' })).toBe(false);
  });

  it('flattens an XREAD reply (RESP2 and RESP3 shapes) and a timeout', () => {
    expect(parseXRead(null)).toEqual([]);
    expect(
      parseXRead([
        '{p}:discovery',
        [
          ['1-0', [Buffer.from('event'), Buffer.from('{}')]],
          ['2-0', null],
        ],
      ]),
    ).toEqual([{ id: '1-0', fields: { event: '{}' } }]);
    expect(
      parseXRead([
        [
          '{p}:discovery',
          [
            ['1-0', ['event', '{}']],
            ['2-0', ['event', '{"v":1}', 'extra', 'x']],
          ],
        ],
      ]),
    ).toEqual([
      { id: '1-0', fields: { event: '{}' } },
      { id: '2-0', fields: { event: '{"v":1}', extra: 'x' } },
    ]);
  });
});

describe('formatPlan', () => {
  it('one row per module: next release, gate and when it opens; the held releases’ messages below', () => {
    const text = formatPlan(
      [
        {
          module: 'console',
          source: 'main',
          channel: 'Stable',
          mode: 'Auto',
          policy: 'weekend',
          deployed: 'v1.2.3',
          next: { name: 'console-v1.3.0', version: 'v1.3.0', exists: true },
          action: 'Hold',
          gate: 'UpdateWindow',
          message: 'Release is waiting for the update window until 03 Jan 2026 01:00 UTC',
          opensAt: new Date('2026-01-03T01:00:00Z'),
        },
        {
          module: 'parca',
          source: 'main',
          channel: 'Stable',
          mode: 'AutoPatch',
          policy: 'deckhouse',
          deployed: 'v0.1.0',
          next: { name: 'parca-v0.1.1', version: 'v0.1.1', exists: false },
          action: 'Deploy',
        },
        { module: 'x', channel: 'Alpha', mode: 'Ignore', policy: 'frozen', action: 'UpToDate' },
      ],
      NOW,
    );
    expect(text).toBe(
      [
        'MODULE   SOURCE  CHANNEL  POLICY                 DEPLOYED  NEXT          GATE          OPENS',
        'console  main    Stable   weekend (Auto)         v1.2.3    v1.3.0        UpdateWindow  2026-01-03T01:00:00Z (in 22h)',
        'parca    main    Stable   deckhouse (AutoPatch)  v0.1.0    v0.1.1 (new)  Deploy        now',
        'x        -       Alpha    frozen (Ignore)        -         -             UpToDate      -',
        '',
        '  console: Release is waiting for the update window until 03 Jan 2026 01:00 UTC',
        '',
      ].join('\n'),
    );
  });

  it('says when there is nothing enabled', () => {
    expect(formatPlan([], NOW)).toBe('No enabled modules.\n');
  });
});
