// Where the time of a timed section went: CPU of this Node process and of the whole machine
// (Postgres included), in percent of one core, to tell Node-bound from database-bound runs.
import os from "node:os";

export interface CpuUse {
  /** CPU time of this process over wall time, in % of one core. */
  readonly nodeCpuPct: number;
  /** Busy time of all cores over wall time, in % of one core (200 = both cores of a 2-core box). */
  readonly machineCpuPct: number;
}

/** Starts measuring; the returned function stops and reports. */
export function startCpuMeter(): () => CpuUse {
  const wallStart = performance.now();
  const processStart = process.cpuUsage();
  const machineStart = machineBusyMs();
  return () => {
    const wallMs = performance.now() - wallStart;
    const used = process.cpuUsage(processStart);
    return {
      nodeCpuPct: ((used.user + used.system) / 1000 / wallMs) * 100,
      machineCpuPct: ((machineBusyMs() - machineStart) / wallMs) * 100,
    };
  };
}

function machineBusyMs(): number {
  let busy = 0;
  for (const cpu of os.cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return busy;
}
