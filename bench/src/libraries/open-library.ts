// Loads one library's adapter on demand, so a worker process only ever loads the library it measures.
import type { BenchLibrary, LibraryName, LibraryOptions } from "./library.js";

export async function openLibrary(name: LibraryName, options: LibraryOptions): Promise<BenchLibrary> {
  if (name === "durably") return (await import("./durably.js")).createDurablyLibrary(options);
  return (await import("./dbos.js")).createDbosLibrary(options);
}
