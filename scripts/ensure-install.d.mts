// Types of scripts/ensure-install.mjs for the test that imports its check.
export declare function installStatus(root?: string): { needed: boolean; reason?: string };
