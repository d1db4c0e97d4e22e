// Workers and versions: every executor lease (live, lapsed, released, replaced) with the workflows it
// owns, and every application version with its pending work and whether a live worker serves it.
import { time } from "./format.js";
import { useLive } from "./live.js";
import { useApi } from "./use-api.js";

interface Executor {
  executorID: string;
  applicationName: string;
  applicationVersion: string;
  hostname: string;
  pid: number;
  state: string;
  startedAt: string;
  renewedAt: string;
  workflowsOwned: number;
}
interface Version {
  versionName: string;
  applicationName?: string | null;
  firstSeenAt?: string;
  liveExecutors: number;
  pending: number;
  enqueued: number;
  stranded: boolean;
}

export function WorkersPage() {
  const executors = useApi<{ executors: Executor[] }>("executors");
  const versions = useApi<{ versions: Version[] }>("versions");
  useLive(() => {
    executors.reload();
    versions.reload();
  });
  const error = executors.error ?? versions.error;
  if (error) return <p className="error">{error}</p>;
  return (
    <section>
      <h3>Workers</h3>
      <table>
        <thead>
          <tr>
            <th>Executor</th>
            <th>State</th>
            <th>Application / version</th>
            <th>Host / PID</th>
            <th>Started</th>
            <th>Last renewed</th>
            <th>Owns</th>
          </tr>
        </thead>
        <tbody>
          {executors.data?.executors.map((e) => (
            <tr key={`${e.executorID}/${e.hostname}/${e.pid}/${e.startedAt}`} data-state={e.state}>
              <td>{e.executorID}</td>
              <td>
                <span className={`badge ${e.state}`}>{e.state}</span>
              </td>
              <td>
                {e.applicationName} / {e.applicationVersion}
              </td>
              <td>
                {e.hostname} / {e.pid}
              </td>
              <td>{time(Date.parse(e.startedAt))}</td>
              <td>{time(Date.parse(e.renewedAt))}</td>
              <td>
                <a href={`#/?executor=${encodeURIComponent(e.executorID)}&status=PENDING`}>
                  {e.workflowsOwned} pending
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Versions</h3>
      <table>
        <thead>
          <tr>
            <th>Version</th>
            <th>First seen</th>
            <th>Live workers</th>
            <th>Pending</th>
            <th>Enqueued</th>
            <th>Served</th>
          </tr>
        </thead>
        <tbody>
          {versions.data?.versions.map((v) => (
            <tr key={`${v.applicationName ?? ""}/${v.versionName}`}>
              <td>
                <a href={`#/?version=${encodeURIComponent(v.versionName)}`}>{v.versionName}</a>
              </td>
              <td>{v.firstSeenAt ? time(Date.parse(v.firstSeenAt)) : ""}</td>
              <td>{v.liveExecutors}</td>
              <td>{v.pending}</td>
              <td>{v.enqueued}</td>
              <td>{v.stranded ? <span className="badge error">STRANDED</span> : "yes"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
