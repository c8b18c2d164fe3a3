/**
 * How the server's modules depend on each other: no module imports itself through others, and the
 * access rules (who sees which webhooks, whose webhooks may receive what) are written in one place.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SERVER = path.resolve(import.meta.dirname, "../server");
/** Prisma's generated client: not ours to arrange. */
const GENERATED = path.join(SERVER, "generated");

function serverModules(dir = SERVER): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === GENERATED ? [] : serverModules(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The server modules a module imports (types included: a cycle of types is a cycle of meaning). */
function importsOf(file: string): string[] {
  return [...fs.readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)]
    .map((match) => `${path.resolve(path.dirname(file), match[1] ?? "")}.ts`)
    .filter((target) => fs.existsSync(target) && !target.startsWith(GENERATED));
}

const shown = (file: string) => path.relative(SERVER, file);

describe("server modules", () => {
  it("import one another without cycles", () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, trail: string[]) => {
      if (trail.includes(file)) {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(shown).join(" → "));
        return;
      }
      if (done.has(file)) return;
      for (const target of importsOf(file)) visit(target, [...trail, file]);
      done.add(file);
    };
    for (const file of serverModules()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("write the access rules once, in server/access", () => {
    const rules = [/"revokedAt" IS NULL/, /JOIN "FacilityAccess"/, /"ownerId" = \$\{/];
    const elsewhere = serverModules()
      .filter((file) => !file.startsWith(path.join(SERVER, "access")))
      .filter((file) => rules.some((rule) => rule.test(fs.readFileSync(file, "utf8"))))
      .map(shown);
    expect(elsewhere).toEqual([]);
  });
});
