/**
 * Realistic readings for the simulator: each device a level with slow drift and Gaussian jitter,
 * and now and then an injected spike far outside its jitter, which the detectors should find.
 */

export interface SimulatedReading {
  deviceId: string;
  metric: string;
  value: number;
  at: string;
}

export interface InjectedAnomaly {
  deviceId: string;
  metric: string;
  at: string;
}

/** A seeded generator (an LCG), so a run is repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
}

/** Box–Muller: one standard normal draw. */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

export interface FleetOptions {
  devices: number;
  /** readings each device sends before any spike, so its detector is warm */
  warmup: number;
  /** chance of a spike per reading once warm */
  anomalyRate: number;
  /** readings between two spikes of one device at least, so its detector settles again */
  spacing: number;
  seed: number;
}

interface Device {
  id: string;
  level: number;
  jitter: number;
  phase: number;
  sent: number;
  lastSpike: number;
}

/** A fleet of thermometers: readings on demand, and the spikes injected into them. */
export class Fleet {
  private readonly devices: Device[];
  private readonly next: () => number;
  readonly injected: InjectedAnomaly[] = [];
  private cursor = 0;

  constructor(private readonly options: FleetOptions) {
    this.next = seededRandom(options.seed);
    this.devices = Array.from({ length: options.devices }, (_, i) => ({
      id: `sim-${String(i).padStart(5, '0')}`,
      level: 15 + 10 * this.next(),
      jitter: 0.2 + 0.6 * this.next(),
      phase: 2 * Math.PI * this.next(),
      sent: 0,
      lastSpike: -Infinity,
    }));
  }

  /** The next `count` readings, devices taking turns, dated `at` (a device's later ones a millisecond later each). */
  take(count: number, at: number): SimulatedReading[] {
    const readings: SimulatedReading[] = [];
    const perDevice = new Map<Device, number>();
    for (let i = 0; i < count; i++) {
      const device = this.devices[this.cursor % this.devices.length] as Device;
      this.cursor++;
      // A device's readings of one call a millisecond apart: (device, metric, at) is the series' key.
      const k = perDevice.get(device) ?? 0;
      perDevice.set(device, k + 1);
      const time = new Date(at + k).toISOString();
      const drift = 2 * device.jitter * Math.sin(device.phase + (at / 300_000) * 2 * Math.PI);
      let value = device.level + drift + device.jitter * gaussian(this.next);
      const warm = device.sent >= this.options.warmup;
      if (
        warm &&
        device.sent - device.lastSpike >= this.options.spacing &&
        this.next() < this.options.anomalyRate
      ) {
        const size = 10 + 10 * this.next();
        value += (this.next() < 0.5 ? -1 : 1) * size * device.jitter;
        device.lastSpike = device.sent;
        this.injected.push({ deviceId: device.id, metric: 'temperature', at: time });
      }
      device.sent++;
      readings.push({
        deviceId: device.id,
        metric: 'temperature',
        value: Math.round(value * 1000) / 1000,
        at: time,
      });
    }
    return readings;
  }
}
