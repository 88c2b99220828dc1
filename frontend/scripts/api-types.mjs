// The web app's API types, generated from TMS's OpenAPI schema (openapi-typescript).
//
//   npm run api-types               write src/api/schema.d.ts from the schema of the code in this checkout
//   npm run api-types -- --check    fail when the committed src/api/schema.d.ts differs from a fresh one
//   npm run api-types -- --schema FILE [--out FILE]   from a schema file instead (YAML or JSON)
//
// The schema comes from `manage.py spectacular` with the test settings and every route (TMS_SERVICE=all),
// run with the project's virtualenv ($VENV, default .venv, relative to the repository).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(frontend, "..");
const committed = join(frontend, "src/api/schema.d.ts");

function option(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function schemaFromDjango(dir) {
  const file = join(dir, "openapi.yaml");
  const python = join(resolve(root, process.env.VENV ?? ".venv"), "bin/python");
  execFileSync(python, ["manage.py", "spectacular", "--validate", "--file", file], {
    cwd: root,
    env: { ...process.env, DJANGO_SETTINGS_MODULE: "tms_project.settings_test", TMS_SERVICE: "all" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return file;
}

async function generate(schemaFile) {
  const ast = await openapiTS(new URL(`file://${resolve(schemaFile)}`), { alphabetize: true, defaultNonNullable: false });
  const header = "// Generated from TMS's OpenAPI schema by `npm run api-types` (scripts/api-types.mjs): do not edit.\n\n";
  return header + astToString(ast);
}

const work = mkdtempSync(join(tmpdir(), "tms-api-types-"));
try {
  const text = await generate(option("--schema") ?? schemaFromDjango(work));
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(committed, "utf8");
    } catch {
      current = "";
    }
    if (current !== text) {
      writeFileSync(join(work, "schema.d.ts"), text);
      try {
        execFileSync("diff", ["-u", committed, join(work, "schema.d.ts")], { stdio: "inherit" });
      } catch {
        // diff exits 1 when the files differ: the difference is printed above
      }
      console.error("\nfrontend/src/api/schema.d.ts is not what the OpenAPI schema gives; regenerate it: cd frontend && npm run api-types");
      process.exitCode = 1;
    } else {
      console.log("frontend/src/api/schema.d.ts matches the OpenAPI schema");
    }
  } else {
    const out = resolve(option("--out") ?? committed);
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
