// What @kubernetes/client-node's KubeConfig (dist/config.js) takes from its generated package ('./gen/index.js'):
// createConfiguration and ServerConfiguration, for makeApiClient. Bundles load only these two instead of gen/index.js,
// which also loads every generated model and API class (about 560 kB of bundle, 7.5 MB RSS; docs in libs/k8s/README.md).
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
