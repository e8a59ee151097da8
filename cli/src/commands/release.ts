import { RELEASE_ANNOTATIONS } from '@modsync/dkp';
import { KubeApiError, ModuleReleases } from '@modsync/k8s';
import { errorText, kubeOptions, openKube } from '../common.ts';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';

/** A release the applier has not processed yet has no phase: it counts as Pending (as `modsync_releases` does). */
function phaseOf(release: { status?: { phase?: string } }): string {
  return release.status?.phase || 'Pending';
}

/**
 * Sets `modules.deckhouse.io/approved: "true"` on a Pending ModuleRelease (a merge patch of its annotations, made at the
 * resourceVersion it was checked at, so a release that left Pending meanwhile is not approved behind the user's back).
 */
async function approve(args: ParsedArgs, io: IO): Promise<number> {
  const [name, ...extra] = args.positionals;
  if (!name || extra.length > 0) {
    io.stderr.write(
      'modsync release approve: name exactly one ModuleRelease (modsync release approve <name>, e.g. console-v1.2.4)\n',
    );
    return 2;
  }
  const kube = await openKube(args, io, 'release approve');
  if (!kube) return 1;
  try {
    for (let attempt = 1; ; attempt += 1) {
      const release = await kube.get(ModuleReleases, name);
      if (!release) {
        io.stderr.write(
          `modsync release approve: ModuleRelease ${name} not found (kubectl get mr lists them; names are <module>-<version>)\n`,
        );
        return 1;
      }
      const phase = phaseOf(release);
      if (phase !== 'Pending') {
        io.stderr.write(
          `modsync release approve: ModuleRelease ${name} is ${phase}, not Pending: only a Pending release waits for approval\n`,
        );
        return 1;
      }
      if (release.metadata.annotations?.[RELEASE_ANNOTATIONS.approved] === 'true') {
        io.stdout.write(`ModuleRelease ${name} is already approved\n`);
        return 0;
      }
      try {
        await kube.mergePatch(ModuleReleases, name, {
          metadata: {
            resourceVersion: release.metadata.resourceVersion,
            annotations: { [RELEASE_ANNOTATIONS.approved]: 'true' },
          },
        });
      } catch (err) {
        // Someone wrote the release since we read it (the applier, most likely): look at it again.
        if (err instanceof KubeApiError && err.reason === 'Conflict' && attempt < 3) continue;
        throw err;
      }
      io.stdout.write(
        `ModuleRelease ${name} approved (the applier deploys it when nothing else holds it; kubectl get mr ${name} shows its phase)\n`,
      );
      return 0;
    }
  } catch (err) {
    io.stderr.write(`modsync release approve: ${errorText(err)}\n`);
    return 1;
  } finally {
    await kube.close();
  }
}

export const releaseCommand: Command = {
  name: 'release',
  summary: 'act on ModuleReleases (approve a Pending one)',
  subcommands: [
    {
      name: 'approve',
      summary: 'approve a Pending ModuleRelease: annotation modules.deckhouse.io/approved="true"',
      usage: '<name>',
      description: [
        'The kubectl equivalent: kubectl annotate mr <name> modules.deckhouse.io/approved="true".',
        'Refuses a release that does not exist or is not Pending (it says the phase).',
      ].join('\n'),
      options: { ...kubeOptions },
      run: approve,
    },
  ],
};
