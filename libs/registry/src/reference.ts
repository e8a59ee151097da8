// Grammar of the distribution spec: repository names, tags and digests. Pure, table-tested.
import { RegistryBadReferenceError } from './errors.ts';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([A-Za-z0-9=_-]+)$/;

/** Digest algorithms this lib can verify, with the length of their hex encoding. */
const VERIFIABLE: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export type ParsedReference =
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'digest'; readonly algorithm: 'sha256' | 'sha512'; readonly hex: string; readonly digest: string };

/** True for a repository path such as `deckhouse/modules/module-one/release` (lowercase, no leading or trailing `/`). */
export function isValidRepository(repository: string): boolean {
  return repository.length > 0 && repository.length <= 255 && REPOSITORY_RE.test(repository);
}

/** True for a digest this lib can verify: `sha256:<64 hex>` or `sha512:<128 hex>`, lowercase. */
export function isValidDigest(digest: string): boolean {
  const m = DIGEST_RE.exec(digest);
  if (m === null) return false;
  const hexLength = VERIFIABLE[m[1]!];
  return hexLength !== undefined && m[2]!.length === hexLength && /^[a-f0-9]+$/.test(m[2]!);
}

/** True for a tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** A manifest reference is a tag or a verifiable digest; anything else throws RegistryBadReferenceError. */
export function parseReference(reference: string): ParsedReference {
  if (isValidTag(reference)) return { kind: 'tag', tag: reference };
  if (isValidDigest(reference)) {
    const colon = reference.indexOf(':');
    return {
      kind: 'digest',
      algorithm: reference.slice(0, colon) as 'sha256' | 'sha512',
      hex: reference.slice(colon + 1),
      digest: reference,
    };
  }
  throw new RegistryBadReferenceError(
    `invalid reference ${JSON.stringify(reference)}: not a tag or a sha256/sha512 digest`,
    {
      reference,
    },
  );
}

export function assertRepository(repository: string): void {
  if (!isValidRepository(repository)) {
    throw new RegistryBadReferenceError(`invalid repository ${JSON.stringify(repository)}`, { repository });
  }
}

export function assertDigest(digest: string, repository?: string): void {
  if (!isValidDigest(digest)) {
    throw new RegistryBadReferenceError(
      `invalid digest ${JSON.stringify(digest)}: expected sha256:<hex> or sha512:<hex>`,
      {
        reference: digest,
        repository,
      },
    );
  }
}
