import { describe, expect, it } from 'vitest';

import type { ReleasePhase } from '../layout/release-labels.ts';
import type { UpdateMode } from '../policy/types.ts';
import { policyContext, type PolicyContext } from '../policy/resolve-policy.ts';
import type { UpdateWindow } from '../windows/update-window.ts';
import { decideReleases, type DecideReleasesInput, type ReleasesDecision } from './decide-releases.ts';
import type { ReleaseInput } from './types.ts';

// Monday 23 Nov 2026. The guide's window: Mon/Wed 13:30–14:00 UTC.
const OUTSIDE = new Date('2026-11-23T12:00:00Z');
const INSIDE = new Date('2026-11-23T13:45:00Z');
const GUIDE_WINDOWS: UpdateWindow[] = [{ days: ['Mon', 'Wed'], from: '13:30', to: '14:00' }];
const APPROVAL = `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`;

const FLAGS: Record<string, Record<string, string>> = {
  '+approved': { 'modules.deckhouse.io/approved': 'true' },
  '+legacyApproved': { 'release.deckhouse.io/approved': 'true' },
  '+approved=1': { 'modules.deckhouse.io/approved': '1' },
  '+approved=TRUE': { 'modules.deckhouse.io/approved': 'TRUE' },
  '+approved=yes': { 'modules.deckhouse.io/approved': 'yes' },
  '+approved=false': { 'modules.deckhouse.io/approved': 'false' },
  '+applyNow': { 'modules.deckhouse.io/apply-now': 'true' },
  '+force': { 'modules.deckhouse.io/force': 'true' },
  '+legacyForce': { 'release.deckhouse.io/force': 'true' },
};

/**
 * `'1.2.1 Pending +approved applyAfter=2026-11-23T13:50:00Z label=p dkp>=1.66'`: version, phase, then flags.
 * Releases are labelled with policy `p` unless `label=` says otherwise (`label=` alone: no label).
 */
