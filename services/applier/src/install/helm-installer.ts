import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultModuleNamespace,
  formatVersion,
  moduleNamespace,
  moduleRepository,
  type InstallPhase,
  type ModuleFailure,
} from '@modsync/dkp';
import type { ModuleConfig } from '@modsync/k8s';
import { parseRegistrySettings, type RegistryClient } from '@modsync/registry';
import { decideLintGate, lint } from '@modsync/lint';
import type { Logger, RedisLock, RedisLocks } from '@modsync/runtime';
import type { InstallRequest, InstallResult, Installer } from '../installer.ts';
import { HelmError, type Helm } from './helm.ts';
import { backingOff, decideHelmAction, failedInstall, type FailedInstall } from './helm-state.ts';
import type { InstallRecords } from './install-records.ts';
import type { ModuleStore } from './module-store.ts';
import { helmValues, validateSettings } from './module-values.ts';

export interface HelmInstallerOptions {
  registry: RegistryClient;
  store: ModuleStore;
  helm: Helm;
  /** Per-module locks shared with every other replica: one install of a module at a time across the fleet. */
  locks: RedisLocks;
  /** What the replicas share about installs: where each module lives, each module's failed-install backoff. */
  records: InstallRecords;
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
}

/**
 * A module whose install lock another replica holds is looked at again after this long: if that replica died, its lock
 * (30 s TTL) will have expired by the second or third look.
 */
const LOCK_HELD_RECHECK_MS = 15_000;

/** What a module's install was made from: the Helm release's description, so a restart can tell it is current. */
function fingerprint(version: string, digest: string, settings: unknown): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(settings ?? {}))
    .digest('hex')
    .slice(0, 16);
  return `modsync ${version} ${digest.slice(0, 19)} settings=${hash}`;
}

/** The bundle's `module.yaml` namespace, DKP's default without one, or why its module.yaml is refused. */
async function namespaceOf(bundleDir: string, module: string): Promise<{ namespace: string } | { error: string }> {
  let text: string | undefined;
  try {
    text = await readFile(join(bundleDir, 'module.yaml'), 'utf8');
  } catch {
    // No module.yaml: the default namespace.
  }
  return moduleNamespace(module, text);
}

/**
 * The helm installer (services/applier/README.md "Installing"): pulls the module bundle of the Deployed release into the module store (blobs verified),
 * validates the ModuleConfig's settings against the bundle's schema, and `helm upgrade --install`s its chart into the
 * module's namespace (release name = module name), moving the Module through Downloading → Installing → Ready, or
 * Error with the registry's, the schema's or Helm's own message. Level-triggered: an install that matches the Deployed
 * release and settings (remembered, or read from Helm's release description before any download) is left alone.
 *
 * Every replica runs one: all work on a module happens under its install lock (Redis), and a replica that finds the
 * lock taken leaves the module, phases included, to the holder. Holding the lock, a pending Helm release can only be
 * an interrupted operation (a replica killed mid-install), so it is rolled back or removed, then installed again.
 */
