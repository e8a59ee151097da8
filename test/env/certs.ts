import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './process.ts';

/** PEM files of a test PKI made with openssl: a CA, a serving cert, an admin client cert and an RSA key pair. */
export interface TestPki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** For service-account tokens. */
  saKey: string;
  saPub: string;
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  ext: string,
  ca: { cert: string; key: string },
): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, ext);
  await run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  // A random serial per certificate: -CAcreateserial would have parallel issues race on one serial file.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    serial,
    '-out',
    join(dir, `${name}.crt`),
    '-days',
    '365',
    '-extfile',
    extFile,
  ]);
}

/** Creates a fresh PKI in `dir`. Server SANs: localhost, 127.0.0.1, ::1. */
export async function createTestPki(dir: string, caName = 'modsync-test-ca'): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '3650',
    '-subj',
    `/CN=${caName}`,
  ]);
  await Promise.all([
    issue(
      dir,
      'server',
      '/CN=localhost',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n',
      ca,
    ),
    issue(dir, 'client', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n', ca),
    (async () => {
      await run('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048']);
      await run('openssl', ['rsa', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
    })(),
  ]);
  return {
    dir,
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
}