function release(spec: string): ReleaseInput {
  const [version = '', phase = 'Pending', ...flags] = spec.trim().split(/\s+/);
  const input: ReleaseInput = { name: `module-one-v${version}`, version, policyLabel: 'p', source: 'example' };
  // `-` stands for a release nobody has given a phase yet.
  if (phase !== '-') input.phase = phase as ReleasePhase;
  const annotations: Record<string, string> = {};
  for (const flag of flags) {
    const known = FLAGS[flag];
    if (known !== undefined) Object.assign(annotations, known);
    else if (flag.startsWith('applyAfter=')) input.applyAfter = flag.slice('applyAfter='.length);
    else if (flag.startsWith('label=')) {
      const label = flag.slice('label='.length);
      if (label === '') delete input.policyLabel;
      else input.policyLabel = label === '""' ? '' : label;
    } else if (flag.startsWith('dkp')) input.requirements = { deckhouse: flag.slice(3) };
    else if (flag.startsWith('source=')) input.source = flag.slice('source='.length);
    else if (flag.startsWith('jump=')) {
      const [from = '', to = ''] = flag.slice('jump='.length).split('..');
      input.updateConstraints = [{ from, to }];
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (Object.keys(annotations).length > 0) input.annotations = annotations;
  return input;
}

function policy(mode: UpdateMode, windows: UpdateWindow[] = [], channel = 'Stable'): PolicyContext {
  return policyContext({
    requested: 'p',
    policies: [
      {
        metadata: { name: 'p' },
        apiVersion: 'deckhouse.io/v1alpha2',
        spec: { releaseChannel: channel, update: { mode, windows } },
      },
    ],
  });
}

function render(decision: ReleasesDecision): string[] {
  return decision.outcomes.map((o) => `${o.version.slice(1)} ${o.phase}${o.message === '' ? '' : `: ${o.message}`}`);
}

interface Row {
  why: string;
  releases: string[];
  mode?: UpdateMode;
  windows?: UpdateWindow[];
  now?: Date;
  ready?: boolean;
  want: string[];
  note?: string;
}

function decide(row: Row, extra: Partial<DecideReleasesInput> = {}): ReleasesDecision {
  return decideReleases({
    module: 'module-one',
    releases: row.releases.map(release),
    policy: policy(row.mode ?? 'Auto', row.windows ?? GUIDE_WINDOWS),
    now: row.now ?? INSIDE,
    moduleReady: row.ready ?? true,
    platform: { deckhouseVersion: 'v1.65.3', kubernetesVersion: 'v1.30.2' },
    ...extra,
  });
}

describe('decideReleases: the mode matrix (§8)', () => {
  it.each<Row>([
    // patch: 1.2.0 → 1.2.1
    {
      why: 'Auto patch inside the window deploys',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'Auto patch outside the window waits for it',
      mode: 'Auto',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Deployed', '1.2.1 Pending: Release is waiting for the update window until 23 Nov 2026 13:30 UTC'],
    },
    {
      why: 'AutoPatch patch inside the window deploys',
      mode: 'AutoPatch',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'AutoPatch patch outside the window waits',
      mode: 'AutoPatch',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Deployed', '1.2.1 Pending: Release is waiting for the update window until 23 Nov 2026 13:30 UTC'],
    },
    {
      why: 'Manual patch needs approval',
      mode: 'Manual',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Deployed', `1.2.1 Pending: ${APPROVAL}`],
    },
    {
      why: 'Manual patch approved deploys outside the window',
      mode: 'Manual',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending +approved'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'Ignore holds a patch',
      mode: 'Ignore',
      releases: ['1.2.0 Deployed', '1.2.1 Pending +approved'],
      want: ['1.2.0 Deployed', `1.2.1 Pending: Update disabled by 'Ignore' update policy`],
    },
    // minor: 1.2.0 → 1.3.0
    {
      why: 'Auto minor inside the window deploys',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'Auto minor outside the window waits',
      mode: 'Auto',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Deployed', '1.3.0 Pending: Release is waiting for the update window until 23 Nov 2026 13:30 UTC'],
    },
    {
      why: 'AutoPatch minor needs approval even inside the window',
      mode: 'AutoPatch',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: ${APPROVAL}`],
    },
    {
      why: 'AutoPatch minor approved deploys outside the window',
      mode: 'AutoPatch',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'Manual minor needs approval',
      mode: 'Manual',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: ${APPROVAL}`],
    },
    {
      why: 'Manual minor approved with the legacy annotation deploys',
      mode: 'Manual',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +legacyApproved'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'approved: "1" counts (Go ParseBool)',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved=1'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'approved: "TRUE" counts (Go ParseBool)',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved=TRUE'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'approved: "yes" does not count',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved=yes'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: ${APPROVAL}`],
    },
    {
      why: 'approved: "false" does not count',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved=false'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: ${APPROVAL}`],
    },
    {
      why: 'Ignore holds a minor',
      mode: 'Ignore',
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: Update disabled by 'Ignore' update policy`],
    },
    // no windows = always
    {
      why: 'Auto with no windows deploys at any time',
      mode: 'Auto',
      windows: [],
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    // the window's own edges
    {
      why: 'at the window start (inclusive) deploys',
      mode: 'Auto',
      now: new Date('2026-11-23T13:30:00Z'),
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'at the window end (exclusive) waits until Wednesday',
      mode: 'Auto',
      now: new Date('2026-11-23T14:00:00Z'),
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Deployed', '1.2.1 Pending: Release is waiting for the update window until 25 Nov 2026 13:30 UTC'],
    },
  ])('$why', (row) => {
    expect(render(decide(row))).toEqual(row.want);
  });
});

describe('decideReleases: canary applyAfter, apply-now (§8)', () => {
  it.each<Row>([
    {
      why: 'future applyAfter postpones an Auto patch',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending applyAfter=2026-11-23T13:50:00Z'],
      want: ['1.2.0 Deployed', '1.2.1 Pending: Release is postponed until 23 Nov 2026 13:50 UTC'],
    },
    {
      why: 'applyAfter beyond the window: postponed and waiting for the next window',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending applyAfter=2026-11-23T14:30:00Z'],
      want: [
        '1.2.0 Deployed',
        '1.2.1 Pending: Release is postponed, waiting for the update window until 25 Nov 2026 13:30 UTC',
      ],
    },
    {
      why: 'applyAfter exactly now deploys',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending applyAfter=2026-11-23T13:45:00Z'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'applyAfter in the past deploys',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending applyAfter=2026-11-20T00:00:00Z'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'Manual patch approved still honours the canary',
      mode: 'Manual',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending +approved applyAfter=2026-11-24T00:00:00Z'],
      want: ['1.2.0 Deployed', '1.2.1 Pending: Release is postponed until 24 Nov 2026 00:00 UTC'],
    },
    {
      why: 'Manual minor approved ignores the canary',
      mode: 'Manual',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved applyAfter=2026-11-24T00:00:00Z'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'AutoPatch minor approved honours the canary',
      mode: 'AutoPatch',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +approved applyAfter=2026-11-24T00:00:00Z'],
      want: ['1.2.0 Deployed', '1.3.0 Pending: Release is postponed until 24 Nov 2026 00:00 UTC'],
    },
    {
      why: 'approval wins over the canary in the message',
      mode: 'AutoPatch',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending applyAfter=2026-11-24T00:00:00Z'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: ${APPROVAL}`],
    },
    {
      why: 'apply-now skips approval',
      mode: 'Manual',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +applyNow'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'apply-now skips the window',
      mode: 'Auto',
      now: OUTSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +applyNow'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'apply-now skips the canary',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.2.1 Pending +applyNow applyAfter=2026-12-01T00:00:00Z'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'apply-now does not skip the order',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending +applyNow'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed', '1.4.0 Pending: awaiting for v1.3.0 release to be deployed'],
    },
    {
      why: 'apply-now does not skip requirements',
      mode: 'Auto',
      now: INSIDE,
      releases: ['1.2.0 Deployed', '1.3.0 Pending +applyNow dkp>=1.66'],
      want: [
        '1.2.0 Deployed',
        '1.3.0 Pending: requirements are not satisfied: current deckhouse version is not suitable: v1.65.3 is less than 1.66',
      ],
    },
  ])('$why', (row) => {
    expect(render(decide(row))).toEqual(row.want);
  });
});

