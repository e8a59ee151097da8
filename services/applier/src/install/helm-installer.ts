import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatVersion, installStatus, mergeConditions, type InstallPhase } from '@modsync/dkp';
import { Modules, isConflict, type KubeClient, type Module, type ModuleConfig } from '@modsync/k8s';
import { parseRegistrySettings, type RegistryClient } from '@modsync/registry';
import { decideLintGate, lint } from '@modsync/lint';
import type { Logger } from '@modsync/runtime';
import type { InstallRequest, InstallResult, Installer } from '../installer.ts';
import { HelmError, type Helm } from './helm.ts';
import type { ModuleStore } from './module-store.ts';
import { helmValues, validateSettings } from './module-values.ts';

export interface HelmInstallerOptions {
  kube: KubeClient;
  registry: RegistryClient;
  store: ModuleStore;
  helm: Helm;
  /** The module's ModuleConfig (for `spec.settings`), from the applier's cache. */
  moduleConfig: (module: string) => ModuleConfig | undefined;
  log: Logger;
  /**
   * The deploy gate: lint the bundle (DMT's rules, `modsync lint`) before installing and refuse it on errors (or on
   * warnings too), with the findings in the Module's message. @defaultValue undefined (off)
   */
  lintGate?: { failOnWarnings?: boolean } | undefined;
  /** Installs of different modules at once; one module is never installed twice at once. @defaultValue 4 */
  concurrency?: number;
  now?: () => Date;
}

/** What a module's install was made from: the Helm release's description, so a restart can tell it is current. */
function fingerprint(version: string, digest: string, settings: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(settings ?? {})).digest('hex').slice(0, 16);
  return `modsync ${version} ${digest.slice(0, 19)} settings=${hash}`;
}

/** `module.yaml`'s namespace, else DKP's default `d8-<module>`. */
async function namespaceOf(bundleDir: string, module: string): Promise<string> {
  try {
    const definition = parse(await readFile(join(bundleDir, 'module.yaml'), 'utf8')) as { namespace?: unknown } | null;
    if (typeof definition?.namespace === 'string' && definition.namespace !== '') return definition.namespace;
  } catch {
    // No module.yaml: the default namespace.
  }
  return `d8-${module}`;
}

/**
 * The installer of issue 8: pulls the module bundle of the Deployed release into the module store (blobs verified),
 * validates the ModuleConfig's settings against the bundle's schema, and `helm upgrade --install`s its chart into the
 * module's namespace (release name = module name), moving the Module through Downloading → Installing → Ready, or
 * Error with the registry's, the schema's or Helm's own message. Level-triggered: an install that matches the Deployed
 * release and settings (remembered, or read from Helm's release description after a restart) is left alone.
 */
