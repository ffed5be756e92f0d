// Builds the field app into keyholder/field/static/field/dist/ (git-ignored): the page's
// script with Dexie, the service worker with Workbox, and the style, minified by esbuild.
// Run by `make setup` after `npm ci`: node keyholder/field/frontend/build.mjs
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "static", "field", "dist");

const common = {
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

await Promise.all([
  build({ ...common, entryPoints: [path.join(here, "app.js")], outfile: path.join(out, "app.js"), format: "iife" }),
  build({ ...common, entryPoints: [path.join(here, "sw.js")], outfile: path.join(out, "sw.js"), format: "iife" }),
  build({ ...common, entryPoints: [path.join(here, "app.css")], outfile: path.join(out, "app.css") }),
]);