describe('decideReleases: first release (§8, §9)', () => {
  it.each<Row>([
    {
      why: 'the first release carries apply-now and deploys in Manual mode',
      mode: 'Manual',
      releases: ['0.7.24 Pending +applyNow'],
      want: ['0.7.24 Deployed'],
    },
    {
      why: 'the first release deploys on a module that is not Ready yet',
      mode: 'Auto',
      ready: false,
      releases: ['0.7.24 Pending +applyNow'],
      want: ['0.7.24 Deployed'],
    },
    {
      why: 'a lone release without apply-now counts as a minor: AutoPatch asks approval',
      mode: 'AutoPatch',
      releases: ['0.7.24 Pending'],
      want: [`0.7.24 Pending: ${APPROVAL}`],
    },
    {
      why: 'a lone release without apply-now waits for the window in Auto',
      mode: 'Auto',
      now: OUTSIDE,
      releases: ['0.7.24 Pending'],
      want: ['0.7.24 Pending: Release is waiting for the update window until 23 Nov 2026 13:30 UTC'],
    },
    {
      why: 'a new release (no phase yet) is read as Pending',
      mode: 'Manual',
      releases: ['0.7.24 - +applyNow'],
      want: ['0.7.24 Deployed'],
    },
    {
      why: 'two fresh releases: the first deploys, the second waits for it',
      mode: 'Auto',
      ready: false,
      releases: ['1.0.0 Pending +applyNow', '1.1.0 Pending'],
      want: ['1.0.0 Deployed', '1.1.0 Pending: awaiting for v1.0.0 release to be deployed'],
    },
  ])('$why', (row) => {
    expect(render(decide(row))).toEqual(row.want);
  });
});

