// The dashboard's single page: a hash router (so any mount path works and links can be shared) over
// the workflows list, one workflow, queues, schedules, and workers and versions.
import { type ReactNode, StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import "react-json-view-lite/dist/index.css";
import "./style.css";
import { QueuesPage } from "./queues-page.js";
import { SchedulesPage } from "./schedules-page.js";
import { WorkersPage } from "./workers-page.js";
import { WorkflowList } from "./workflow-list.js";
import { WorkflowPage } from "./workflow-page.js";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return hash;
}

function App() {
  const hash = useHash().replace(/^#/, "") || "/";
  const [path = "/", query = ""] = hash.split("?");
  let page: ReactNode;
  if (path?.startsWith("/workflow/")) page = <WorkflowPage id={decodeURIComponent(path.slice(10))} />;
  else if (path === "/queues") page = <QueuesPage />;
  else if (path === "/schedules") page = <SchedulesPage />;
  else if (path === "/workers") page = <WorkersPage />;
  else page = <WorkflowList query={query} />;
  const tab = (href: string, label: string, active: boolean) => (
    <a href={href} className={active ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <strong>durably</strong>
        <nav>
          {tab("#/", "Workflows", path === "/" || path.startsWith("/workflow/"))}
          {tab("#/queues", "Queues", path === "/queues")}
          {tab("#/schedules", "Schedules", path === "/schedules")}
          {tab("#/workers", "Workers & versions", path === "/workers")}
        </nav>
      </header>
      <main>{page}</main>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