export class HelmInstaller implements Installer {
  private readonly options: HelmInstallerOptions;
  private readonly installed = new Map<string, string>();
  /** Fingerprints refused for a reason only a new release or new settings can change (schema, lint gate). */
  private readonly refused = new Map<string, { fingerprint: string; failure: ModuleFailure; settingsError?: string }>();
  private readonly running = new Map<string, Promise<unknown>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: HelmInstallerOptions) {
    this.options = options;
  }

  async ensure(request: InstallRequest, signal: AbortSignal): Promise<InstallResult> {
    return this.serialized(request.module, async () => {
      const held = await this.options.locks.withLock(request.module, (lock) =>
        this.install(request, lock, AbortSignal.any([signal, lock.signal])),
      );
      return held?.value ?? this.leftToHolder(request.module);
    });
  }

  remove(module: string, signal: AbortSignal): Promise<InstallResult> {
    return this.serialized(module, async () => {
      // Installed by any replica: the shared record says where. Nothing recorded and nothing known here: nothing to
      // uninstall (one HGET per disabled module, no helm call).
      const recorded = await this.options.records.namespaceOf(module);
      if (
        recorded === undefined &&
        !this.installed.has(module) &&
        (await this.namespaceFromStore(module)) === undefined
      )
        return {};
      const held = await this.options.locks.withLock(module, async (lock): Promise<InstallResult> => {
        const namespace = recorded ?? (await this.namespaceFromStore(module)) ?? defaultModuleNamespace(module);
        await this.options.helm.uninstall(module, namespace, AbortSignal.any([signal, lock.signal]));
        await this.options.records.forget(module);
        this.installed.delete(module);
        this.refused.delete(module);
        await this.options.store.prune(module, []);
        this.options.log.info({ module, namespace }, 'module uninstalled');
        return {};
      });
      return held?.value ?? this.leftToHolder(module);
    });
  }

  /**
   * Another replica holds the module's install lock: the module is left to it, phases included, and looked at again
   * later (the holder may die). Redis failing makes withLock throw LockUnavailableError: retried, never run unlocked.
   */
  private leftToHolder(module: string): InstallResult {
    this.options.log.debug({ module }, 'install lock held by another replica; looking again later');
    return { requeueAfterMs: LOCK_HELD_RECHECK_MS };
  }

  private async namespaceFromStore(module: string): Promise<string | undefined> {
    try {
      for (const version of await readdir(join(this.options.store.root, module))) {
        if (version.startsWith('.')) continue;
        const found = await namespaceOf(this.options.store.path(module, version), module);
        // A refused module.yaml was never installed from: nothing there to find.
        return 'namespace' in found ? found.namespace : undefined;
      }
    } catch {
      // Nothing stored: the default namespace.
    }
    return undefined;
  }

  /** One install per module at a time (calls queue behind each other), at most `concurrency` modules at once. */
  private async serialized<T>(module: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.running.get(module) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        await this.acquire();
        try {
          return await fn();
        } finally {
          this.release();
        }
      });
    this.running.set(module, next);
    try {
      return await next;
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

  private async install(request: InstallRequest, lock: RedisLock, signal: AbortSignal): Promise<InstallResult> {
    const { module, release, source } = request;
    const log = this.options.log.child({ module, release: release.metadata.name });
    const version = formatVersion(release.spec.version);
    const settingsInput = this.options.moduleConfig(module)?.spec?.settings;
    // Phases are the lock holder's: past a lost lock another replica may be writing them.
    // Written by the reconcile's writer (the one writer of Module status), with the failure table's reason and next step.
    const setPhase = (phase: InstallPhase, failure?: ModuleFailure) => {
      lock.signal.throwIfAborted();
      return request.status(phase, failure);
    };
    if (!source) {
      await setPhase('Error', { kind: 'SourceNotFound', detail: release.metadata.name });
      return {};
    }
    let registrySettings;
    try {
      registrySettings = parseRegistrySettings(source.spec.registry);
    } catch (err) {
      await setPhase('Error', { kind: 'InvalidRegistrySettings', detail: (err as Error).message });
      return {};
    }
    const repository = moduleRepository(registrySettings.pathPrefix, module);

    // Fast path: this process installed exactly this (no registry or helm call).
    const stored = await this.options.store.stored(module, version);
    const storedFingerprint = stored ? fingerprint(version, stored.digest, settingsInput) : undefined;
    if (storedFingerprint && this.installed.get(module) === storedFingerprint) {
      await setPhase('Ready');
      return {};
    }
    // A failed install of the same release and settings, on any replica, holds it back until its backoff ends; the
    // module is looked at again then.
    const failure = await this.options.records.failure(module);
    const inBackoff = (fp: string) => backingOff(failure, fp, Date.now());
    const heldBack = async (f: FailedInstall): Promise<InstallResult> => {
      await setPhase('Error', { kind: 'InstallFailed', detail: f.message });
      return { requeueAfterMs: Math.max(0, f.until - Date.now()) + 50 };
    };
    const storedFailure = storedFingerprint ? inBackoff(storedFingerprint) : undefined;
    if (storedFailure) return heldBack(storedFailure);
    const refused = this.refused.get(module);
    if (storedFingerprint && refused?.fingerprint === storedFingerprint) {
      await setPhase('Error', refused.failure);
      return { settingsError: refused.settingsError };
    }

    // Before downloading anything: what the registry serves now and what Helm has, so a replica that did not install
    // the current release itself (a fresh pod) sees it is current without a download or a Downloading phase.
    const downloadFailed = async (err: unknown): Promise<InstallResult> => {
      log.warn({ err, reason: 'download failed' }, 'module download failed');
      const retryable = (err as { retryable?: boolean }).retryable === true;
      await setPhase('Error', {
        kind: retryable ? 'DownloadFailed' : 'DownloadRefused',
        detail: `${registrySettings.host}/${repository}:${version}: ${(err as Error).message}`,
      });
      if (retryable) throw err;
      return {};
    };
    let digest: string;
    try {
      ({ digest } = await this.options.registry.headManifest(registrySettings, repository, version, { signal }));
    } catch (err) {
      return downloadFailed(err);
    }
    const description = fingerprint(version, digest, settingsInput);
    const digestFailure = inBackoff(description);
    if (digestFailure) return heldBack(digestFailure);
    const releaseNamespace = await this.options.helm.find(module, signal);
    const action = decideHelmAction(
      releaseNamespace ? await this.options.helm.history(module, releaseNamespace, signal) : [],
      description,
    );
    if (action.kind === 'current') {
      this.installed.set(module, description);
      await this.options.records.recordInstalled(module, releaseNamespace!);
      await setPhase('Ready');
      return {};
    }
    if (releaseNamespace && (action.kind === 'rollback' || action.kind === 'uninstall')) {
      if (action.kind === 'rollback') await this.options.helm.rollback(module, releaseNamespace, action.to, signal);
      else await this.options.helm.uninstall(module, releaseNamespace, signal);
      log.info(
        { status: action.status, revision: action.revision, action: action.kind, namespace: releaseNamespace },
        'recovered an interrupted helm operation',
      );
    }

    if (!stored) await setPhase('Downloading');
    try {
      await this.options.store.ensure(
        this.options.registry,
        registrySettings,
        repository,
        module,
        version,
        digest,
        signal,
      );
    } catch (err) {
      return downloadFailed(err);
    }
    const bundleDir = this.options.store.path(module, version);
    const definition = await namespaceOf(bundleDir, module);
    if ('error' in definition) {
      log.warn({ reason: definition.error }, 'module definition refused');
      const failure: ModuleFailure = {
        kind: 'InvalidModuleDefinition',
        detail: `${registrySettings.host}/${repository}:${version}: ${definition.error}`,
      };
      this.refused.set(module, { fingerprint: description, failure });
      await setPhase('Error', failure);
      return {};
    }
    const { namespace } = definition;

    await setPhase('Installing');
    if (this.options.lintGate) {
      const gate = decideLintGate(await lint(bundleDir), this.options.lintGate);
      if (!gate.allowed) {
        log.warn({ reason: gate.message }, 'module refused by the lint gate');
        const failure: ModuleFailure = { kind: 'LintRefused', detail: gate.message };
        this.refused.set(module, { fingerprint: description, failure });
        await setPhase('Error', failure);
        return {};
      }
    }
    const validation = await validateSettings(bundleDir, settingsInput);
    if (!validation.ok) {
      log.warn({ reason: validation.message }, 'module settings are invalid');
      const failure: ModuleFailure = { kind: 'InvalidSettings', detail: validation.message };
      this.refused.set(module, { fingerprint: description, failure, settingsError: validation.message });
      await setPhase('Error', failure);
      return { settingsError: validation.message };
    }
    this.refused.delete(module);
    // Recorded before helm runs: a replica killed mid-install leaves a record, so a later disable still uninstalls.
    await this.options.records.recordInstalled(module, namespace);
    const work = await mkdtemp(join(tmpdir(), `modsync-values-${module}-`));
    try {
      const valuesFile = join(work, 'values.json');
      await writeFile(valuesFile, JSON.stringify(helmValues(module, validation.settings)), { mode: 0o600 });
      const started = performance.now();
      await this.options.helm.upgradeInstall(module, bundleDir, namespace, valuesFile, description, signal);
      this.installed.set(module, description);
      if (failure) await this.options.records.clearFailure(module);
      log.info({ version, namespace, durationMs: Math.round(performance.now() - started) }, 'module installed');
      await setPhase('Ready');
    } catch (err) {
      // Stopped because the lock was lost: the next holder recovers the interrupted release; no backoff, no phase.
      lock.signal.throwIfAborted();
      const message =
        err instanceof HelmError ? `helm upgrade --install ${module}: ${err.message}` : (err as Error).message;
      const record = failedInstall(failure, description, message, Date.now());
      await this.options.records.recordFailure(module, record);
      log.warn(
        { err, reason: message, attempt: record.attempts, retryInMs: record.until - Date.now() },
        'module install failed',
      );
      await setPhase('Error', { kind: 'InstallFailed', detail: message });
      return { requeueAfterMs: record.until - Date.now() + 50 };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return {};
  }
}