describe('decideReleases: ordering, step by step, newest patch (§8)', () => {
  it.each<Row>([
    {
      why: 'step by step: one minor at a time',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed', '1.4.0 Pending: awaiting for v1.3.0 release to be deployed'],
    },
    {
      why: 'a chain of waits points at its first link',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending', '1.5.0 Pending'],
      want: [
        '1.2.0 Deployed',
        `1.3.0 Pending: ${APPROVAL}`,
        '1.4.0 Pending: awaiting for v1.3.0 release to be deployed',
        '1.5.0 Pending: awaiting for v1.3.0 release to be deployed',
      ],
    },
    {
      why: 'one minor ahead passes',
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed'],
    },
    {
      why: 'two minors ahead waits',
      releases: ['1.2.0 Deployed', '1.4.0 Pending'],
      want: ['1.2.0 Deployed', '1.4.0 Pending: minor version is greater than deployed v1.2.0 by one'],
    },
    {
      why: '0.x: two minors ahead waits too',
      releases: ['0.1.0 Deployed', '0.3.0 Pending'],
      want: ['0.1.0 Deployed', '0.3.0 Pending: minor version is greater than deployed v0.1.0 by one'],
    },
    {
      why: 'a major ahead waits',
      releases: ['1.2.0 Deployed', '2.0.0 Pending'],
      want: ['1.2.0 Deployed', '2.0.0 Pending: major version is greater than deployed v1.2.0'],
    },
    {
      why: '0 → 1 passes',
      releases: ['0.9.0 Deployed', '1.0.0 Pending'],
      want: ['0.9.0 Superseded', '1.0.0 Deployed'],
    },
    {
      why: 'only the newest patch deploys',
      releases: ['1.2.0 Deployed', '1.2.1 Pending', '1.2.2 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Skipped', '1.2.2 Deployed'],
    },
    {
      why: 'newest patch of a minor, then the next minor waits',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.3.1 Pending', '1.4.0 Pending'],
      want: [
        '1.2.0 Superseded',
        '1.3.0 Skipped',
        '1.3.1 Deployed',
        '1.4.0 Pending: awaiting for v1.3.1 release to be deployed',
      ],
    },
    {
      why: 'a release below the deployed one is skipped',
      releases: ['1.2.0 Pending', '1.3.0 Deployed'],
      want: ['1.2.0 Skipped', '1.3.0 Deployed'],
    },
    {
      why: 'prerelease below its release is skipped',
      releases: ['1.3.0-rc.1 Pending', '1.3.0 Deployed'],
      want: ['1.3.0-rc.1 Skipped', '1.3.0 Deployed'],
    },
    {
      why: 'the Lts channel gets no 10-minor relaxation for modules',
      releases: ['1.2.0 Deployed', '1.4.0 Pending'],
      want: ['1.2.0 Deployed', '1.4.0 Pending: minor version is greater than deployed v1.2.0 by one'],
    },
    {
      why: 'a skipped release in between counts as the previous one (DKP)',
      releases: ['1.2.0 Deployed', '1.3.0 Skipped', '1.4.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Skipped', '1.4.0 Deployed'],
    },
    {
      why: 'updateConstraints jump to the endpoint',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending', '1.5.0 Pending jump=1.2.0..1.5.0'],
      want: [
        '1.2.0 Superseded',
        '1.3.0 Skipped: skipped by update constraints',
        '1.4.0 Skipped: skipped by update constraints',
        '1.5.0 Deployed',
      ],
    },
    {
      why: 'updateConstraints not covering the deployed version do nothing',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending jump=1.0.0..1.2.0'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed', '1.4.0 Pending: awaiting for v1.3.0 release to be deployed'],
    },
    {
      why: 'Terminating releases are ignored',
      releases: ['1.2.0 Deployed', '1.3.0 Terminating', '1.3.1 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Terminating', '1.3.1 Deployed'],
    },
    {
      why: 'a stray second Deployed release is superseded',
      releases: ['1.1.0 Deployed', '1.2.0 Deployed'],
      want: ['1.1.0 Superseded', '1.2.0 Deployed'],
    },
  ])('$why', (row) => {
    const lts = row.why.includes('Lts');
    const decision = decideReleases({
      module: 'module-one',
      releases: row.releases.map(release),
      policy: policy(row.mode ?? 'Auto', [], lts ? 'Lts' : 'Stable'),
      now: INSIDE,
      moduleReady: row.ready ?? true,
    });
    expect(render(decision)).toEqual(row.want);
  });
});

