// What the browser scripts share (claim.mjs, scenario.mjs): the settings go
// test gives them, their log and their screenshots.

import { mkdirSync } from "node:fs";
import path from "node:path";

// env is the setting name, which go test ./browser sets.
export const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set (go test ./browser sets it)`);
  }
  return v;
};

export function log(...args) {
  console.log(new Date().toISOString(), ...args);
}

// shooter makes dir and returns shot(page, name), which saves the whole page
// there as prefix + name + ".png".
export function shooter(dir, prefix = "") {
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    const file = path.join(dir, `${prefix}${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log("screenshot", file);
  };
}
