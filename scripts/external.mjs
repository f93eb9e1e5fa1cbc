// The packages the bundle leaves in node_modules and those of their dependencies that only build
// (scripts/external.json), for the bundle (scripts/bundle.mjs), the install's prune
// (scripts/prune-bundled.mjs) and the install test: one list, one reading of its patterns.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

/** @type {unknown} */
const lists = JSON.parse(readFileSync(new URL('./external.json', import.meta.url), 'utf8'));
const { external, build_only: buildOnly } = /** @type {{ external: string[]; build_only: string[] }} */ (
  lists
);

/** Package names and `@scope/*` patterns left outside the bundle. */
export const EXTERNAL = external;
/** Their dependencies used only to build or fetch their addons, never loaded at run time. */
export const BUILD_ONLY = buildOnly;

/**
 * Whether a package (`name` or `@scope/name`) is one the bundle leaves out.
 * @param {string} name
 */
export function isExternal(name) {
  return EXTERNAL.some((e) => (e.endsWith('/*') ? name.startsWith(e.slice(0, -1)) : name === e));
}
