/** True for the project's simulator (any loopback endpoint), false for Runway itself. */
export function isSimulatorUrl(url: string | undefined): boolean {
  if (!url) return true;
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]' || !host.endsWith('runwayml.com');
}

/** The demo never spends real credits by accident: a Runway endpoint needs --live. */
export function refuseRealCreditsUnlessLive(env: NodeJS.ProcessEnv, live: boolean): void {
  if (live || isSimulatorUrl(env.RUNWAYML_BASE_URL)) return;
  throw new Error(
    `RUNWAYML_BASE_URL=${env.RUNWAYML_BASE_URL} is Runway itself: the demo would spend real credits. Unset it to use the simulator, or pass --live (npm start -- --live).`,
  );
}
