const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Go's `02 Jan 2006 15:04 MST` in UTC, as DKP prints times in release messages: `27 Nov 2026 13:30 UTC`. */
export function formatMessageTime(at: Date): string {
  const month = MONTHS[at.getUTCMonth()] ?? '';
  return `${two(at.getUTCDate())} ${month} ${at.getUTCFullYear()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())} UTC`;
}

/** RFC 3339 in UTC with whole seconds (`2024-12-12T10:49:41Z`), as Kubernetes serialises metav1.Time. */
export function formatKubeTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
