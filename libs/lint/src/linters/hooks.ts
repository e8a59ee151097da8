import { basename, readText } from '../fs/files.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'hooks';
const COPY_CERT_IMPORT = 'github.com/deckhouse/deckhouse/go_lib/hooks/copy_custom_certificate';

/** The import paths of a Go file (its import declarations only). */
function goImports(src: string): string[] {
  const out: string[] = [];
  const noComments = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  for (const m of noComments.matchAll(/\bimport\s*\(([\s\S]*?)\)/g)) {
    for (const q of m[1]!.matchAll(/"([^"]+)"|`([^`]+)`/g)) out.push(q[1] ?? q[2]!);
  }
  for (const m of noComments.matchAll(/\bimport\s+(?:[\w.]+\s+)?"([^"]+)"/g)) out.push(m[1]!);
  return out;
}

export const hooksLinter: Linter = {
  id: ID,
  description: 'Lint hooks',
  rules: ['ingress'],
  run(ctx, report) {
    let rep = ruleReporter(ctx, report, ID, 'ingress');
    if (ctx.settings.disabled(ID, 'ingress')) rep = rep.withMaxLevel('ignored');
    const hookFiles = ctx.tree.files.filter((f) => f.rel.startsWith('hooks/'));
    let hasHook: boolean | undefined;
    const copyHookPresent = (): boolean => {
      if (hasHook !== undefined) return hasHook;
      hasHook = hookFiles.some((f) =>
        ['copy_custom_certificate.go', 'copy_custom_certificate.py'].includes(basename(f.rel)),
      );
      if (!hasHook) {
        for (const f of hookFiles) {
          if (!f.rel.endsWith('.go') || f.rel.endsWith('test.go')) continue;
          try {
            if (goImports(readText(f.abs)).includes(COPY_CERT_IMPORT)) {
              hasHook = true;
              break;
            }
          } catch {
            // unreadable Go file: as DMT, it contributes no imports
          }
        }
      }
      return hasHook;
    };
    for (const o of ctx.store.all()) {
      if (o.kind !== 'Ingress' && o.kind !== 'HTTPRoute') continue;
      guard(rep.withFile(o.path), o.path, () => {
        if (!copyHookPresent())
          rep.withFile(o.path).error(`${o.kind} resource exists but module does not have copy_custom_certificate hook`);
      });
    }
  },
};
