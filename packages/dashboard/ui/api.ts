// Talking to the dashboard's API: the token (from the page URL's ?token=, kept for the tab) goes in a
// header on every request; actions are JSON POSTs.
const stored = new URLSearchParams(location.search).get("token");
if (stored !== null) sessionStorage.setItem("durably-token", stored);
export const token = sessionStorage.getItem("durably-token");

export class ApiError extends Error {}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`api/${path}`, {
    method,
    headers: { "x-durably-token": token ?? "-", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: string }).error;
    } catch {}
    throw new ApiError(`${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

export const get = <T>(path: string) => call<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => call<T>("POST", path, body);

/** The live feed's URL (EventSource sends no headers: the token goes in the query). */
export const liveUrl = () => `api/live${token === null ? "" : `?token=${encodeURIComponent(token)}`}`;
