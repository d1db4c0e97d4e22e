// `dashboard` serves @durably/dashboard, an optional peer: loaded only when the command runs, so the
// CLI's own install carries no web UI bundle for the scripts and CI jobs that never open one.
import { CliFailure } from "./cli-failure.js";

type Dashboard = typeof import("@durably/dashboard");

export const dashboardMissing =
  "durably dashboard needs the optional package @durably/dashboard (the web UI), which is not installed. " +
  "Install it next to @durably/cli: npm install --save-dev @durably/dashboard (or pnpm add -D / yarn add -D).";

export async function loadDashboard(): Promise<Pick<Dashboard, "startDashboardServer">> {
  try {
    const { startDashboardServer } = await import("@durably/dashboard");
    return { startDashboardServer };
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes("'@durably/dashboard'")) {
      throw new CliFailure(dashboardMissing);
    }
    throw error;
  }
}
