// Redirects as a request-level layer (auth lives in ../auth/auth-layer.ts; retries and limits are interceptors).
import type { Layer } from './types.ts';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Follow redirects of GET/HEAD (blob storage); credentials are never sent to another origin. */
export function redirectLayer(maxRedirects: number): Layer {
  return (next) => async (request) => {
    let current = request;
    for (let hops = 0; ; hops++) {
      const response = await next(current);
      const location = response.headers.location;
      if (
        !REDIRECT_STATUSES.has(response.statusCode) ||
        (current.method !== 'GET' && current.method !== 'HEAD') ||
        typeof location !== 'string' ||
        hops >= maxRedirects
      ) {
        return response;
      }
      const url = new URL(location, current.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return response;
      current = { ...current, url, anonymous: current.anonymous === true || url.origin !== request.settings.origin };
    }
  };
}
