import { describe, expect, it } from 'vitest';
import { moduleNamespace } from './module-namespace.ts';

describe('moduleNamespace', () => {
  it.each([
    ['no module.yaml: the default', undefined, { namespace: 'd8-echo' }],
    ['empty file: the default', '', { namespace: 'd8-echo' }],
    ['no namespace: the default', 'name: echo\nweight: 910\n', { namespace: 'd8-echo' }],
    ['namespace: null: the default', 'namespace: null\n', { namespace: 'd8-echo' }],
    ['its namespace', 'name: echo\nnamespace: echo-system\n', { namespace: 'echo-system' }],
    ['not YAML', 'name: [echo\n', { error: expect.stringMatching(/^module\.yaml is not valid YAML: /) as unknown }],
    ['a list', '- echo\n', { error: 'module.yaml is not a mapping' }],
    ['a scalar', 'echo\n', { error: 'module.yaml is not a mapping' }],
    ['namespace a number', 'namespace: 42\n', { error: 'module.yaml: namespace must be a non-empty string, got 42' }],
    ['namespace empty', 'namespace: ""\n', { error: 'module.yaml: namespace must be a non-empty string, got ""' }],
    [
      'namespace a mapping',
      'namespace: {a: 1}\n',
      { error: 'module.yaml: namespace must be a non-empty string, got {"a":1}' },
    ],
  ])('%s', (_, text, expected) => {
    expect(moduleNamespace('echo', text)).toEqual(expected);
  });
});
