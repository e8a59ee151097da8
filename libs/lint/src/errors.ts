/** Errors of @modsync/lint: a class per failure, a fixed `name` and a stable `code`. */

class LintError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LintError';
    this.code = code;
  }
}

/** A file is larger than the linter reads. */
export class FileTooLargeError extends LintError {
  readonly path: string;
  readonly size: number;
  constructor(path: string, size: number, limit: number) {
    super('MODSYNC_LINT_FILE_TOO_LARGE', `file ${path} is ${size} bytes, over the ${limit} byte limit`);
    this.name = 'FileTooLargeError';
    this.path = path;
    this.size = size;
  }
}

/** A file holds binary data where text was expected. */
export class BinaryFileError extends LintError {
  readonly path: string;
  constructor(path: string) {
    super('MODSYNC_LINT_BINARY_FILE', `file ${path} is not a text file`);
    this.name = 'BinaryFileError';
    this.path = path;
  }
}

/** `helm template` failed in a way that cannot be narrowed to one template. */
export class HelmRenderError extends LintError {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super('MODSYNC_LINT_HELM_RENDER_FAILED', message);
    this.name = 'HelmRenderError';
    this.stderr = stderr;
  }
}

/** The lint config file could not be read. */
export class ConfigError extends LintError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('MODSYNC_LINT_CONFIG_INVALID', `${path}: ${message}`, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** Sending metrics by remote-write failed (never fatal to a lint run). */
export class MetricsSendError extends LintError {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number, options?: { cause?: unknown }) {
    super('MODSYNC_LINT_METRICS_SEND_FAILED', message, options);
    this.name = 'MetricsSendError';
    this.statusCode = statusCode;
  }
}