export class HelmInstaller implements Installer {
  private readonly options: HelmInstallerOptions;
  private readonly installed = new Map<string, string>();
  /**
   * Failed helm installs: the same release and settings are not tried again before `until` (backoff doubling from 30 s
   * to 10 min), so a module whose workload never becomes ready stays in Error instead of flapping through Installing.
   */
  private readonly failed = new Map<string, { fingerprint: string; message: string; attempts: number; until: number }>();
  /** Fingerprints refused for a reason only a new release or new settings can change (schema, lint gate). */
  private readonly refused = new Map<string, { fingerprint: string; message: string; settingsError?: string }>();
  private readonly running = new Map<string, Promise<void>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: HelmInstallerOptions) {
    this.options = options;
  }

  async ensure(request: InstallRequest, signal: AbortSignal): Promise<InstallResult> {
    let result: InstallResult = {};
    await this.serialized(request.module, async () => {
      result = await this.install(request, signal);
    });
    return result;
  }

  remove(module: string, signal: AbortSignal): Promise<void> {
    return this.serialized(module, async () => {
      // Nothing stored and nothing installed by this process: nothing to uninstall (no helm call per disabled module).
      if (!this.installed.has(module) && (await this.namespaceFromStore(module)) === undefined) return;
      const namespace = (await this.namespaceFromStore(module)) ?? `d8-${module}`;
      await this.options.helm.uninstall(module, namespace, signal);
      this.installed.delete(module);
      this.refused.delete(module);
      this.failed.delete(module);
      await this.options.store.prune(module, []);
      this.options.log.info({ module }, 'module uninstalled');
    });
  }

  private async namespaceFromStore(module: string): Promise<string | undefined> {
    try {
      for (const version of await readdir(join(this.options.store.root, module))) {
        if (!version.startsWith('.')) return namespaceOf(this.options.store.path(module, version), module);
      }
    } catch {
      // Nothing stored: the default namespace.
    }
    return undefined;
  }

  /** One install per module at a time (calls queue behind each other), at most `concurrency` modules at once. */
  private async serialized(module: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.running.get(module) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(async () => {
      await this.acquire();
      try {
        await fn();
      } finally {
        this.release();
      }
    });
    this.running.set(module, next);
    try {
      await next;
    } finally {
      if (this.running.get(module) === next) this.running.delete(module);
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < (this.options.concurrency ?? 4)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async install(request: InstallRequest, signal: AbortSignal): Promise<InstallResult> {
    const { module, release, source } = request;
    const log = this.options.log.child({ module, release: release.metadata.name });
    const version = formatVersion(release.spec.version);
    const settingsInput = this.options.moduleConfig(module)?.spec?.settings;
    if (!source) {
      await this.setPhase(module, 'Error', `the ModuleSource of release ${release.metadata.name} does not exist`);
      return {};
    }
    let registrySettings;
    try {
      registrySettings = parseRegistrySettings(source.spec.registry);
    } catch (err) {
      await this.setPhase(module, 'Error', (err as Error).message);
      return {};
    }
    const repository = `${registrySettings.pathPrefix ? `${registrySettings.pathPrefix}/` : ''}${module}`;

    // Fast path: this process installed exactly this (no I/O at all).
    const stored = await this.options.store.stored(module, version);
    if (stored && this.installed.get(module) === fingerprint(version, stored.digest, settingsInput)) {
      await this.setPhase(module, 'Ready');
      return {};
    }
    const failure = this.failed.get(module);
    if (stored && failure?.fingerprint === fingerprint(version, stored.digest, settingsInput) && Date.now() < failure.until) {
      await this.setPhase(module, 'Error', failure.message);
      return {};
    }
    const refused = this.refused.get(module);
    if (stored && refused?.fingerprint === fingerprint(version, stored.digest, settingsInput)) {
      await this.setPhase(module, 'Error', refused.message);
      return { settingsError: refused.settingsError };
    }

    if (!stored) await this.setPhase(module, 'Downloading');
    let bundle;
    try {
      ({ bundle } = await this.options.store.ensure(this.options.registry, registrySettings, repository, module, version, signal));
    } catch (err) {
      log.warn({ err, reason: 'download failed' }, 'module download failed');
      await this.setPhase(module, 'Error', `download ${registrySettings.host}/${repository}:${version}: ${(err as Error).message}`);
      if ((err as { retryable?: boolean }).retryable) throw err;
      return {};
    }
    const bundleDir = this.options.store.path(module, version);
    const namespace = await namespaceOf(bundleDir, module);
    const description = fingerprint(version, bundle.digest, settingsInput);

    // After a restart: Helm's release says what is installed.
    const current = await this.options.helm.status(module, namespace, signal).catch(() => undefined);
    if (current?.status === 'deployed' && current.description === description) {
      this.installed.set(module, description);
      await this.setPhase(module, 'Ready');
      return {};
    }

    await this.setPhase(module, 'Installing');
    if (this.options.lintGate) {
      const gate = decideLintGate(await lint(bundleDir), this.options.lintGate);
      if (!gate.allowed) {
        log.warn({ reason: gate.message }, 'module refused by the lint gate');
        this.refused.set(module, { fingerprint: description, message: gate.message });
        await this.setPhase(module, 'Error', gate.message);
        return {};
      }
    }
    const validation = await validateSettings(bundleDir, settingsInput);
    if (!validation.ok) {
      log.warn({ reason: validation.message }, 'module settings are invalid');
      const message = `invalid settings: ${validation.message}`;
      this.refused.set(module, { fingerprint: description, message, settingsError: validation.message });
      await this.setPhase(module, 'Error', message);
      return { settingsError: validation.message };
    }
    this.refused.delete(module);
    const work = await mkdtemp(join(tmpdir(), `modsync-values-${module}-`));
    try {
      const valuesFile = join(work, 'values.json');
      await writeFile(valuesFile, JSON.stringify(helmValues(module, validation.settings)), { mode: 0o600 });
      const started = performance.now();
      await this.options.helm.upgradeInstall(module, bundleDir, namespace, valuesFile, description, signal);
      this.installed.set(module, description);
      this.failed.delete(module);
      log.info({ version, namespace, durationMs: Math.round(performance.now() - started) }, 'module installed');
      await this.setPhase(module, 'Ready');
    } catch (err) {
      const message = err instanceof HelmError ? `helm upgrade --install ${module}: ${err.message}` : (err as Error).message;
      const attempts = (this.failed.get(module)?.fingerprint === description ? this.failed.get(module)!.attempts : 0) + 1;
      const backoffMs = Math.min(600_000, 30_000 * 2 ** (attempts - 1));
      this.failed.set(module, { fingerprint: description, message, attempts, until: Date.now() + backoffMs });
      log.warn({ err, reason: message, attempt: attempts, retryInMs: backoffMs }, 'module install failed');
      await this.setPhase(module, 'Error', message);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return {};
  }

  /** Writes the Module's phase, READY column and conditions, only when they differ (optimistic, by resourceVersion). */
  private async setPhase(module: string, phase: InstallPhase, message?: string): Promise<void> {
    const desired = installStatus(phase, message);
    for (let attempt = 0; attempt < 3; attempt++) {
      const live: Module | undefined = await this.options.kube.get(Modules, module);
      if (!live) return;
      const merged = mergeConditions(live.status?.conditions, desired.conditions, (this.options.now ?? (() => new Date()))());
      if (live.status?.phase === desired.phase && live.status?.ready === desired.ready && !merged.changed) return;
      try {
        await this.options.kube.mergePatch(Modules, module, {
          metadata: { resourceVersion: live.metadata.resourceVersion },
          status: { phase: desired.phase, ready: desired.ready, conditions: merged.conditions },
        }, { subresource: 'status' });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }
}
