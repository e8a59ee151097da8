import { createHash, timingSafeEqual } from 'node:crypto';

/** Credentials that guard the HTTP API and the dashboard: a bearer token and/or basic auth. */
export interface HttpCredentials {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

// Compares digests, which have one length: the time taken tells nothing, not even the length of the secret.
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function hasCredentials(credentials: HttpCredentials): boolean {
  return Boolean(credentials.token || (credentials.username && credentials.password));
}

/** Whether an Authorization header matches the credentials (constant-time comparison). */
export function isAuthorized(header: string | undefined, credentials: HttpCredentials): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer' && credentials.token) return same(value, credentials.token);
  if (scheme?.toLowerCase() === 'basic' && credentials.username && credentials.password) {
    return same(Buffer.from(value, 'base64').toString(), `${credentials.username}:${credentials.password}`);
  }
  return false;
}

/** Loopback addresses, where an unauthenticated dashboard may listen. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
