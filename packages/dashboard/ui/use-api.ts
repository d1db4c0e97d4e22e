// Fetches an API path, again on demand (the live feed calls reload), keeping the last good data.
import { useCallback, useEffect, useRef, useState } from "react";
import { get } from "./api.js";

export function useApi<T>(path: string): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const current = useRef(path);
  current.current = path;
  const reload = useCallback(() => {
    const asked = path;
    get<T>(asked).then(
      (result) => {
        if (current.current !== asked) return;
        setData(result);
        setError(undefined);
      },
      (e: unknown) => {
        if (current.current === asked) setError(String((e as Error).message));
      },
    );
  }, [path]);
  useEffect(() => {
    setData(undefined);
    reload();
  }, [reload]);
  return { data, error, reload };
}
