import { describe, expect, it } from 'vitest';

import { mustParseVersion } from '../version.ts';
import { checkConstraint, checkRequirements, requirementsMessage } from './requirements.ts';
import type { ReleaseRequirements } from './types.ts';

describe('checkConstraint: Masterminds syntax, Masterminds wording', () => {
  it.each([
    {
      current: '1.0.0',
      constraint: '> v1.64.0',
      want: '1.0.0 is less than or equal to v1.64.0',
      note: 'the DKP docs example',
    },
    {
      current: 'v1.64.0',
      constraint: '> v1.64.0',
      want: 'v1.64.0 is less than or equal to v1.64.0',
      note: 'bound itself fails >',
    },
    { current: 'v1.64.1', constraint: '> v1.64.0', want: 'ok' },
    { current: 'v1.73.4', constraint: '< v1.73.4', want: 'v1.73.4 is greater than or equal to v1.73.4' },
    { current: 'v1.63.0', constraint: '>= 1.64', want: 'v1.63.0 is less than 1.64' },
    { current: 'v1.64.0', constraint: '>= 1.64', want: 'ok', note: '>= includes the bound' },
    { current: 'v1.66.0', constraint: '<= 1.65.9', want: 'v1.66.0 is greater than 1.65.9' },
    { current: 'v1.65.9', constraint: '<= 1.65.9', want: 'ok' },
    { current: 'v1.2.3', constraint: '!= 1.2.3', want: 'v1.2.3 is equal to 1.2.3' },
    { current: 'v1.2.4', constraint: '!= 1.2.3', want: 'ok' },
    { current: 'v1.3.0', constraint: '~1.2.0', want: 'v1.3.0 does not have same major and minor version as 1.2.0' },
    { current: 'v2.0.0', constraint: '^1.2.0', want: 'v2.0.0 does not have same major version as 1.2.0' },
    { current: 'v1.9.0', constraint: '^1.2.0', want: 'ok' },
    { current: 'v1.30.0', constraint: '>= 1.25, < 1.31', want: 'ok', note: 'comma is AND' },
    { current: 'v1.31.0', constraint: '>= 1.25, < 1.31', want: 'v1.31.0 is greater than or equal to 1.31' },
    {
      current: 'v1.31.0',
      constraint: '>= 1.25 < 1.31',
      want: 'v1.31.0 is greater than or equal to 1.31',
      note: 'space is AND',
    },
    { current: 'v1.20.0', constraint: '< 1.21 || >= 1.25', want: 'ok', note: '|| is OR' },
    { current: 'v1.22.0', constraint: '< 1.21 || >= 1.25', want: 'v1.22.0 is greater than or equal to 1.21' },
    { current: 'v1.2.5', constraint: '1.2.x', want: 'ok' },
    { current: 'v1.65.0', constraint: 'whatever', want: 'invalid' },
    { current: 'v1.65.0', constraint: '>= 1.2 ||', want: 'invalid' },
  ])('$current vs "$constraint" → $want', ({ current, constraint, want }) => {
    const result = checkConstraint(mustParseVersion(current), current, constraint);
    const got = result.ok ? 'ok' : 'invalid' in result ? 'invalid' : result.detail;
    expect(got).toBe(want);
  });
});

describe('checkRequirements (§8 Requirements, §11.10)', () => {
  const platform = {
    deckhouseVersion: 'v1.65.3',
    kubernetesVersion: 'v1.30.2-eks-1',
    modules: { 'cert-manager': 'v1.10.0', prometheus: '', broken: 'latest' },
  };
  it.each<{ why: string; requirements: ReleaseRequirements | undefined; want: string[] }>([
    { why: 'no requirements', requirements: undefined, want: [] },
    { why: 'guide requirements met', requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' }, want: [] },
    {
      why: 'deckhouse too old',
      requirements: { deckhouse: '>= 1.66' },
      want: ['requirements are not satisfied: current deckhouse version is not suitable: v1.65.3 is less than 1.66'],
    },
    {
      why: 'kubernetes prerelease suffix is ignored, too old',
      requirements: { kubernetes: '>= 1.31' },
      want: [
        'requirements are not satisfied: current kubernetes version is not suitable: v1.30.2-eks-1 is less than 1.31',
      ],
    },
    {
      why: 'both unmet: all reported, deckhouse first',
      requirements: { kubernetes: '>= 1.31', deckhouse: '>= 1.66' },
      want: [
        'requirements are not satisfied: current deckhouse version is not suitable: v1.65.3 is less than 1.66',
        'requirements are not satisfied: current kubernetes version is not suitable: v1.30.2-eks-1 is less than 1.31',
      ],
    },
    {
      why: 'improper constraint',
      requirements: { deckhouse: 'soon' },
      want: ['requirements are not satisfied: improper deckhouse constraint: soon'],
    },
    { why: 'dependency met', requirements: { modules: { 'cert-manager': '>= 1.9' } }, want: [] },
    {
      why: 'dependency too old',
      requirements: { modules: { 'cert-manager': '>= 1.11' } },
      want: [
        'the "module-one" module dependency "cert-manager" does not meet the version constraint: v1.10.0 is less than 1.11',
      ],
    },
    {
      why: 'dependency enabled, nothing deployed',
      requirements: { modules: { prometheus: '>= 0.1' } },
      want: ['the "module-one" module dependency "prometheus" is not deployed'],
    },
    {
      why: 'dependency not enabled',
      requirements: { modules: { 'ingress-nginx': '>= 0.1' } },
      want: ['the "module-one" module dependency "ingress-nginx" is not deployed'],
    },
    {
      why: 'dependency with an unparsable version',
      requirements: { modules: { broken: '>= 0.1' } },
      want: ['the "module-one" module dependency "broken" has unparsable version'],
    },
    { why: 'self-dependency is ignored', requirements: { modules: { 'module-one': '>= 9' } }, want: [] },
    {
      why: 'improper dependency constraint',
      requirements: { modules: { 'cert-manager': 'soon' } },
      want: ['could not validate the "module-one" module dependencies: improper constraint: soon'],
    },
  ])('$why', ({ requirements, want }) => {
    const failures = checkRequirements('module-one', requirements, platform);
    expect(requirementsMessage(failures)).toBe(want.join('; '));
    expect(failures).toHaveLength(want.length);
  });

  it.each([
    { why: 'no deckhouse version configured skips the check', platform: {}, requirements: { deckhouse: '>= 99' } },
    {
      why: 'no kubernetes version skips the check',
      platform: { deckhouseVersion: 'v1.0.0' },
      requirements: { kubernetes: '>= 99' },
    },
  ])('$why', ({ platform: p, requirements }) => {
    expect(checkRequirements('m', requirements, p)).toEqual([]);
  });
});
