/** Every Redis key and group name of the applier, built in one place from the configured prefix. */
export function applierKeys(prefix: string) {
  return {
    /** Stream prefix of the syncer's discovery events (services/syncer/src/keys.ts writes the same). */
    events: `${prefix}:events`,
    /** The consumer group every applier replica joins: each event goes to one replica. */
    group: 'applier',
    /** Prefix of the per-module install locks (`<prefix>:install-lock:<module>`, value `<identity>/<random>`). */
    installLock: `${prefix}:install-lock`,
    /** Hash module → namespace of every module a replica installed, so any replica can uninstall it. */
    installed: `${prefix}:installed-modules`,
    /** Hash module → its last failed install (fingerprint, message, attempts, until): the backoff every replica keeps. */
    installFailures: `${prefix}:install-failures`,
  };
}