describe('decideReleases: readiness gate (§11.1), force (§11.6), requirements (§11.10)', () => {
  it.each<Row>([
    {
      why: 'a minor waits for the module to be Ready',
      ready: false,
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      want: ['1.2.0 Deployed', '1.3.0 Pending: awaiting for module v1.2.0 to be ready'],
    },
    {
      why: 'a patch does not wait for readiness',
      ready: false,
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'with nothing deployed the wait names no version',
      ready: false,
      releases: ['1.0.0 Skipped', '1.1.0 Pending'],
      want: ['1.0.0 Skipped', '1.1.0 Pending: awaiting for module to be ready'],
    },
    {
      why: 'force skips readiness, windows, approval and order',
      mode: 'Manual',
      now: OUTSIDE,
      ready: false,
      releases: ['1.2.0 Deployed', '1.4.0 Pending +force'],
      want: ['1.2.0 Superseded', '1.4.0 Deployed'],
    },
    {
      why: 'force skips requirements',
      releases: ['1.2.0 Deployed', '1.2.1 Pending +force dkp>=1.66'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
    {
      why: 'a forced release skips lower pending ones',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.5.0 Pending +force'],
      want: ['1.2.0 Superseded', '1.3.0 Skipped', '1.5.0 Deployed'],
    },
    {
      why: 'force may go down',
      releases: ['1.1.0 Pending +force', '1.2.0 Deployed'],
      want: ['1.1.0 Deployed', '1.2.0 Superseded'],
    },
    {
      why: 'of two forced releases the higher wins',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +force', '1.4.0 Pending +legacyForce'],
      want: ['1.2.0 Superseded', '1.3.0 Skipped', '1.4.0 Deployed'],
    },
    {
      why: 'a release above the forced one waits for it',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +force', '1.4.0 Pending'],
      want: ['1.2.0 Superseded', '1.3.0 Deployed', '1.4.0 Pending: awaiting for v1.3.0 release to be deployed'],
    },
    {
      why: 'force does not override an Ignore policy (policy is checked first, as DKP)',
      mode: 'Ignore',
      releases: ['1.2.0 Deployed', '1.3.0 Pending +force'],
      want: ['1.2.0 Deployed', `1.3.0 Pending: Update disabled by 'Ignore' update policy`],
    },
    {
      why: 'unmet deckhouse requirement holds',
      releases: ['1.2.0 Deployed', '1.2.1 Pending dkp>=1.66'],
      want: [
        '1.2.0 Deployed',
        '1.2.1 Pending: requirements are not satisfied: current deckhouse version is not suitable: v1.65.3 is less than 1.66',
      ],
    },
    {
      why: 'met requirement deploys',
      releases: ['1.2.0 Deployed', '1.2.1 Pending dkp>=1.65'],
      want: ['1.2.0 Superseded', '1.2.1 Deployed'],
    },
  ])('$why', (row) => {
    expect(render(decide(row))).toEqual(row.want);
  });
});

describe('decideReleases: policy labels (§8, §10.6, §11.3)', () => {
  it.each([
    {
      why: 'a label naming a vanished policy the ModuleConfig still requests holds',
      requested: 'gone',
      label: 'gone',
      message: 'Update policy gone not found',
      phase: 'Pending',
    },
    {
      why: 'a label naming a policy the ModuleConfig no longer requests is rewritten',
      requested: 'p',
      label: 'old',
      message: '',
      phase: 'Deployed',
    },
    { why: 'an unlabelled release gets the label', requested: 'p', label: '', message: '', phase: 'Deployed' },
    {
      why: 'the embedded policy is labelled deckhouse',
      requested: undefined,
      label: '""',
      message: '',
      phase: 'Deployed',
    },
  ])('$why', ({ requested, label, message, phase }) => {
    const context = policyContext({
      requested,
      policies: [
        { metadata: { name: 'p' }, spec: { update: { mode: 'Auto' } } },
        { metadata: { name: 'old' }, spec: { update: { mode: 'Manual' } } },
      ],
      deckhouseSettings: { update: { mode: 'Auto' } },
    });
    const decision = decideReleases({
      module: 'module-one',
      releases: [release('1.2.0 Deployed'), release(`1.2.1 Pending label=${label}`)],
      policy: context,
      now: INSIDE,
      moduleReady: true,
    });
    const outcome = decision.outcomes[1];
    expect(outcome?.phase).toBe(phase);
    expect(outcome?.message).toBe(message);
    const expectedLabel = requested === undefined ? 'deckhouse' : requested === 'gone' ? undefined : 'p';
    expect(outcome?.policyLabel).toBe(expectedLabel);
  });

  it('the guide: a Manual policy leaves the next patch Pending with the approval message', () => {
    const decision = decideReleases({
      module: 'module-two',
      releases: ['1.2.0 Superseded', '1.2.1 Superseded', '1.2.3 Deployed', '1.2.4 Superseded', '1.2.5 Pending'].map(
        (s) => ({
          ...release(s),
          name: `module-two-v${s.split(' ')[0]}`,
          policyLabel: 'deckhouse',
        }),
      ),
      policy: policyContext({ policies: [], deckhouseSettings: { update: { mode: 'Manual' } } }),
      now: INSIDE,
      moduleReady: true,
    });
    expect(render(decision)).toEqual([
      '1.2.0 Superseded',
      '1.2.1 Superseded',
      '1.2.3 Deployed',
      '1.2.4 Superseded',
      `1.2.5 Pending: ${APPROVAL}`,
    ]);
    expect(decision.outcomes.every((o) => o.policyLabel === undefined)).toBe(true);
    expect(decision.outcomes[4]?.approved).toBe(undefined);
  });

  it.each([
    { mode: 'Manual' as const, flags: '', stored: undefined, want: undefined, note: 'false equals unset' },
    { mode: 'Manual' as const, flags: '+approved', stored: undefined, want: true },
    { mode: 'Manual' as const, flags: '', stored: true, want: false, note: 'approval withdrawn' },
    { mode: 'Auto' as const, flags: '+approved', stored: undefined, want: undefined, note: 'only Manual mirrors it' },
  ])('status.approved in $mode with "$flags" (stored $stored) → $want', ({ mode, flags, stored, want }) => {
    const pending = { ...release(`1.3.0 Pending ${flags}`.trim()), approved: stored };
    const decision = decideReleases({
      module: 'module-one',
      releases: [release('1.2.0 Deployed'), pending],
      policy: policy(mode),
      now: OUTSIDE,
      moduleReady: false,
    });
    expect(decision.outcomes[1]?.approved).toBe(want);
  });
});

describe('decideReleases: override, disabled module, history, recheck', () => {
  it('a ModulePullOverride leaves Pending releases alone', () => {
    const decision = decide({ why: '', releases: ['1.2.0 Deployed', '1.2.1 Pending'], want: [] }, { overridden: true });
    expect(render(decision)).toEqual(['1.2.0 Deployed', '1.2.1 Pending']);
    expect(decision.outcomes.some((o) => o.changed)).toBe(false);
    expect(decision.deploy).toBeUndefined();
  });

  it('disabling the module deletes its Pending releases', () => {
    const decision = decide(
      { why: '', releases: ['1.2.0 Deployed', '1.2.1 Pending', '1.3.0 Pending'], want: [] },
      { moduleEnabled: false },
    );
    expect(decision.delete).toEqual([
      { name: 'module-one-v1.2.1', reason: 'ModuleDisabled' },
      { name: 'module-one-v1.3.0', reason: 'ModuleDisabled' },
    ]);
    expect(decision.deploy).toBeUndefined();
  });

  it.each([
    {
      why: 'three outdated are kept',
      releases: ['1.0.0 Superseded', '1.1.0 Skipped', '1.2.0 Suspended', '1.3.0 Deployed'],
      deleted: [],
    },
    {
      why: 'the fourth oldest goes',
      releases: ['0.9.0 Superseded', '1.0.0 Superseded', '1.1.0 Skipped', '1.2.0 Suspended', '1.3.0 Deployed'],
      deleted: ['module-one-v0.9.0'],
    },
    {
      why: 'counted after this pass: the newly superseded one counts',
      releases: ['1.0.0 Superseded', '1.1.0 Superseded', '1.2.0 Superseded', '1.3.0 Deployed', '1.3.1 Pending'],
      deleted: ['module-one-v1.0.0'],
    },
    {
      why: 'counted per source',
      releases: [
        '1.0.0 Superseded source=a',
        '1.1.0 Superseded source=a',
        '1.2.0 Superseded source=b',
        '1.3.0 Superseded source=b',
        '1.4.0 Superseded source=b',
        '1.5.0 Deployed',
      ],
      deleted: [],
    },
  ])('history: $why', ({ releases, deleted }) => {
    const decision = decide({ why: '', releases, want: [] });
    expect(decision.delete.map((d) => d.name)).toEqual(deleted);
    expect(decision.delete.every((d) => d.reason === 'History')).toBe(true);
  });

  it.each([
    {
      why: 'window hold: recheck at the opening',
      releases: ['1.2.0 Deployed', '1.2.1 Pending'],
      now: OUTSIDE,
      want: '2026-11-23T13:30:00.000Z',
    },
    {
      why: 'canary hold: recheck at applyAfter',
      releases: ['1.2.0 Deployed', '1.2.1 Pending applyAfter=2026-11-23T13:50:00Z'],
      now: INSIDE,
      want: '2026-11-23T13:50:00.000Z',
    },
    {
      why: 'approval hold: no clock recheck',
      releases: ['1.2.0 Deployed', '1.3.0 Pending'],
      now: INSIDE,
      want: undefined,
      mode: 'Manual' as const,
    },
  ])('$why', ({ releases, now, want, mode }) => {
    const decision = decide({ why: '', releases, now, mode: mode ?? 'Auto', want: [] });
    expect(decision.recheckAt?.toISOString()).toBe(want);
  });

  it('an unparsable version is kept as is, last', () => {
    const decision = decide({ why: '', releases: ['1.2.0 Deployed', 'latest Pending'], want: [] });
    expect(render(decision)).toEqual(['1.2.0 Deployed', 'atest Pending']);
    expect(decision.outcomes[1]?.verdict).toEqual({ kind: 'Keep' });
  });
});

describe('decideReleases: level-triggered and order-independent', () => {
  function apply(releases: ReleaseInput[], decision: ReleasesDecision): ReleaseInput[] {
    const deleted = new Set(decision.delete.map((d) => d.name));
    return releases
      .filter((r) => !deleted.has(r.name))
      .map((r) => {
        const o = decision.outcomes.find((x) => x.name === r.name);
        if (o === undefined) return r;
        return {
          ...r,
          phase: o.phase,
          message: o.message,
          ...(o.policyLabel === undefined ? {} : { policyLabel: o.policyLabel }),
          ...(o.approved === undefined ? {} : { approved: o.approved }),
        };
      });
  }

  const scenarios: Row[] = [
    {
      why: 'step by step to the end',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.3.1 Pending', '1.4.0 Pending', '1.5.0 Pending'],
      want: ['1.3.0 Skipped', '1.3.1 Superseded', '1.4.0 Superseded', '1.5.0 Deployed'],
      note: '1.2.0 left with the history (keep 3)',
    },
    {
      why: 'manual approvals stay pending',
      mode: 'Manual',
      releases: ['1.2.0 Deployed', '1.3.0 Pending', '1.4.0 Pending'],
      want: [
        '1.2.0 Deployed',
        `1.3.0 Pending: ${APPROVAL}`,
        '1.4.0 Pending: awaiting for v1.3.0 release to be deployed',
      ],
    },
    {
      why: 'force then the rest',
      releases: ['1.2.0 Deployed', '1.2.1 Pending', '1.3.0 Pending +force', '1.4.0 Pending'],
      want: ['1.2.0 Superseded', '1.2.1 Skipped', '1.3.0 Superseded', '1.4.0 Deployed'],
    },
  ];

  it.each(scenarios)('$why: converges, then a pass changes nothing', (row) => {
    let releases = row.releases.map(release);
    const input = (rs: ReleaseInput[]): DecideReleasesInput => ({
      module: 'module-one',
      releases: rs,
      policy: policy(row.mode ?? 'Auto'),
      now: INSIDE,
      moduleReady: true,
    });
    let passes = 0;
    for (; passes < 10; passes += 1) {
      const decision = decideReleases(input(releases));
      if (!decision.outcomes.some((o) => o.changed) && decision.delete.length === 0) break;
      releases = apply(releases, decision);
    }
    expect(passes).toBeLessThan(10);
    const final = decideReleases(input(releases));
    expect(final.outcomes.some((o) => o.changed)).toBe(false);
    expect(final.deploy).toBeUndefined();
    expect(render(final)).toEqual(row.want);
  });

  it.each(scenarios)('$why: the decision does not depend on input order', (row) => {
    const forward = row.releases.map(release);
    const decision = (rs: ReleaseInput[]): ReleasesDecision =>
      decideReleases({
        module: 'module-one',
        releases: rs,
        policy: policy(row.mode ?? 'Auto'),
        now: INSIDE,
        moduleReady: true,
      });
    const a = decision(forward);
    const b = decision([...forward].reverse());
    const c = decision([...forward.slice(1), ...forward.slice(0, 1)]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});
