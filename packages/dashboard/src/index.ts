// @durably/dashboard: a live web UI for durably's workflows, queues, schedules and workers, as a
// node:http handler (createDashboardHandler) and a server of its own (startDashboardServer, which
// `durably dashboard` runs).
export { createDashboardHandler, type DashboardHandler } from "./create-dashboard-handler.js";
export type { DashboardOptions } from "./dashboard-options.js";
export type { LiveStats } from "./live-feed.js";
export {
  startDashboardServer,
  type DashboardServer,
  type DashboardServerOptions,
} from "./start-dashboard-server.js";
