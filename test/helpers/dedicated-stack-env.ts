/** The environment for a stack of a test's own: nothing of the shared test stack's (or a developer's) settings. */
export function envWithoutStackOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefixes = ['SIM_', 'STACK_', 'TEMPORAL_', 'S3_', 'RUNWAYML_'];
  return Object.fromEntries(Object.entries(env).filter(([key]) => !prefixes.some((prefix) => key.startsWith(prefix))));
}
