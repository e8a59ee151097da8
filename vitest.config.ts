import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic and real loopback sockets (seconds, no servers to start);
// `integration` talks to the real environment (kube-apiserver, Redis, registry) started by test/env's global setup.
// `chaos` breaks servers on purpose (test/chaos: Redis failover and loss, API server down, bad input) and prints a summary.
// `node` starts a real node (test/env/node.ts): pods really run; scripts/test.sh runs it after the others, as root only.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'libs/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'cli/src/**/*.test.ts',
            'bench/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/env/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/chaos/global-setup.ts'],
          // Each scenario bounds its own waits; these only catch a hung one.
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
