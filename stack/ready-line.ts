/** `✔ temporal  ready  127.0.0.1:7233  (Web UI http://127.0.0.1:8233)` */
export function readyLine(service: string, endpoint: string, detail?: string): string {
  const suffix = detail ? `  (${detail})` : '';
  return `✔ ${service.padEnd(9)} ready  ${endpoint}${suffix}`;
}
