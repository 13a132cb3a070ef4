import type { SimulatorSnapshot } from '../../simulator/state';
export async function simStats(adminUrl: string): Promise<SimulatorSnapshot> {
  const response = await fetch(`${adminUrl}/stats`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`simulator stats answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SimulatorSnapshot;
}
