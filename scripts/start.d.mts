// Types of scripts/start.mjs for the tests that import its detection functions.
export declare const ROOT: string;
export declare const BUILD_OUTPUTS: string[];
export declare const BUILD_INPUTS: string[];
export declare function newestMtime(paths: string[]): number;
export declare function buildStatus(root?: string): { needed: boolean; reason?: string };
export declare function detectElectron(opts?: {
  root?: string;
  resolvePackage?: (id: string) => string;
}): { ok: true; binary: string } | { ok: false; reason: string };
export declare function detectDisplay(
  env?: Record<string, string | undefined>,
  platform?: string,
): { ok: true } | { ok: false; reason: string };
