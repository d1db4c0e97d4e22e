// Builds the UI into dist/ui (shipped in the package; nothing is built at run time). Relative asset
// URLs let the handler be mounted under any path.
import { defineConfig } from "vite";

export default defineConfig({
  root: "ui",
  base: "./",
  esbuild: { jsx: "automatic" },
  build: { outDir: "../dist/ui", emptyOutDir: true, chunkSizeWarningLimit: 2000, sourcemap: false },
  logLevel: "warn",
});
