import { buildIdOf, codeVersion } from '../../infra/code-version';
import { parseEnv, workerEnvSchema } from '../../schemas/env';
import { workerDeploymentVersion } from '../../worker/versioning';

const base = { RUNWAYML_API_SECRET: 'key' };

test('a worker without a deployment name is unversioned; with one it polls as <name>, <version>+<commit> unless a build id is given', () => {
  expect(workerDeploymentVersion(parseEnv(workerEnvSchema, base))).toBeUndefined();
  expect(workerDeploymentVersion(parseEnv(workerEnvSchema, { ...base, TEMPORAL_WORKER_DEPLOYMENT_NAME: ' ' }))).toBeUndefined();

  const code = codeVersion();
  const derived = workerDeploymentVersion(parseEnv(workerEnvSchema, { ...base, TEMPORAL_WORKER_DEPLOYMENT_NAME: 'runway-temporal' }));
  expect(derived).toEqual({ deploymentName: 'runway-temporal', buildId: buildIdOf(code) });
  expect(derived!.buildId).toMatch(new RegExp(`^${code.packageVersion.replace(/\./g, '\\.')}\\+[0-9a-f]{12}(\\.dirty)?$`));

  const given = parseEnv(workerEnvSchema, {
    ...base,
    TEMPORAL_WORKER_DEPLOYMENT_NAME: 'runway-temporal',
    TEMPORAL_WORKER_BUILD_ID: '2026.12.1',
  });
  expect(workerDeploymentVersion(given)).toEqual({ deploymentName: 'runway-temporal', buildId: '2026.12.1' });
});

test('a deployment name Temporal would refuse is refused at start, naming the variable', () => {
  for (const name of ['runway.temporal', 'runway:temporal', '__runway'])
    expect(() => parseEnv(workerEnvSchema, { ...base, TEMPORAL_WORKER_DEPLOYMENT_NAME: name })).toThrow(
      /TEMPORAL_WORKER_DEPLOYMENT_NAME: a deployment name has no "\." or ":"/,
    );
  expect(() => parseEnv(workerEnvSchema, { ...base, TEMPORAL_WORKER_BUILD_ID: 'two words' })).toThrow(/TEMPORAL_WORKER_BUILD_ID/);
});

test('outside a git checkout a build id must be given', () => {
  expect(buildIdOf({ packageVersion: '0.1.0', commit: undefined, dirty: false })).toBeUndefined();
  expect(buildIdOf({ packageVersion: '0.1.0', commit: 'abcdef0123456789', dirty: true })).toBe('0.1.0+abcdef012345.dirty');
});
