import { readFileSync } from 'node:fs';
import { isPortFree, pickFreePorts, portRange } from '../../stack/ports';

/** The kernel's ephemeral range (source ports of outgoing connections), where it can be read. */
function ephemeralRangeStart(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
}

describe('pickFreePorts', () => {
  it('gives distinct ports that are free, outside the range outgoing connections take their source ports from', async () => {
    const ports = await pickFreePorts('127.0.0.1', 12);
    expect(new Set(ports).size).toBe(12);
    for (const port of ports) expect(await isPortFree('127.0.0.1', port)).toBe(true);
    // A later pick in the same process never repeats an earlier one (its service may not have bound it yet).
    const later = await pickFreePorts('127.0.0.1', 12);
    expect(later.filter((port) => ports.includes(port))).toEqual([]);
    const { min, max } = portRange();
    for (const port of [...ports, ...later]) {
      expect(port).toBeGreaterThanOrEqual(min);
      expect(port).toBeLessThanOrEqual(max);
    }
    const start = ephemeralRangeStart();
    if (start !== undefined && start > 20_000) {
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(10_000);
        expect(port).toBeLessThan(start);
      }
    }
  });
});

describe('portRange', () => {
  it('gives each jest worker (and the parent, as 0) ports no other picks from, each fitting a smallint', () => {
    const ranges = ['0', '1', '2', '3'].map((id) => portRange(id));
    for (const [index, range] of ranges.entries()) {
      expect(range.max - range.min).toBeGreaterThan(1_000);
      expect(range.max).toBeLessThanOrEqual(32_767);
      for (const other of ranges.slice(index + 1)) expect(range.max < other.min || other.max < range.min).toBe(true);
    }
  });
});
