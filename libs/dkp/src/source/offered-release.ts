/** One `ModuleSource.status.modules[]` entry, as far as an offer reads it: a `@modsync/k8s` entry passes. */
export interface SourceModuleEntry {
  name: string;
  version?: string | undefined;
  checksum?: string | undefined;
  policy?: string | undefined;
  pullError?: string | undefined;
  error?: string | undefined;
}

/**
 * The release a source's status offers for a module whose effective channel is `channel` (§2, §9). The status holds
 * one channel only: the one of the policy named in the entry (`channelOf` resolves a policy name to its channel now,
 * `""` = embedded; `undefined` = that policy is gone), so its version counts only when that is `channel`. An entry
 * without a version or checksum (`unknown`, a pull error) offers nothing.
 */
export function offeredRelease(
  entry: SourceModuleEntry,
  channel: string,
  channelOf: (policy: string) => string | undefined,
): { version: string; checksum: string } | undefined {
  const { version, checksum } = entry;
  if (channelOf(entry.policy ?? '') !== channel) return undefined;
  if (version === undefined || version === '' || version === 'unknown' || checksum === undefined || checksum === '')
    return undefined;
  return { version, checksum };
}
