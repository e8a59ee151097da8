import { asArray, asRecord } from '../fs/yaml.ts';
import { checkPromQL } from './promql.ts';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const GROUP_FIELDS = new Set(['name', 'interval', 'query_offset', 'limit', 'rules', 'labels']);
const RULE_FIELDS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/**
 * Checks that every `{{` action of an alert's label or annotation template is closed, the way Go's template
 * lexer reads it: outside actions `}}` is plain text; inside one, quoted strings, raw strings, character
 * constants and comments may hold `}}`.
 */
function templateProblem(text: string): string | undefined {
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) return undefined;
    let j = open + 2;
    if (text[j] === '-' && text[j + 1] === ' ') j += 2;
    if (text.startsWith('/*', j)) {
      const end = text.indexOf('*/', j + 2);
      if (end < 0) return 'unclosed comment';
      j = end + 2;
    }
    let closed = false;
    while (j < text.length) {
      const c = text[j]!;
      if (c === '"' || c === "'") {
        j++;
        while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        if (text[j] !== c) return c === '"' ? 'unterminated quoted string' : 'unterminated character constant';
      } else if (c === '`') {
        const end = text.indexOf('`', j + 1);
        if (end < 0) return 'unterminated raw quoted string';
        j = end;
      } else if (c === '}' && text[j + 1] === '}') {
        closed = true;
        break;
      }
      j++;
    }
    if (!closed) return 'unclosed action';
    i = j + 2;
  }
}

/**
 * Validates a PrometheusRule spec (`groups:`) the way `promtool check rules` does: rule group and rule
 * fields, expressions, label and annotation names, alert templates, duplicate rules. Returns the error text
 * or undefined.
 */
export function checkRuleGroupsSpec(spec: unknown): string | undefined {
  const errs: string[] = [];
  const root = asRecord(spec);
  for (const k of Object.keys(root)) if (k !== 'groups') errs.push(`field ${k} not found in type rulefmt.RuleGroups`);
  const groups = asArray(root['groups']);
  if (groups.length === 0) return [...errs, 'lint error: no rule groups found'].join('\n');
  const seenGroups = new Set<string>();
  const signatures = new Map<string, number>();
  groups.forEach((g) => {
    const group = asRecord(g);
    for (const k of Object.keys(group))
      if (!GROUP_FIELDS.has(k)) errs.push(`field ${k} not found in type rulefmt.RuleGroup`);
    const name = str(group['name']);
    if (name === '') errs.push('Groupname must not be empty');
    if (seenGroups.has(name)) errs.push(`groupname: "${name}" is repeated in the same file`);
    seenGroups.add(name);
    for (const k of Object.keys(asRecord(group['labels']))) {
      if (!LABEL_NAME.test(k) || k === '__name__') errs.push(`invalid label name: ${k}`);
    }
    asArray(group['rules']).forEach((r, idx) => {
      const rule = asRecord(r);
      const record = str(rule['record']);
      const alert = str(rule['alert']);
      const ruleName = alert || record;
      const fail = (msg: string): void => {
        errs.push(`group "${name}", rule ${idx + 1}, "${ruleName}": ${msg}`);
      };
      for (const k of Object.keys(rule)) if (!RULE_FIELDS.has(k)) fail(`field ${k} not found in type rulefmt.Rule`);
      if (record !== '' && alert !== '') fail("only one of 'record' and 'alert' must be set");
      if (record === '' && alert === '') fail("one of 'record' or 'alert' must be set");
      const expr = str(rule['expr']);
      if (expr === '') fail("field 'expr' must be set in rule");
      else {
        const problem = checkPromQL(expr);
        if (problem) fail(`could not parse expression: ${problem}`);
      }
      for (const d of ['for', 'keep_firing_for'] as const) {
        if (rule[d] !== undefined && !DURATION.test(str(rule[d])))
          fail(`not a valid duration string: "${str(rule[d])}"`);
      }
      if (record !== '') {
        if (Object.keys(asRecord(rule['annotations'])).length) fail("invalid field 'annotations' in recording rule");
        if (rule['for'] !== undefined && str(rule['for']) !== '0s') fail("invalid field 'for' in recording rule");
        if (!METRIC_NAME.test(record)) fail(`invalid recording rule name: ${record}`);
      }
      const labels = asRecord(rule['labels']);
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL_NAME.test(k) || k === '__name__') fail(`invalid label name: ${k}`);
        if (alert !== '') {
          const t = templateProblem(str(v));
          if (t) fail(`label "${k}": template: __alert_${alert}: ${t}`);
        }
      }
      for (const [k, v] of Object.entries(asRecord(rule['annotations']))) {
        if (!LABEL_NAME.test(k)) fail(`invalid annotation name: ${k}`);
        if (alert !== '') {
          const t = templateProblem(str(v));
          if (t) fail(`annotation "${k}": template: __alert_${alert}: ${t}`);
        }
      }
      const allLabels = {
        ...Object.fromEntries(Object.entries(asRecord(group['labels'])).map(([k, v]) => [k, str(v)])),
        ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, str(v)])),
      };
      const sig = `${ruleName}|${Object.keys(allLabels)
        .sort()
        .map((k) => `${k}=${allLabels[k]}`)
        .join(',')}`;
      signatures.set(sig, (signatures.get(sig) ?? 0) + 1);
    });
  });
  if (errs.length === 0) {
    const dups = [...signatures.entries()].filter(([, n]) => n > 1);
    if (dups.length) errs.push(`lint error ${dups.length} duplicate rule(s) found.`);
  }
  return errs.length ? errs.join('\n') : undefined;
}
