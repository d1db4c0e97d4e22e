// The server's mode (read-only, redact), asked once per tab.
import { useEffect, useState } from "react";
import { get } from "./api.js";

export interface DashboardConfig {
  readonly readOnly: boolean;
  readonly redact: boolean;
  readonly appName: string | null;
}

let cached: Promise<DashboardConfig> | undefined;

export function useConfig(): DashboardConfig | undefined {
  const [config, setConfig] = useState<DashboardConfig>();
  useEffect(() => {
    cached ??= get<DashboardConfig>("config");
    void cached.then(setConfig);
  }, []);
  return config;
}
